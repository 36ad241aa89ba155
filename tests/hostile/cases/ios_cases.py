"""IPA lies: Mach-O load commands, fat slices, code-signature placement, Info.plist
(binary and XML) nesting and cycles, and the IPA container itself, through `fuse inspect`
/ `fuse verify` / `fuse sign`.

```text
mach_header_64 {magic feedfacf, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags, 0}
load command   {cmd, cmdsize, ...}        LC_SEGMENT_64 0x19 · LC_CODE_SIGNATURE 0x1d
fat header     {cafebabe, nfat_arch} + fat_arch {cputype, subtype, offset, size, align} (BE)
bplist00 · objects · offset table · trailer {.., int size, ref size, count, top, table offset}
```
The base app is built here from bytes: an arm64 MH_EXECUTE with __PAGEZERO, __TEXT (one
__text section at 0x1000), __LINKEDIT, LC_BUILD_VERSION (iOS 14), LC_MAIN and
libSystem, and a binary Info.plist; `fuse inspect` reads it (exit 0). Each case breaks one
thing in it.
"""
import plistlib
import struct
import zlib

import datetime
import os
import subprocess

import zipfile_raw as z
from context import PASS

BAD = 3
ARM64 = 0x0100000C
X86_64 = 0x01000007
LC_SEGMENT_64 = 0x19
LC_CODE_SIGNATURE = 0x1D


def segment(name, vmaddr, vmsize, fileoff, filesize, prot, sections=(), nsects=None):
    body = struct.pack("<16sQQQQIIII", name.encode(), vmaddr, vmsize, fileoff, filesize, prot, prot,
                       len(sections) if nsects is None else nsects, 0)
    body += b"".join(sections)
    return struct.pack("<II", LC_SEGMENT_64, 8 + len(body)) + body


def section(name, segname, addr, size, offset, flags=0x80000400):
    return struct.pack("<16s16sQQIIIIIIII", name.encode(), segname.encode(), addr, size, offset, 2, 0, 0,
                       flags, 0, 0, 0)


def dylib(path):
    name = path.encode() + b"\0"
    name += b"\0" * (-(24 + len(name)) % 8)
    return struct.pack("<IIIIII", 0xC, 24 + len(name), 24, 2, 0x10000, 0x10000) + name


def commands(text_nsects=None, linkedit=(0x4000, 0x10), extra=()):
    base = 1 << 32
    return [
        segment("__PAGEZERO", 0, base, 0, 0, 0),
        segment("__TEXT", base, 0x4000, 0, 0x4000, 5,
                [section("__text", "__TEXT", base + 0x1000, 4, 0x1000)], nsects=text_nsects),
        segment("__LINKEDIT", base + 0x4000, 0x4000, linkedit[0], linkedit[1], 1),
        struct.pack("<IIIIII", 0x32, 24, 2, 0x000E0000, 0x000E0000, 0),  # LC_BUILD_VERSION iOS 14
        struct.pack("<IIQQ", 0x80000028, 24, 0x1000, 0),                   # LC_MAIN
        dylib("/usr/lib/libSystem.B.dylib"),
        *extra,
    ]


def macho(cmds=None, ncmds=None, sizeofcmds=None, cputype=ARM64, size=0x4010):
    cmds = commands() if cmds is None else cmds
    lc = b"".join(cmds)
    header = struct.pack("<IIIIIIII", 0xFEEDFACF, cputype, 0, 2,
                         len(cmds) if ncmds is None else ncmds,
                         len(lc) if sizeofcmds is None else sizeofcmds, 0x00200085, 0)
    out = bytearray(max(size, len(header) + len(lc)))
    out[: len(header) + len(lc)] = header + lc
    out[0x1000:0x1004] = b"\xc0\x03\x5f\xd6"  # ret
    return bytes(out)


