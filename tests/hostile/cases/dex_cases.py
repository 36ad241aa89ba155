"""DEX header lies inside otherwise valid APKs, through `fuse build` (which checks every
dex file's header, and reads the last one of an app that looks fused to find its bridge).

```text
DEX header (little endian, 0x70 bytes)
0x00 magic "dex\n035\0"  0x08 adler32  0x0c sha1[20]  0x20 file_size  0x24 header_size
0x28 endian_tag 0x12345678  0x38 string_ids size/off  0x40 type_ids size/off
0x60 class_defs size/off    class_def: u32 class_idx -> type_id: u32 string_idx -> string_id: u32 off
```
The base dex is a header-only DEX 035 (file_size = header_size = 0x70); `fuse build` of
the base APK succeeds (exit 0). Each case breaks one thing.
"""
import os
import shutil
import struct

import zipfile_raw as z
from context import SIGN, base_entries

BAD = 3
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def dex(size=0x70, magic=b"dex\n035\0", file_size=None, header_size=0x70, endian=0x12345678,
        tables=None):
    """A DEX of `size` bytes; `tables` = {header offset: (count, offset)}."""
    d = bytearray(max(size, 0x70))
    d[0:8] = magic
    struct.pack_into("<III", d, 0x20, size if file_size is None else file_size, header_size, endian)
    for at, (count, off) in (tables or {}).items():
        struct.pack_into("<II", d, at, count, off)
    return bytes(d[:size])


def bridge_like(class_idx=0, string_idx=0, string_off=0x98, string=b"\x1aLfuse/bridge/FuseProvider;\0",
                counts=(1, 1, 1)):
    """A dex with one class whose descriptor is the bridge's: string_ids at 0x70, type_ids
    at 0x74, class_defs at 0x78 (32 bytes), string data at 0x98."""
    body = struct.pack("<I", string_off) + struct.pack("<I", string_idx) + struct.pack("<I", class_idx) + bytes(28)
    data = body + string
    size = 0x70 + len(data)
    d = bytearray(dex(size, tables={0x38: (counts[0], 0x70), 0x40: (counts[1], 0x74), 0x60: (counts[2], 0x78)}))
    d[0x70:] = data
    return bytes(d)


def generate(ctx):
    fusion_set = ctx.path("fusion-set.json")
    if not os.path.exists(fusion_set):
        shutil.copy(os.path.join(REPO, "testdata", "fusion-sets", "good", "production.json"), fusion_set)
    command = ["build", "{input}", "--fusion-set", "{support}/fusion-set.json", "-o", "{out}/fused.apk", *SIGN]
    ctx.keys()

    def apk(dexes, extra=()):
        entries = [e for e in base_entries() if e.name != b"classes.dex"]
        return z.build(entries + [z.Entry(n, d) for n, d in dexes] + list(extra))

    def case(name, dexes, message, mistake, extra=()):
        ctx.case(name, "apk", apk(dexes, extra), command, BAD, message, mistake)
        for n, d in dexes:
            if d != dex():
                ctx.seed("dex_header", name, d)

    good = dex()
    ctx.seed("dex_header", "valid-header-only", good)
    ctx.seed("dex_header", "valid-bridge-like", bridge_like())
    case("dex-file-size-2pow31", [("classes.dex", dex(file_size=0x80000000))], "header says",
         "file_size claims 2 GiB in a 112-byte dex")
    case("dex-file-size-smaller-than-file", [("classes.dex", dex(size=0x200, file_size=0x70))], "header says",
         "file_size 112 in a 512-byte dex (padded or a second file appended)")
    case("dex-header-size-2pow32-minus-1", [("classes.dex", dex(header_size=0xFFFFFFFF))], "header size",
         "header_size 4,294,967,295")
    case("dex-header-size-below-0x70", [("classes.dex", dex(header_size=8))], "header size",
         "header_size 8, smaller than the fixed header")
    case("dex-magic-is-zip", [("classes.dex", b"PK\x03\x04" + bytes(0x6c))], "DEX magic",
         "classes.dex is a ZIP local header, not a dex")
    case("dex-version-999", [("classes.dex", dex(magic=b"dex\n999\0"))], "version",
         "DEX version 999")
    case("dex-version-not-digits", [("classes.dex", dex(magic=b"dex\n0\xff5\0"))], "DEX magic",
         "a version field that is not three digits")
    case("dex-big-endian-tag", [("classes.dex", dex(endian=0x78563412))], "endian tag",
         "the big-endian tag (never produced for Android)")
    case("dex-truncated-to-20-bytes", [("classes.dex", good[:20])], "shorter than a DEX header",
         "classes.dex cut to 20 bytes")
    case("dex-empty", [("classes.dex", b"")], "shorter than a DEX header", "a zero-byte classes.dex")
    case("dex-numbering-gap", [("classes.dex", good), ("classes3.dex", good)], "without classes2.dex",
         "classes3.dex without classes2.dex (Android stops at the gap)")
    case("dex-named-classes1", [("classes.dex", good), ("classes1.dex", good)], "classes1.dex",
         "classes1.dex (not part of the multidex sequence)")
    case("dex-numbered-2pow64", [("classes.dex", good), ("classes18446744073709551617.dex", good)], "dex",
         "classes18446744073709551617.dex (an index that overflows 64 bits)")

    # An app that looks fused (a policy blob is present): fuse reads its last dex to find
    # the bridge class, walking class_defs -> type_ids -> string_ids -> string data.
    policy = [z.Entry("assets/fuse/policy.bin", b"\0" * 64)]
    ctx.seed("dex_header", "bridge-like", bridge_like())

    def fcase(name, last, message, mistake):
        case(name, [("classes.dex", good), ("classes2.dex", last)], message, mistake, policy)

    fcase("dex-class-defs-count-2pow31", bridge_like(counts=(1, 1, 0x80000000)), "class_defs",
          "class_defs_size 2^31 in a 180-byte dex (a 64 GiB table)")
    fcase("dex-type-ids-offset-past-end",
          bytes(bytearray(bridge_like())[:0x40]) + struct.pack("<II", 1, 0x7FFFFFF0) + bridge_like()[0x48:],
          "type_ids", "type_ids_off 2 GiB into a 180-byte dex")
    fcase("dex-class-idx-out-of-range", bridge_like(class_idx=0xFFFFFFFF), "names type",
          "a class_def naming type 4,294,967,295 of 1")
    fcase("dex-string-idx-out-of-range", bridge_like(string_idx=7), "names string",
          "a type naming string 7 of 1")
    fcase("dex-string-offset-past-end", bridge_like(string_off=0x7FFFFFFF), "past the end",
          "a string_data_off 2 GiB past the end")
    fcase("dex-string-not-nul-terminated", bridge_like(string=b"\x1aLfuse/bridge/FuseProvider;"),
          "NUL", "the descriptor string runs to the end of the file without its NUL")
    fcase("dex-string-length-uleb-overlong", bridge_like(string=b"\xff\xff\xff\xff\xff\xff\x01x\0"), "uleb128",
          "a string length encoded in 7 uleb128 bytes (at most 5 are valid)")
    fcase("dex-tables-overlap-header", bridge_like(counts=(1, 1, 1))[:0x60] + struct.pack("<II", 1, 0x10)
          + bridge_like()[0x68:], "overlaps the header", "class_defs placed inside the header")
