#!/usr/bin/env python3
"""Zips the app-bundle fixtures from the parts `generate` built, and derives the hostile
variants (see README.md). Deterministic: entries sorted by name, fixed timestamps,
deflated, no directory entries (bundletool refuses those).

Usage: assemble.py PARTS OUTDIR
"""
import os
import sys
import zipfile

PARTS, OUT = sys.argv[1], sys.argv[2]
STAMP = (2020, 1, 1, 0, 0, 0)


def part(name):
    with open(os.path.join(PARTS, name), "rb") as f:
        return f.read()


def write(name, files):
    """files: dict entry name -> bytes."""
    with zipfile.ZipFile(os.path.join(OUT, name), "w") as z:
        for entry in sorted(files):
            info = zipfile.ZipInfo(entry, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # FAT: no POSIX permissions (jarsigner warns about them)
            z.writestr(info, files[entry])


def libs(module, lib, abis):
    return {f"{module}/lib/{abi}/{lib}.so": part(f"lib/{abi}/{lib}.so") for abi in abis}


def app():
    """base (minSdk 21, arm64-v8a + x86_64, providers, assets, root) + feature module."""
    files = {
        "BundleConfig.pb": part("BundleConfig.pb"),
        "base/manifest/AndroidManifest.xml": part("base21/AndroidManifest.xml"),
        "base/resources.pb": part("base21/resources.pb"),
        "base/dex/classes.dex": part("base-classes.dex"),
        "base/native.pb": part("native-arm64-x86_64.pb"),
        "base/assets/data/greeting.txt": b"hello from the base module\n",
        "base/root/extra.properties": b"fixture=aab\n",
        "feature/manifest/AndroidManifest.xml": part("feature/AndroidManifest.xml"),
        "feature/resources.pb": part("feature/resources.pb"),
        "feature/dex/classes.dex": part("feature-classes.dex"),
        "feature/native.pb": part("native-arm64-x86_64.pb"),
        "BUNDLE-METADATA/com.android.tools.build.obfuscation/proguard.map":
            b"com.example.fuse.bundle.MainActivity -> a.a:\n",
        # Stale: it lists the original code's hashes, which fusion changes.
        "BUNDLE-METADATA/com.android.tools.build.bundletool/code_transparency_signed.jwt":
            b"eyJhbGciOiJSUzI1NiJ9.eyJjb2RlUmVsYXRlZEZpbGUiOltdfQ.c2lnbmF0dXJl",
    }
    files.update(libs("base", "libnative", ["arm64-v8a", "x86_64"]))
    files.update(libs("feature", "libfeature", ["arm64-v8a", "x86_64"]))
    return files


def nolibs():
    """base (minSdk 24, two dex files, no native code, no native.pb) + feature module."""
    return {
        "BundleConfig.pb": part("BundleConfig.pb"),
        "base/manifest/AndroidManifest.xml": part("base24/AndroidManifest.xml"),
        "base/resources.pb": part("base24/resources.pb"),
        "base/dex/classes.dex": part("base-classes.dex"),
        "base/dex/classes2.dex": part("base-classes2.dex"),
        "feature/manifest/AndroidManifest.xml": part("feature/AndroidManifest.xml"),
        "feature/resources.pb": part("feature/resources.pb"),
        "feature/dex/classes.dex": part("feature-classes.dex"),
    }


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def nested(depth):
    """XmlNode{element{child{element{...}}}} `depth` levels deep, built in linear time."""
    headers, size = [], 0
    for _ in range(depth):
        for field in (5, 1):
            h = varint(field << 3 | 2) + varint(size)
            size += len(h)
            headers.append(h)
    return b"".join(reversed(headers))


def with_manifest(data):
    files = app()
    files["base/manifest/AndroidManifest.xml"] = data
    return files


def hostile():
    manifest = part("base21/AndroidManifest.xml")
    assert manifest[0] == 0x0A, "aapt2 manifests start with the root element (field 1)"
    # The root element's length varint, replaced by one far larger than the file.
    n, i = 0, 1
    while manifest[i] & 0x80:
        i += 1
    oversized = manifest[:1] + varint(0xFFFFFFFF) + manifest[i + 1:]
    cases = {
        "bad-manifest-truncated.aab": with_manifest(manifest[: len(manifest) // 2]),
        # Field 1 (element) as a varint instead of length-delimited.
        "bad-manifest-wire-type.aab": with_manifest(b"\x08" + manifest[1:]),
        "bad-manifest-deep.aab": with_manifest(nested(10_000)),
        "bad-manifest-oversized-length.aab": with_manifest(oversized),
    }
    files = app()
    del files["base/manifest/AndroidManifest.xml"]
    cases["bad-missing-base-manifest.aab"] = files

    files = app()
    for name, data in list(files.items()):
        if name.startswith("feature/"):
            files["Feature/" + name[len("feature/"):]] = data
    cases["bad-duplicate-modules.aab"] = files

    files = app()
    for name, data in list(files.items()):
        if name.startswith("feature/"):
            files["extra/" + name[len("feature/"):]] = data  # also declares split="feature"
    cases["bad-duplicate-split.aab"] = files

    files = app()
    files["base/dex/classes3.dex"] = part("base-classes2.dex")
    cases["bad-dex-gap.aab"] = files

    files = {k: v for k, v in app().items() if not k.startswith("feature/lib/")}
    files.update(libs("feature", "libfeature", ["x86"]))
    files["feature/native.pb"] = part("native-x86.pb")
    cases["bad-abi-mismatch.aab"] = files

    files = app()
    files["base/native.pb"] = files["base/native.pb"][:-3]
    cases["bad-native-pb.aab"] = files

    files = app()
    files["BundleConfig.pb"] = b"\x08" + files["BundleConfig.pb"][1:]
    cases["bad-bundle-config.aab"] = files

    files = app()
    del files["BundleConfig.pb"]
    cases["bad-no-bundle-config.aab"] = files
    return cases


write("app.aab", app())
write("nolibs.aab", nolibs())
for name, files in hostile().items():
    write(name, files)
