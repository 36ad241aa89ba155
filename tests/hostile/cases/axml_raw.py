"""A minimal Android binary XML writer (layout of ResourceTypes.h) for the manifests of
the hostile packages: a correct document to start from, and the pieces to break it.

```text
XML chunk (0x0003) ─┬ string pool (0x0001): header · u32 offsets · UTF-16 strings
                    ├ resource map (0x0180): u32 attribute id per leading string
                    ├ start namespace (0x0100) / start element (0x0102) + 20-byte attributes
                    └ end element (0x0103) / end namespace (0x0101)
```
"""
import struct

NONE = 0xFFFFFFFF
ANDROID_NS = "http://schemas.android.com/apk/res/android"
TYPE_INT_DEC = 0x10
TYPE_STRING = 0x03

# Strings of the base manifest. The first ones carry resource ids (the resource map).
STRINGS = ["minSdkVersion", "targetSdkVersion", "android", ANDROID_NS, "manifest", "package",
           "com.example.hostile", "uses-sdk", "application", "label", "hostile"]
IDS = [0x0101020C, 0x01010270]
S = {s: i for i, s in enumerate(STRINGS)}


def chunk(ctype, header, body, header_size=None, size=None):
    hs = 8 + len(header) if header_size is None else header_size
    total = 8 + len(header) + len(body) if size is None else size
    return struct.pack("<HHI", ctype, hs, total) + header + body


def string_pool(strings, count=None, style_count=0, strings_start=None, raw=None):
    data, offsets = b"", []
    for i, s in enumerate(strings):
        offsets.append(len(data))
        if raw and i in raw:
            data += raw[i]
        else:
            u = s.encode("utf-16-le")
            data += struct.pack("<H", len(u) // 2) + u + b"\0\0"
    data += b"\0" * (-len(data) % 4)
    n = len(strings) if count is None else count
    start = 28 + 4 * len(strings) if strings_start is None else strings_start
    header = struct.pack("<IIIII", n, style_count, 0, start, 0)
    return chunk(0x0001, header, b"".join(struct.pack("<I", o) for o in offsets) + data)


def resource_map(ids):
    return chunk(0x0180, b"", b"".join(struct.pack("<I", i) for i in ids))


def node(ctype, ext, size=None):
    return chunk(ctype, struct.pack("<II", 1, NONE), ext, size=size)


def start_ns():
    return node(0x0100, struct.pack("<II", S["android"], S[ANDROID_NS]))


def end_ns():
    return node(0x0101, struct.pack("<II", S["android"], S[ANDROID_NS]))


def attr(name, value, ns=None, dtype=TYPE_INT_DEC, raw=NONE):
    """(ns, name, raw value, type, data); a string attribute keeps its raw string index."""
    ns_index = S[ANDROID_NS] if ns == "android" else NONE
    return (ns_index, S[name] if isinstance(name, str) else name, raw, dtype, value)


def start_el(name, attrs=(), count=None, attr_size=20):
    n = len(attrs) if count is None else count
    ext = struct.pack("<IIHHHHHH", NONE, S[name] if isinstance(name, str) else name, 20,
                      attr_size, n, 0, 0, 0)
    for a_ns, a_name, raw, dtype, data in attrs:
        ext += struct.pack("<IIIHBBI", a_ns, a_name, raw, 8, 0, dtype, data)
    return node(0x0102, ext)


def end_el(name):
    return node(0x0103, struct.pack("<II", NONE, S[name] if isinstance(name, str) else name))


def document(body, size=None):
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body) if size is None else size) + body


def manifest(min_sdk=21, target_sdk=33, pool=None, rmap=None, inner=None, root_attrs=None):
    """`<manifest package="com.example.hostile"><uses-sdk .../><application/></manifest>`."""
    pkg = (NONE, S["package"], S["com.example.hostile"], TYPE_STRING, S["com.example.hostile"])
    sdk = [attr("minSdkVersion", min_sdk, "android"), attr("targetSdkVersion", target_sdk, "android")]
    if inner is None:
        inner = start_el("uses-sdk", sdk) + end_el("uses-sdk") + start_el("application") + end_el("application")
    return document(
        (string_pool(STRINGS) if pool is None else pool)
        + (resource_map(IDS) if rmap is None else rmap)
        + start_ns()
        + start_el("manifest", [pkg] if root_attrs is None else root_attrs)
        + inner
        + end_el("manifest")
        + end_ns()
    )