def fat(slices, nfat=None, arches=None):
    """A fat file of `slices` [(cputype, bytes)] at 16 KiB-aligned offsets; `arches`
    overrides the (cputype, offset, size) table."""
    table, body, off = [], b"", 0x4000
    for cpu, data in slices:
        table.append((cpu, off, len(data)))
        pad = b"\0" * (-(len(data)) % 0x4000)
        body += data + pad
        off += len(data) + len(pad)
    rows = arches if arches is not None else table
    head = struct.pack(">II", 0xCAFEBABE, len(rows) if nfat is None else nfat)
    head += b"".join(struct.pack(">IIIII", cpu, 0, o, s, 14) for cpu, o, s in rows)
    return head + b"\0" * (0x4000 - len(head)) + body


INFO = {"CFBundleExecutable": "Hostile", "CFBundleIdentifier": "com.example.hostile",
        "CFBundleShortVersionString": "1.0", "CFBundleVersion": "1", "MinimumOSVersion": "14.0",
        "CFBundlePackageType": "APPL", "CFBundleName": "Hostile"}


def ipa(exe=None, info=None, extra=()):
    info = plistlib.dumps(INFO, fmt=plistlib.FMT_BINARY) if info is None else info
    return z.build([z.Entry("Payload/Hostile.app/Info.plist", info),
                    z.Entry("Payload/Hostile.app/Hostile", macho() if exe is None else exe),
                    *extra])


# --- binary plists by hand ----------------------------------------------------------------

def bplist(objects, top=0, ref_size=4, offset_size=4, num_objects=None, table_offset=None):
    """objects: encoded object bytes, references already at `ref_size` bytes."""
    out, offsets = b"bplist00", []
    for o in objects:
        offsets.append(len(out))
        out += o
    table_at = len(out)
    out += b"".join(x.to_bytes(offset_size, "big") for x in offsets)
    out += bytes(6) + bytes([offset_size, ref_size])
    out += struct.pack(">QQQ", len(objects) if num_objects is None else num_objects, top,
                       table_at if table_offset is None else table_offset)
    return out


def b_ascii(s):
    b = s.encode()
    return bytes([0x50 | len(b)]) + b if len(b) < 15 else b"\x5f\x10" + bytes([len(b)]) + b


def b_array(refs, ref_size=4):
    n = len(refs)
    head = bytes([0xA0 | n]) if n < 15 else b"\xaf\x12" + struct.pack(">I", n)
    return head + b"".join(r.to_bytes(ref_size, "big") for r in refs)


def b_dict(keys, values, ref_size=4):
    n = len(keys)
    head = bytes([0xD0 | n]) if n < 15 else b"\xdf\x12" + struct.pack(">I", n)
    return head + b"".join(r.to_bytes(ref_size, "big") for r in list(keys) + list(values))


def info_with(extra_key_objects):
    """A binary Info.plist: the base keys plus key "X" whose value is the object right
    after the header strings; returns (objects so far, index the value must take)."""
    items = list(INFO.items())
    objs, keys, vals = [None], [], []
    for k, v in items:
        keys.append(len(objs)); objs.append(b_ascii(k))
        vals.append(len(objs)); objs.append(b_ascii(v))
    keys.append(len(objs)); objs.append(b_ascii("X"))
    vals.append(len(objs))
    objs[0] = b_dict(keys, vals)
    return objs


