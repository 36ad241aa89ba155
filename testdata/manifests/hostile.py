#!/usr/bin/env python3
"""Writes malformed binary-XML manifests, one per way a hostile or corrupt file can lie.

Usage: hostile.py OUTDIR UTF16_BASE UTF8_BASE
  UTF16_BASE, UTF8_BASE: well-formed manifests made by aapt (see generate); most cases
  are surgical mutations of them, the rest are built from scratch with the small writer
  below. OUTDIR/expected.tsv lists `file<TAB>error kind` (fuse::axml::Error::kind()).
"""
import os
import struct
import sys

NONE = 0xFFFFFFFF
ANDROID = "http://schemas.android.com/apk/res/android"


# --- a minimal binary XML writer (layout as ResourceTypes.h) -------------------------

def chunk(ctype, header, body, header_size=None):
    hs = 8 + len(header) if header_size is None else header_size
    return struct.pack("<HHI", ctype, hs, 8 + len(header) + len(body)) + header + body


def pool(strings, utf8=False, raw_strings=None):
    """String pool chunk; raw_strings overrides the encoded bytes of each string."""
    data, offsets = b"", []
    for i, s in enumerate(strings):
        offsets.append(len(data))
        if raw_strings and i in raw_strings:
            data += raw_strings[i]
        elif utf8:
            b = s.encode("utf-8")
            u16 = len(s.encode("utf-16-le")) // 2
            data += bytes([u16, len(b)]) + b + b"\0"
        else:
            u = s.encode("utf-16-le")
            data += struct.pack("<H", len(u) // 2) + u + b"\0\0"
    data += b"\0" * (-len(data) % 4)
    start = 28 + 4 * len(strings)
    header = struct.pack("<IIIII", len(strings), 0, 0x100 if utf8 else 0, start, 0)
    return chunk(0x0001, header, b"".join(struct.pack("<I", o) for o in offsets) + data)


def resmap(ids):
    return chunk(0x0180, b"", b"".join(struct.pack("<I", i) for i in ids))


def node(ctype, ext, line=1):
    return chunk(ctype, struct.pack("<II", line, NONE), ext)


def start_ns(prefix, uri):
    return node(0x0100, struct.pack("<II", prefix, uri))


def end_ns(prefix, uri):
    return node(0x0101, struct.pack("<II", prefix, uri))


def start_el(name, attrs=(), ns=NONE, attr_size=20, count=None):
    n = len(attrs) if count is None else count
    ext = struct.pack("<IIHHHHHH", ns, name, 20, attr_size, n, 0, 0, 0)
    for a_ns, a_name, raw, dtype, data in attrs:
        ext += struct.pack("<IIIHBBI", a_ns, a_name, raw, 8, 0, dtype, data)
    return node(0x0102, ext)


def end_el(name, ns=NONE):
    return node(0x0103, struct.pack("<II", ns, name))


def xml(*chunks, size=None):
    body = b"".join(chunks)
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body) if size is None else size) + body


# Strings of the from-scratch documents: 0 name (id'd), 1 android, 2 uri, 3 manifest,
# 4 package, 5 com.example.h, 6 application
STRINGS = ["name", "android", ANDROID, "manifest", "package", "com.example.h", "application"]
PKG_ATTR = (NONE, 4, 5, 0x03, 5)


def manifest_doc(inner=(), strings=STRINGS, utf8=False, raw_strings=None, ids=(0x01010003,)):
    return xml(
        pool(strings, utf8, raw_strings),
        resmap(list(ids)),
        start_ns(1, 2),
        start_el(3, [PKG_ATTR]),
        *inner,
        end_el(3),
        end_ns(1, 2),
    )


# --- mutations of a real manifest ---------------------------------------------------

def chunks_of(b):
    """(offset, type, header_size, size) of each chunk inside the XML chunk."""
    out, pos = [], struct.unpack_from("<H", b, 2)[0]
    end = struct.unpack_from("<I", b, 4)[0]
    while pos < end:
        t, hs, size = struct.unpack_from("<HHI", b, pos)
        out.append((pos, t, hs, size))
        pos += size
    return out


def first(b, ctype):
    return next(c for c in chunks_of(b) if c[1] == ctype)


