"""The case registry and the few real inputs the mutations start from."""
import os
import subprocess

import axml_raw
import zipfile_raw as z

# A test canary, not a secret: the password of every keystore made here.
PASS = "hostile-pass"
SIGN = ["--ks", "{support}/good.p12", "--ks-pass", "pass:" + PASS]


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class Context:
    def __init__(self, out):
        self.out = out
        self.support = os.path.join(out, "_support")
        os.makedirs(self.support)
        self.cases = []
        self._signed = {}
        self._keys_made = False

    # --- registry ------------------------------------------------------------------

    def case(self, name, ext, data, command, exit, message, mistake):
        """Writes `<name>.<ext>` (`data`: bytes, or a function writing to the open file)
        and records how fuse must refuse it.

        command: fuse arguments with `{input}`, `{out}` and `{support}` placeholders;
        `"verify"` / `"sign"` are shorthands for the two APK commands."""
        file = f"{name}.{ext}"
        with open(os.path.join(self.out, file), "wb") as f:
            if callable(data):
                data(f)  # a writer, e.g. for a sparse file
            else:
                f.write(data)
        if command == "verify":
            command = ["verify", "{input}"]
        elif command == "sign":
            command = ["sign", "{input}", "-o", "{out}/signed.apk", *SIGN]
        self.cases.append(dict(name=name, file=file, command=command, exit=exit,
                               message=message, mistake=mistake))

    def seed(self, target, name, data, limit=64 << 10):
        """A seed input for fuzz target `target` (`_seeds/<target>/<name>`); libFuzzer
        inputs stay small, so bigger ones are left to the suite."""
        if len(data) <= limit:
            d = os.path.join(self.out, "_seeds", target)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)

    def path(self, name):
        return os.path.join(self.support, name)

    # --- real inputs -----------------------------------------------------------------

    def keys(self):
        """An RSA-2048 key, its certificate and a PKCS#12 (openssl, the usual way), plus
        a JKS made by keytool from the same PKCS#12."""
        if not self._keys_made:
            p = self.path
            run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", p("key.pem"))
            run("openssl", "req", "-new", "-x509", "-key", p("key.pem"), "-sha256", "-days", "3650",
                "-subj", "/CN=fuse hostile suite/O=fuse tests", "-out", p("cert.pem"))
            run("openssl", "x509", "-in", p("cert.pem"), "-outform", "DER", "-out", p("cert.der"))
            run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", p("key.pem"), "-outform", "DER",
                "-out", p("key.pk8"))
            run("openssl", "pkcs12", "-export", "-inkey", p("key.pem"), "-in", p("cert.pem"),
                "-name", "hostile", "-passout", "pass:" + PASS, "-out", p("good.p12"))
            run("keytool", "-importkeystore", "-noprompt", "-srckeystore", p("good.p12"),
                "-srcstoretype", "PKCS12", "-srcstorepass", PASS, "-destkeystore", p("good.jks"),
                "-deststoretype", "JKS", "-deststorepass", PASS, "-destkeypass", PASS)
            self._keys_made = True
        return self.path("good.p12")

    def unsigned_apk(self, min_sdk=21):
        """A small well-formed APK: binary manifest, a dex-shaped classes.dex, a stored
        resources.arsc."""
        return z.build(base_entries(min_sdk))

    def signed_apk(self, min_sdk=21):
        """`unsigned_apk` signed by apksigner (v1 below API 24, v2, v3) with `keys()`."""
        if min_sdk not in self._signed:
            self.keys()
            src = self.path(f"unsigned-min{min_sdk}.apk")
            dst = self.path(f"signed-min{min_sdk}.apk")
            with open(src, "wb") as f:
                f.write(self.unsigned_apk(min_sdk))
            run("apksigner", "sign", "--ks", self.path("good.p12"), "--ks-pass", "pass:" + PASS,
                "--v3-signing-enabled", "true", "--out", dst, src)
            with open(dst, "rb") as f:
                self._signed[min_sdk] = f.read()
            for leftover in (dst + ".idsig",):
                if os.path.exists(leftover):
                    os.remove(leftover)
        return self._signed[min_sdk]


def base_entries(min_sdk=21, manifest=None):
    return [
        z.Entry("AndroidManifest.xml", axml_raw.manifest(min_sdk) if manifest is None else manifest),
        z.Entry("classes.dex", b"dex\n035\0" + bytes(104)),
        z.Entry("resources.arsc", b"\x02\x00\x0c\x00" + bytes(60), method=0),
    ]
