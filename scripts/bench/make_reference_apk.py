#!/usr/bin/env python3
"""Writes the DESIGN §10 reference APK deterministically: ~21,000 small deflated files plus
a dozen 12 MiB stored blobs (~170 MB), around a real aapt-built manifest and resources.arsc.

Usage: make_reference_apk.py BASE_APK OUT. BASE_APK supplies AndroidManifest.xml,
resources.arsc and classes.dex (built by scripts/bench-sign with aapt + smali).
"""
import random
import sys
import zipfile

base_path, out_path = sys.argv[1], sys.argv[2]
rng = random.Random(20261123)
DATE = (2020, 1, 1, 0, 0, 0)

words = ("certificate pinning network trust anchor policy domain request response kotlin "
         "android layout view button activity fragment service receiver provider intent "
         "bundle resource string drawable color theme style dimension animation").split()
corpus = " ".join(rng.choice(words) for _ in range(400_000)).encode()


def add(z, name, data, method):
    info = zipfile.ZipInfo(name, DATE)
    info.compress_type = method
    info.external_attr = 0o644 << 16
    z.writestr(info, data, compresslevel=6 if method == zipfile.ZIP_DEFLATED else None)


with zipfile.ZipFile(base_path) as base, zipfile.ZipFile(out_path, "w") as z:
    add(z, "AndroidManifest.xml", base.read("AndroidManifest.xml"), zipfile.ZIP_DEFLATED)
    add(z, "classes.dex", base.read("classes.dex"), zipfile.ZIP_DEFLATED)
    add(z, "resources.arsc", base.read("resources.arsc"), zipfile.ZIP_STORED)
    for i in range(21_000):
        n = rng.randint(1200, 4000)
        start = rng.randint(0, len(corpus) - n)
        body = b"#%05d\n" % i + corpus[start:start + n]
        folder = ("res/raw", "assets/data", "assets/i18n", "res/xml")[i % 4]
        add(z, f"{folder}/f{i:05d}.txt", body, zipfile.ZIP_DEFLATED)
    for i in range(12):
        add(z, f"assets/blobs/blob{i:02d}.bin", rng.randbytes(12 << 20), zipfile.ZIP_STORED)
