"""Binary-XML manifest lies inside otherwise valid APKs: overruns and huge counts.

Every command reads AndroidManifest.xml first (`verify` for minSdk, `sign` for the v1
digest choice), so each case reaches the AXML decoder through the real CLI.
"""
import struct

import axml_raw as x
import zipfile_raw as z
from context import base_entries

BAD = 3


def generate(ctx):
    def case(name, manifest, message, mistake, command="verify"):
        data = z.build(base_entries(manifest=manifest))
        ctx.case(name, "apk", data, command, BAD, message, mistake)

    good = x.manifest()
    pool = x.string_pool(x.STRINGS)
    pool_at = 8
    el_at = 8 + len(pool) + len(x.resource_map(x.IDS)) + len(x.start_ns())

    def patch(fmt, offset, value, base=good):
        b = bytearray(base)
        struct.pack_into(fmt, b, offset, value)
        return bytes(b)

    case("axml-text-manifest", b'<?xml version="1.0"?><manifest package="x"/>', "not binary XML",
         "a text AndroidManifest.xml (not compiled by aapt)")
    case("axml-empty-manifest", b"", "truncated", "a zero-byte AndroidManifest.xml")
    case("axml-document-size-past-end", patch("<I", 4, 0x7FFFFFFF), "lies about its size",
         "the XML chunk claims 2 GiB")
    case("axml-truncated-document", good[: len(good) * 2 // 3], "lies about its size",
         "the manifest cut at two thirds (chunk sizes now point past the end)")
    case("axml-string-pool-size-past-document", patch("<I", pool_at + 4, 0x00FFFFF0), "lies about its size",
         "the string pool chunk claims 16 MiB inside a 1 KB document")
    case("axml-huge-string-count", patch("<I", pool_at + 8, 0x3FFFFFFF), "string pool",
         "a string count of 2^30 (4 GiB of offsets) in a 1 KB pool")
    case("axml-huge-style-count", patch("<I", pool_at + 12, 0x7FFFFFFF), "string pool",
         "a style count of 2^31 - 1")
    case("axml-string-offset-past-pool", patch("<I", pool_at + 28, 0x00FFFFF0), "string",
         "the first string's offset points 16 MiB past the pool")
    case("axml-strings-start-past-pool", patch("<I", pool_at + 20, 0x7FFFFFF0), "string pool",
         "stringsStart points past the chunk")
    case("axml-utf16-length-overrun",
         x.manifest(pool=x.string_pool(x.STRINGS, raw={6: struct.pack("<H", 0x7FFF) + "com".encode("utf-16-le") + b"\0\0"})),
         "string", "the package string's length prefix claims 32,767 characters")
    case("axml-huge-attribute-count", patch("<H", el_at + 16 + 12, 0xFFFF), "lies about its size",
         "<manifest> claims 65,535 attributes in a 36-byte element")
    case("axml-attribute-size-lie", patch("<H", el_at + 16 + 10, 0x4000), "attribute",
         "attributeSize of 16,384 bytes")
    case("axml-element-name-index-out-of-range", patch("<I", el_at + 16 + 4, 0x00FFFFFF), "string #",
         "the root element's name index is 16,777,215 in an 11-string pool")
    case("axml-resource-map-longer-than-pool", x.manifest(rmap=x.resource_map([0x01010003] * 5000)),
         "resource map", "5,000 resource ids for 11 strings")
    zero = struct.pack("<HHI", 0x0102, 16, 0) + bytes(28)
    case("axml-zero-size-chunk", x.manifest(inner=zero), "lies about its size",
         "an element chunk of size 0 (a walker that trusts it never advances)")
    depth = 200_000
    deep = x.start_el("application") * depth + x.end_el("application") * depth
    case("axml-200000-nested-elements", x.manifest(inner=deep), "deep",
         "200,000 nested elements (a recursive reader overflows its stack)", "sign")
    case("axml-unclosed-root", x.document(pool + x.resource_map(x.IDS) + x.start_ns()
                                          + x.start_el("manifest")), "nesting",
         "a root element that is never closed")
    case("axml-min-sdk-not-a-number",
         x.manifest(inner=x.start_el("uses-sdk", [x.attr("minSdkVersion", 6, "android", dtype=x.TYPE_STRING, raw=6)])
                    + x.end_el("uses-sdk")), "minSdkVersion",
         "android:minSdkVersion given as the string \"com.example.hostile\"", "sign")
    case("axml-no-package", x.manifest(root_attrs=[]), "package",
         "a <manifest> without its package attribute", "sign")
