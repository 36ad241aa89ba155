"""Seed corpora for the cargo-fuzz targets (fuzz/seeds/<target> points here): the valid
inputs the cases start from plus every small case, cut down to what each target parses,
so the fuzzers begin at real structure instead of searching for it."""
import io
import os
import zipfile

import axml_raw
import signing_block_cases as sb
import zipfile_raw as z
from context import run

LIMIT = 64 << 10  # as Context.seed

def generate(ctx):
    seed = ctx.seed

    signed = [ctx.signed_apk(21), ctx.signed_apk(24)]
    for i, apk in enumerate([ctx.unsigned_apk()] + signed):
        seed("zip_central_directory", f"valid-{i}.apk", apk)
    for i, apk in enumerate(signed):
        seed("apk_signing_block", f"apksigner-{i}", z.split(apk)[1])
    seed("axml_manifest", "valid.xml", axml_raw.manifest())
    for c in ctx.cases:
        path = os.path.join(ctx.out, c["file"])
        if os.path.getsize(path) > LIMIT:
            continue
        data = open(path, "rb").read()
        if c["file"].endswith(".apk"):
            seed("zip_central_directory", c["file"], data)
            try:
                parts = z.split(data)
                if parts[1]:
                    seed("apk_signing_block", c["name"], parts[1])
                manifest = zipfile.ZipFile(io.BytesIO(data)).read("AndroidManifest.xml")
                seed("axml_manifest", c["name"], manifest)
            except Exception:  # a case too broken to take apart is a ZIP seed only
                pass
        elif c["file"].endswith((".p12", ".jks")):
            seed("keystore", c["file"], data)
        elif c["file"].endswith((".der", ".pem", ".pk8")):
            seed("key_files", c["file"], data)
        elif c["file"].endswith(".aab"):
            try:
                b = zipfile.ZipFile(io.BytesIO(data))
                seed("aab_manifest", c["name"], b.read("base/manifest/AndroidManifest.xml"))
            except Exception:  # a case too broken to take apart seeds nothing
                pass

    # Keystores with the password the keystore target tries ("fuzzing"), cheap to open.
    p = ctx.path
    run("openssl", "pkcs12", "-export", "-inkey", p("key.pem"), "-in", p("cert.pem"), "-name", "fuzz",
        "-iter", "1", "-passout", "pass:fuzzing", "-out", p("fuzz.p12"))
    run("openssl", "pkcs12", "-export", "-legacy", "-inkey", p("key.pem"), "-in", p("cert.pem"),
        "-name", "fuzz", "-iter", "1", "-passout", "pass:fuzzing", "-out", p("fuzz-legacy.p12"))
    run("keytool", "-importkeystore", "-noprompt", "-srckeystore", p("fuzz.p12"), "-srcstoretype",
        "PKCS12", "-srcstorepass", "fuzzing", "-destkeystore", p("fuzz.jks"), "-deststoretype", "JKS",
        "-deststorepass", "fuzzing", "-destkeypass", "fuzzing")
    for name in ["fuzz.p12", "fuzz-legacy.p12", "fuzz.jks"]:
        seed("keystore", name, open(p(name), "rb").read())
    key_der, key_pem = open(p("key.pk8"), "rb").read(), open(p("key.pem"), "rb").read()
    cert_der, cert_pem = open(p("cert.der"), "rb").read(), open(p("cert.pem"), "rb").read()
    seed("key_files", "der-pair", key_der + b"\x00\xff" + cert_der)
    seed("key_files", "pem-pair", key_pem + b"\x00\xff" + cert_pem)