def patched(b, offset, fmt, value):
    b = bytearray(b)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def main():
    out, utf16_path, utf8_path = sys.argv[1:4]
    base = open(utf16_path, "rb").read()
    base8 = open(utf8_path, "rb").read()
    os.makedirs(out, exist_ok=True)
    cases = []

    def case(name, kind, data):
        with open(os.path.join(out, name + ".xml"), "wb") as f:
            f.write(data)
        cases.append((name + ".xml", kind))

    sp_off, _, sp_hs, sp_size = first(base, 0x0001)
    count = struct.unpack_from("<I", base, sp_off + 8)[0]
    el_off, _, el_hs, _ = first(base, 0x0102)

    # Size lies.
    case("truncated-file", "chunk-size", base[: len(base) // 2])
    case("xml-size-bigger-than-file", "chunk-size", patched(base, 4, "<I", len(base) + 64))
    case("pool-size-smaller-than-header", "chunk-size", patched(base, sp_off + 4, "<I", 4))
    case("pool-size-unaligned", "chunk-size", patched(base, sp_off + 4, "<I", sp_size - 2))
    case("node-size-past-parent", "chunk-size", patched(base, el_off + 4, "<I", 0x7FFFFFF0))
    case("empty-file", "truncated", b"")
    case("text-xml", "not-binary-xml", b'<?xml version="1.0"?>\n<manifest package="x"/>\n')

    # A string pool cut short: the XML and pool sizes shrink together so every chunk
    # header stays consistent; the string data now ends inside a string (no final NUL,
    # which the platform refuses too).
    keep = sp_hs + 4 * count + 8
    cut = base[sp_off : sp_off + keep]
    cut = patched(cut, 4, "<I", keep)
    rest = base[sp_off + sp_size :]
    truncated_pool = base[:sp_off] + cut + rest
    case("truncated-string-pool", "string-pool", patched(truncated_pool, 4, "<I", len(truncated_pool)))

    # Counts no chunk could hold.
    case("huge-string-count", "string-pool", patched(base, sp_off + 8, "<I", 0x3FFFFFFF))
    case("huge-style-count", "string-pool", patched(base, sp_off + 12, "<I", 0x7FFFFFFF))
    case("huge-attribute-count", "chunk-size", patched(base, el_off + el_hs + 12, "<H", 0xFFFF))
    case("attribute-size-24", "attribute-size", patched(base, el_off + el_hs + 10, "<H", 24))
    case("string-offset-past-data", "bad-string", patched(base, sp_off + sp_hs, "<I", 0x00FFFFF0))
    case("strings-start-inside-tables", "string-pool", patched(base, sp_off + 20, "<I", sp_hs))

    # Indices that point nowhere.
    case("element-name-out-of-range", "string-index", patched(base, el_off + el_hs + 4, "<I", count + 5))
    attr0 = el_off + el_hs + 20
    case("attribute-name-out-of-range", "string-index", patched(base, attr0 + 4, "<I", 0x10000))
    case(
        "typed-string-out-of-range",
        "string-index",
        manifest_doc([start_el(6, [(2, 0, NONE, 0x03, 99)]), end_el(6)]),
    )

    # The resource map names strings the pool does not have.
    case("resource-map-longer-than-pool", "resource-map-too-long", manifest_doc(ids=[0x01010003] * 40))

    # Nesting.
    case("unterminated-element", "nesting", xml(pool(STRINGS), resmap([0x01010003]), start_ns(1, 2), start_el(3, [PKG_ATTR]), start_el(6)))
    case("mismatched-end-element", "nesting", manifest_doc([start_el(6), end_el(3)]))
    case("namespace-mismatch", "nesting", xml(pool(STRINGS), resmap([0x01010003]), start_ns(1, 2), start_el(3, [PKG_ATTR]), end_el(3), end_ns(1, 6)))
    case("namespace-ends-inside-element", "nesting", xml(pool(STRINGS), resmap([0x01010003]), start_ns(1, 2), start_el(3, [PKG_ATTR]), end_ns(1, 2), end_el(3)))
    case("end-without-start", "nesting", xml(pool(STRINGS), end_el(3)))
    case("two-roots", "nesting", xml(pool(STRINGS), start_el(3), end_el(3), start_el(6), end_el(6)))
    depth = 100_000
    deep = [start_el(6)] * depth + [end_el(6)] * depth
    case("deep-nesting-100000", "too-deep", manifest_doc(deep))

    # Layout.
    case("no-string-pool", "layout", xml(start_el(3), end_el(3)))
    case("two-string-pools", "layout", xml(pool(STRINGS), pool(STRINGS), start_el(3), end_el(3)))
    case("no-root-element", "layout", xml(pool(STRINGS), start_ns(1, 2), end_ns(1, 2)))
    # A chunk whose size is 0: without the size ≥ header check a walker never advances.
    zero = struct.pack("<HHI", 0x0102, 16, 0) + b"\0" * 28
    case("zero-size-chunk", "chunk-size", xml(pool(STRINGS), start_el(3), zero, end_el(3)))

    # Bad text.
    surrogate = struct.pack("<H", 3) + struct.pack("<HHH", 0x61, 0xD800, 0x62) + b"\0\0"
    case("bad-utf16-surrogate", "bad-string", manifest_doc(raw_strings={5: surrogate}))
    lone_low = struct.pack("<H", 1) + struct.pack("<H", 0xDC00) + b"\0\0"
    case("bad-utf16-lone-low-surrogate", "bad-string", manifest_doc(raw_strings={6: lone_low}))
    case("utf16-length-lie", "bad-string", manifest_doc(raw_strings={5: struct.pack("<H", 0x7000) + "x".encode("utf-16-le") + b"\0\0"}))
    case("utf8-byte-length-lie", "bad-string", manifest_doc(utf8=True, raw_strings={5: bytes([3, 9]) + b"abc\0"}))
    case("utf8-char-length-lie", "bad-string", manifest_doc(utf8=True, raw_strings={5: bytes([7, 3]) + b"abc\0"}))
    case("bad-utf8-bytes", "bad-string", manifest_doc(utf8=True, raw_strings={5: bytes([2, 2]) + b"\xc3\x28\0"}))
    case("utf8-overlong-encoding", "bad-string", manifest_doc(utf8=True, raw_strings={5: bytes([1, 2]) + b"\xc0\xaf\0"}))

    # The aapt UTF-8 manifest with its first string's byte length inflated: it now runs
    # over the strings after it.
    sp8, _, hs8, _ = first(base8, 0x0001)
    start8 = struct.unpack_from("<I", base8, sp8 + 20)[0]
    off0 = struct.unpack_from("<I", base8, sp8 + hs8)[0]
    case("aapt-utf8-length-lie", "string-pool", patched(base8, sp8 + start8 + off0 + 1, "<B", 0x7F))

    with open(os.path.join(out, "expected.tsv"), "w") as f:
        for name, kind in cases:
            f.write(f"{name}\t{kind}\n")


if __name__ == "__main__":
    main()