def generate(ctx):
    def case(name, data, message, mistake, command="inspect"):
        cmd = {"inspect": ["inspect", "{input}"], "verify": ["verify", "{input}"],
               "sign": ["sign", "{input}", "-o", "{out}/signed.ipa"]}[command]
        ctx.case(name, "ipa", data, cmd, BAD, message, mistake)

    exe = macho()
    ctx.seed("macho_load_commands", "valid-thin", exe)
    ctx.seed("macho_load_commands", "valid-fat", fat([(ARM64, exe), (X86_64, macho(cputype=X86_64))]))

    def mcase(name, data, message, mistake, command="inspect"):
        case(name, ipa(exe=data), message, mistake, command)
        ctx.seed("macho_load_commands", name, data)

    # Load commands.
    mcase("macho-ncmds-2pow32-minus-1", macho(ncmds=0xFFFFFFFF), "ncmds",
          "ncmds = 4,294,967,295 in a 16 KB file")
    mcase("macho-sizeofcmds-past-file", macho(sizeofcmds=0x7FFFFFF0), "sizeofcmds",
          "sizeofcmds claims 2 GiB of load commands")
    mcase("macho-ncmds-more-than-sizeofcmds-holds", macho(ncmds=40), "ncmds",
          "ncmds 40 where sizeofcmds holds 6 commands")
    cmds = commands()
    zero = bytearray(cmds[3]); struct.pack_into("<I", zero, 4, 0)
    mcase("macho-cmdsize-zero", macho(cmds[:3] + [bytes(zero)] + cmds[4:]), "cmdsize",
          "a load command with cmdsize 0 (a walker that trusts it never advances)")
    big = bytearray(cmds[3]); struct.pack_into("<I", big, 4, 0x10000)
    mcase("macho-cmdsize-past-sizeofcmds", macho(cmds[:3] + [bytes(big)] + cmds[4:]), "cmdsize",
          "a load command whose cmdsize runs past sizeofcmds")
    mcase("macho-segment-nsects-2pow31", macho(commands(text_nsects=0x7FFFFFFF)), "Hostile",
          "__TEXT claims 2^31 - 1 sections (an allocation of 160 GiB if trusted)")
    bad_str = bytearray(cmds[5]); struct.pack_into("<I", bad_str, 8, 0xFFFF)
    mcase("macho-dylib-name-offset-outside-command", macho(cmds[:5] + [bytes(bad_str)]), "string",
          "LC_LOAD_DYLIB's name offset points outside its command")
    mcase("macho-truncated-header", macho()[:20], "Hostile", "the executable cut to 20 bytes")
    mcase("macho-code-signature-outside-linkedit",
          macho(commands(extra=[struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x8000_0000, 0x1000)])),
          "outside __LINKEDIT", "LC_CODE_SIGNATURE points 2 GiB away, outside __LINKEDIT and the file", "verify")
    mcase("macho-code-signature-inside-text",
          macho(commands(extra=[struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x1000, 0x100)])),
          "outside __LINKEDIT", "LC_CODE_SIGNATURE points into __TEXT, not __LINKEDIT", "verify")
    sig = struct.pack(">III", 0xFADE0CC0, 0xFFFF, 0x7FFFFFFF) + bytes(4)
    signed = bytearray(macho(commands(linkedit=(0x4000, 0x20),
                                      extra=[struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x4000, 0x20)]),
                             size=0x4020))
    signed[0x4000:0x4000 + len(sig)] = sig
    mcase("macho-superblob-count-and-length-lie", bytes(signed), "signature",
          "an embedded-signature SuperBlob claiming 65,535 blobs and 2 GiB", "verify")

    # Signatures whose inner fields lie (apple-codesign slices, allocates and recurses on them).
    def with_signature(sig):
        size = (len(sig) + 15) // 16 * 16
        data = bytearray(macho(commands(linkedit=(0x4000, size),
                                        extra=[struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x4000, size)]),
                               size=0x4000 + size))
        data[0x4000:0x4000 + len(sig)] = sig
        return bytes(data)

    def blob(magic, payload):
        return struct.pack(">II", magic, 8 + len(payload)) + payload

    def superblob(blobs, offsets=None):
        head = 12 + 8 * len(blobs)
        offs, at = [], head
        for _, b in blobs:
            offs.append(at)
            at += len(b)
        offs = offsets or offs
        return (struct.pack(">III", 0xFADE0CC0, at, len(blobs))
                + b"".join(struct.pack(">II", slot, o) for (slot, _), o in zip(blobs, offs))
                + b"".join(b for _, b in blobs))

    def code_directory(page_log2=12, ident_offset=0x58, hash_offset=0x60, n_special=0, n_code=0,
                       hash_size=32):
        head = struct.pack(">IIIIIIIBBBBI", 0x20400, 0x2, hash_offset, ident_offset, n_special, n_code,
                           0x4000, hash_size, 2, 0, page_log2, 0)
        head += bytes(0x58 - 8 - len(head)) + b"Hostile\0"
        return blob(0xFADE0C02, head + bytes(max(0, hash_offset - 8 - len(head))))

    def requirement(words):
        return blob(0xFADE0C00, struct.pack(">I", 1) + b"".join(struct.pack(">I", w) for w in words))

    mcase("macho-superblob-offsets-backwards",
          with_signature(superblob([(0, code_directory()), (2, blob(0xFADE0C01, bytes(4)))], offsets=[60, 28])),
          "out of order", "two signature blobs whose offsets run backwards (a slice end before its start)",
          "verify")
    # Fuzz crash (time-based smoke, 2026-11-23): apple-codesign slices the signature out
    # of the *first* __LINKEDIT, fuse checked the last; an empty one in front made it
    # index an empty slice. Exercised through inspect, where the crash was found.
    sig = superblob([(0, code_directory())])
    two = bytearray(macho([segment("__LINKEDIT", 0, 0, 0, 0, 1)]
                          + commands(linkedit=(0x4000, 0x80),
                                     extra=[struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x4000, 0x80)]),
                          size=0x4080))
    two[0x4000:0x4000 + len(sig)] = sig
    mcase("macho-two-linkedit-segments", bytes(two), "__LINKEDIT segments",
          "an empty __LINKEDIT segment before the real one that holds the signature")
    mcase("macho-code-directory-page-size-2pow40", with_signature(superblob([(0, code_directory(page_log2=40))])),
          "page size", "a code directory page size of 2^40 (2^n overflows)", "verify")
    mcase("macho-code-directory-hash-size-zero", with_signature(superblob([(0, code_directory(hash_size=0))])),
          "hash size", "a code directory with 0-byte hashes (chunks of 0 bytes)", "verify")
    mcase("macho-code-directory-identifier-outside",
          with_signature(superblob([(0, code_directory(ident_offset=0xFFFF))])), "identifier",
          "a code directory whose identifier offset points past its end", "verify")
    mcase("macho-code-directory-special-slots-underflow",
          with_signature(superblob([(0, code_directory(n_special=0x10000000))])), "special slots",
          "2^28 special slots before a hash offset of 96 (hashOffset - n * size underflows)", "verify")
    mcase("macho-code-directory-code-slots-past-end",
          with_signature(superblob([(0, code_directory(n_code=1_000_000))])), "code slots",
          "a million code hashes claimed in a 96-byte code directory", "verify")
    mcase("macho-requirement-10000-nested-nots",
          with_signature(superblob([(0, code_directory()), (2, blob(0xFADE0C01, struct.pack(">III", 1, 3, 20)
                                                                  + requirement([9] * 10_000 + [1])))])),
          "deeper", "a designated requirement of 10,000 nested `not`s (a recursive parser overflows the stack)",
          "verify")
    mcase("macho-requirement-count-2pow32-minus-1",
          with_signature(superblob([(0, code_directory()), (2, blob(0xFADE0C01, struct.pack(">III", 1, 3, 20)
                                                                  + blob(0xFADE0C00, struct.pack(">I", 0xFFFFFFFF) + bytes(8))))])),
          "expressions", "a requirement claiming 4,294,967,295 expressions (sized as a vector if trusted)",
          "verify")
    mcase("macho-requirement-data-length-lie",
          with_signature(superblob([(0, code_directory()), (2, blob(0xFADE0C01, struct.pack(">III", 1, 3, 20)
                                                                  + requirement([2, 0x7FFFFFFF])))])),
          "runs past", "an identifier requirement whose string claims 2 GiB", "verify")
    two = commands(linkedit=(0x4000, 0x20), extra=[struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x4000, 0x10),
                                                    struct.pack("<IIII", LC_CODE_SIGNATURE, 16, 0x4010, 0x10)])
    mcase("macho-two-code-signature-commands", macho(two, size=0x4020), "LC_CODE_SIGNATURE",
          "two LC_CODE_SIGNATURE commands (which one is checked?)", "verify")

    # Fuzz crash regression (macho_load_commands, 2026-11-23): goblin computes
    # `__TEXT.vmaddr - __TEXT.fileoff + LC_MAIN.entryoff` unchecked.
    wrap = commands()
    wrap[4] = struct.pack("<IIQQ", 0x80000028, 24, 0xFFFFFFFFFFFFFFF0, 0)
    mcase("macho-lc-main-entry-offset-wraps", macho(wrap), "LC_MAIN",
          "an LC_MAIN entry offset of 2^64 - 16 (vmaddr - fileoff + entryoff wraps; fuzz crash regression)")

    # Fuzz crash regression (macho_load_commands, CI smoke 2026-11-23): an LC_SEGMENT_64
    # declared 16 bytes long; goblin reads the whole 72-byte segment_command_64, i.e. the
    # header gap, so the shim command fuse writes there became the segment's fileoff and
    # the injected file no longer parsed. Commands shorter than their structure are refused.
    short = commands(extra=[struct.pack("<II", 0x19, 16) + struct.pack("<Q", 0)])
    mcase("macho-segment-shorter-than-its-struct", macho(short), "structure",
          "an LC_SEGMENT_64 with cmdsize 16 (its structure is 72 bytes; fuzz crash regression)")

    # Fat files.
    x86 = macho(cputype=X86_64)
    mcase("fat-nfat-arch-2pow32-minus-1", fat([(ARM64, exe)], nfat=0xFFFFFFFF), "fat",
          "nfat_arch = 4,294,967,295")
    mcase("fat-overlapping-slices",
          fat([(ARM64, exe), (X86_64, x86)], arches=[(ARM64, 0x4000, 0x8000), (X86_64, 0x8000, 0x4010)]),
          "overlap", "two slices whose byte ranges overlap")
    mcase("fat-slice-outside-file", fat([(ARM64, exe)], arches=[(ARM64, 0x4000, 0x7FFF0000)]), "outside",
          "a slice claiming 2 GiB in a 32 KB file")
    mcase("fat-slice-offset-overflow", fat([(ARM64, exe)], arches=[(ARM64, 0xFFFFFFF0, 0x20)]), "fat",
          "offset + size wraps around 2^32")
    mcase("fat-zero-slices", fat([(ARM64, exe)], arches=[]), "fat", "a fat header with no slices")
    mcase("fat-duplicate-arch", fat([(ARM64, exe), (ARM64, exe)]), "fat", "two arm64 slices")

    # Info.plist.
    def pcase(name, info, message, mistake):
        case(name, ipa(info=info), message, mistake)
        ctx.seed("info_plist", name, info)

    ctx.seed("info_plist", "valid-binary", plistlib.dumps(INFO, fmt=plistlib.FMT_BINARY))
    ctx.seed("info_plist", "valid-xml", plistlib.dumps(INFO))
    objs = info_with(None)
    me = len(objs)
    pcase("plist-binary-array-contains-itself", bplist(objs + [b_array([me])]), "cycle",
          "a binary plist array whose only element is itself")
    depth = 100_000
    chain = [b_array([me + i + 1]) for i in range(depth)] + [b_array([])]
    pcase("plist-binary-100000-nested-arrays", bplist(objs + chain), "deeper",
          "100,000 arrays each holding the next (recursive readers overflow the stack)")
    laughs = [b_array([me + i + 1] * 14) for i in range(20)] + [b_ascii("lol")]
    pcase("plist-binary-billion-laughs", bplist(objs + laughs), "values",
          "20 levels of arrays of 14 references to the level below: 14^20 values if expanded")
    pcase("plist-binary-object-count-2pow60", bplist(objs + [b_ascii("x")], num_objects=1 << 60), "binary plist",
          "a trailer claiming 2^60 objects")
    pcase("plist-binary-offset-table-past-end", bplist(objs + [b_ascii("x")], table_offset=1 << 40),
          "binary plist", "the offset table placed 1 TiB into a 300-byte file")
    pcase("plist-binary-reference-out-of-range", bplist(objs + [b_array([999_999])]), "binary plist",
          "an array referencing object 999,999 of 17")
    pcase("plist-binary-string-length-lie", bplist(objs + [b"\x5f\x12\x7f\xff\xff\xff" + b"x"]),
          "Info.plist", "an ASCII string claiming 2 GiB of characters")
    # 60,000 levels keep the file under 1 MiB, where the ZIP reader's ratio check starts.
    pcase("plist-xml-60000-nested-arrays",
          plistlib.dumps({"CFBundleExecutable": "Hostile", "CFBundleIdentifier": "x"})[:-17]
          + b"<key>X</key>" + b"<array>" * 60_000 + b"</array>" * 60_000 + b"</dict></plist>\n",
          "deeper", "60,000 nested XML arrays (recursive readers overflow the stack)")
    hidden = b'<array><string a=">" b="</array>">s</string>' * 35_000 + b"</array>" * 35_000
    pcase("plist-xml-closing-tags-hidden-in-attributes",
          plistlib.dumps(INFO)[:-17] + b"<key>X</key>" + hidden + b"</dict></plist>\n", "deeper",
          "35,000 nested arrays, each followed by a </array> inside a quoted attribute value "
          "that a naive depth scan counts as a close")
    entity = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<plist><dict><key>CFBundleExecutable</key><string>&lol2;</string></dict></plist>')
    pcase("plist-xml-entity-expansion", entity, "Info.plist",
          "a DTD declaring entities (billion laughs): plists never need them")

    # The container.
    exe_entry = z.Entry("Payload/Hostile.app/Hostile", macho())
    case("ipa-two-apps", z.build([z.Entry("Payload/A.app/Info.plist", plistlib.dumps(INFO, fmt=plistlib.FMT_BINARY)),
                                  z.Entry("Payload/A.app/Hostile", macho()),
                                  z.Entry("Payload/Hostile.app/Info.plist", plistlib.dumps(INFO, fmt=plistlib.FMT_BINARY)),
                                  exe_entry]), "app", "two .app bundles under Payload/")
    case("ipa-path-traversal", ipa(extra=[z.Entry("Payload/Hostile.app/../../../evil.sh", b"#!/bin/sh\n")]),
         "traversal", "an entry named Payload/Hostile.app/../../../evil.sh")
    link = z.Entry("Payload/Hostile.app/link", b"/etc/passwd", method=0)
    link.made_by, link.external_attr = 0x0314, 0o120777 << 16  # Unix, S_IFLNK
    case("ipa-symlink-entry", ipa(extra=[link]), "link", "a symbolic link entry pointing at /etc/passwd",
         "sign")
    zeros = z.deflate(bytes(64 << 20))
    bomb = z.Entry("Payload/Hostile.app/assets.bin", b"")
    bomb.payload, bomb.csize, bomb.usize, bomb.crc = zeros, len(zeros), 64 << 20, zlib.crc32(bytes(64 << 20))
    case("ipa-zip-bomb-ratio-1000", ipa(extra=[bomb]), "bomb",
         "64 MiB of zeros deflated ~1000:1 (the APK reader refuses beyond 500:1)")
    big_exe = z.Entry("Payload/Hostile.app/Hostile", b"")
    payload = z.deflate(macho() + bytes((300 << 20) - 0x4010))
    big_exe.payload, big_exe.csize, big_exe.usize = payload, len(payload), 300 << 20
    big_exe.crc = zlib.crc32(macho() + bytes((300 << 20) - 0x4010))
    case("ipa-main-executable-300mib",
         z.build([z.Entry("Payload/Hostile.app/Info.plist", plistlib.dumps(INFO, fmt=plistlib.FMT_BINARY)), big_exe]),
         "Hostile", "a 300 MiB main executable (zeros after a valid header): must not be read whole into memory")

    # The iOS identity flags (`--p12`, `--p12-pass`) reach the same keystore reader as
    # `--ks`: the PKCS#12 lies of key_cases, signing a good IPA.
    with open(ctx.path("app.ipa"), "wb") as f:
        f.write(ipa())
    for source, message, password in [("pkcs12-mac-iterations-2pow31", "keystore", PASS),
                                      ("pkcs12-kdf-iterations-2pow31-no-mac", "iteration", PASS),
                                      ("pkcs12-truncated", "keystore", PASS),
                                      ("pkcs12-nested-sequences", "keystore", PASS),
                                      ("good", "password", "not-the-password")]:
        path = ctx.path("good.p12") if source == "good" else os.path.join(ctx.out, source + ".p12")
        with open(path, "rb") as f:
            data = f.read()
        name = "wrong-password" if source == "good" else source.removeprefix("pkcs12-")
        ctx.case("ipa-p12-" + name, "p12", data,
                 ["sign", "{support}/app.ipa", "-o", "{out}/signed.ipa", "--p12", "{input}",
                  "--p12-pass", "pass:" + password], 5, message,
                 f"the {source} keystore given to an IPA signing as --p12"
                 + (" with the wrong password" if source == "good" else ""))

    # Provisioning profiles (`--provisioning-profile`): CMS SignedData around a plist,
    # signed here with openssl cms (so the signature holds and the plist is reached).
    ctx.keys()
    sign_args = ["sign", "{support}/app.ipa", "-o", "{out}/signed.ipa", "--p12", "{support}/good.p12",
                 "--p12-pass", "pass:" + PASS, "--provisioning-profile", "{input}"]

    def cms(content):
        src = ctx.path("profile-content.tmp")
        with open(src, "wb") as f:
            f.write(content)
        der = subprocess.run(["openssl", "cms", "-sign", "-in", src, "-signer", ctx.path("cert.pem"),
                              "-inkey", ctx.path("key.pem"), "-outform", "DER", "-nodetach", "-binary"],
                             check=True, capture_output=True).stdout
        os.remove(src)
        return der

    def profile(expiry=datetime.datetime(2030, 1, 1)):
        return {"Name": "hostile", "TeamIdentifier": ["ABCDE12345"],
                "Entitlements": {"application-identifier": "ABCDE12345.com.example.hostile"},
                "ExpirationDate": expiry}

    def rcase(name, data, message, mistake):
        ctx.case(name, "mobileprovision", data, sign_args, 5, message, mistake)

    rcase("profile-not-cms", plistlib.dumps(profile()), "not a CMS-signed",
          "a bare XML plist instead of a CMS-signed profile")
    rcase("profile-100000-nested-ber", b"\x30\x80" * 100_000 + b"\x00\x00" * 100_000, "not a CMS-signed",
          "100,000 nested indefinite-length BER sequences")
    good_profile = cms(plistlib.dumps(profile(), fmt=plistlib.FMT_BINARY))
    rcase("profile-truncated", good_profile[: len(good_profile) // 2], "not a CMS-signed",
          "a signed profile cut in half")
    tampered = bytearray(good_profile)
    at = tampered.index(b"hostile")
    tampered[at] ^= 0x20
    rcase("profile-content-tampered", bytes(tampered), "does not verify",
          "one byte of the signed plist changed after signing")
    binary = plistlib.dumps(profile(), fmt=plistlib.FMT_BINARY)
    seconds = (datetime.datetime(2030, 1, 1) - datetime.datetime(2001, 1, 1)).total_seconds()
    date = b"\x33" + struct.pack(">d", seconds)
    rcase("profile-expiration-date-1e300", cms(binary.replace(date, b"\x33" + struct.pack(">d", 1e300))),
          "malformed", "an ExpirationDate 1e300 seconds after 2001 (overflows every time type)")
    deep = (plistlib.dumps(profile())[:-17] + b"<key>X</key>" + b"<array>" * 60_000 + b"</array>" * 60_000
            + b"</dict></plist>\n")
    rcase("profile-plist-60000-nested-arrays", cms(deep), "deeper",
          "a correctly signed profile whose plist nests 60,000 arrays")
    rcase("profile-5mib", lambda f: f.truncate(5 << 20), "too large",
          "a 5 MiB file (profiles are a few KiB)")
