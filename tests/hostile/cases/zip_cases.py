"""ZIP container lies (DESIGN §8): structure, names, sizes, bombs, ZIP64."""
import struct
import zlib

import zipfile_raw as z
from context import base_entries

BAD = 3


def generate(ctx):
    def case(name, data, message, mistake, command="verify"):
        ctx.case(name, "apk", data, command, BAD, message, mistake)

    good = z.build(base_entries())

    # --- whole-file shape -------------------------------------------------------------
    case("zip-empty-file", b"", "it is empty", "a zero-byte file")
    case("zip-text-file", b"this is not an archive\n" * 40, "not a ZIP",
         "a text file with an .apk name")
    case("zip-truncated-in-central-directory", good[: len(good) - 40],
         "no end-of-central-directory record", "the file is cut inside the central directory")
    case("zip-no-entries", z.build([]), "no entries", "a valid empty archive")
    case("zip-no-manifest", z.build([z.Entry("classes.dex"), z.Entry("res/a.xml")]),
         "neither an APK", "a ZIP without AndroidManifest.xml, an AAB or an IPA layout")

    # --- end record / central directory ------------------------------------------------
    case("zip-eocd-comment-length-past-eof", z.build(base_entries(), eocd_fields={"comment_len": 500}),
         "end-of-central-directory", "the EOCD comment length runs past the end of the file")
    fake = struct.pack("<IHHHHIIH", z.EOCD_SIG, 0, 0, 1, 1, 46, 0, 0)
    case("zip-fake-eocd-in-comment", z.build(base_entries(), comment=b"note" + fake + b"!!"),
         "fake EOCD", "a second end record hidden in the archive comment")
    case("zip-cd-offset-past-eof", z.build(base_entries(), eocd_fields={"cd_offset": 0x7FFFFFF0}),
         "central directory", "the EOCD points the central directory past the end of the file")
    case("zip-cd-size-lie", z.build(base_entries(), eocd_fields={"cd_size": 0x00FFFFFF}),
         "central directory", "the EOCD claims a 16 MiB central directory")
    case("zip-entry-count-lie-high", z.build(base_entries(), count=9),
         "central directory", "the EOCD counts more entries than the central directory holds")
    case("zip-entry-count-lie-low", z.build(base_entries(), count=1),
         "entry count lie", "the EOCD counts fewer entries than the central directory holds")
    case("zip-multi-disk", z.build(base_entries(), eocd_fields={"disk": 3, "cd_disk": 3}),
         "multi-disk", "a spanned (multi-disk) archive")
    e = base_entries()
    e[1].cd_name_len = 0xFFFF
    case("zip-cd-name-length-past-directory", z.build(e), "central directory",
         "a central record's name length runs past the directory")
    e = base_entries()
    e[1].cd_extra_len = 0x8000
    case("zip-cd-extra-length-past-directory", z.build(e), "central directory",
         "a central record's extra-field length runs past the directory")
    case("zip-cd-garbage-record", z.build(base_entries(), cd_tail=b"PK\x01\x03" + bytes(60), count=3),
         "central directory", "bytes that are not a central record inside the directory")

    # --- ZIP64 -------------------------------------------------------------------------
    loc = struct.pack("<IIQI", z.ZIP64_LOCATOR_SIG, 0, 1 << 40, 1)
    sentinel = {"count": 0xFFFF, "cd_size": 0xFFFFFFFF, "cd_offset": 0xFFFFFFFF}
    case("zip64-eocd-locator-outside-file",
         z.build(base_entries(), cd_tail=loc, eocd_fields=sentinel), "ZIP64",
         "a ZIP64 locator pointing 1 TiB past the end of the file, sentinels in the EOCD")
    e = base_entries()
    e[1].cd_extra = struct.pack("<HHQQ", 1, 16, 1 << 62, 1 << 62)
    e[1].csize = e[1].usize = 0xFFFFFFFF
    case("zip64-extra-field-size-lie", z.build(e), "ZIP64",
         "a ZIP64 extra field declaring 4 EiB for an entry")

    # --- local headers -------------------------------------------------------------------
    e = base_entries()
    e[1].local_name = b"classes.xex"
    case("zip-local-name-differs", z.build(e), "different file",
         "the local header names another file than the central record")
    e = base_entries()
    e[1].local_extra_len = 0xFFFF
    case("zip-local-extra-length-past-eof", z.build(e), "local header",
         "a local header's extra length runs over the next entry")
    e = base_entries()
    e[0].local_usize = 0x7FFFFFFF
    case("zip-local-size-differs", z.build(e), "CRC-32 or sizes",
         "the local header declares another size than the central record")

    # --- layout: gaps and overlaps -------------------------------------------------------
    case("zip-data-before-first-entry", z.build(base_entries(), prefix=b"MZ\x90\x00" + bytes(60)),
         "before the first entry", "an executable stub in front of the first entry")
    case("zip-gap-between-entries", z.build(base_entries(), gap=b"<hidden payload>"),
         "gap can hide content", "unaccounted bytes between two entries")
    inner = z.Entry("evil.bin", b"evil", method=0)
    outer = z.Entry("AndroidManifest.xml", base_entries()[0].data + inner.local_header() + b"evil",
                    method=0)
    inner.offset = 30 + len(outer.name) + len(base_entries()[0].data)
    case("zip-overlapping-entries", z.build([outer, inner]), "overlaps",
         "an entry's local header hides inside another (stored) entry's data")

    # --- compression, encryption, names --------------------------------------------------
    e = base_entries()
    e[1].method = e[1].local_method = 14  # LZMA: never in an APK
    case("zip-unknown-compression-method", z.build(e), "compression method",
         "LZMA (method 14), which Android cannot read")
    e = base_entries()
    e[1].flags = 1
    case("zip-encrypted-entry", z.build(e), "encrypted", "the encryption flag on classes.dex")
    for name, entry_name, message in [
        ("zip-name-path-traversal", "assets/../../../data/evil.so", "path traversal"),
        ("zip-name-absolute", "/system/lib/evil.so", "absolute path"),
        ("zip-name-backslash", "lib\\arm64-v8a\\evil.so", "backslash"),
        ("zip-name-nul-byte", b"lib/evil.so\x00.png", "NUL"),
        ("zip-name-not-utf8", b"assets/\xc0\xaf.txt", "not UTF-8"),
        ("zip-name-duplicate", "classes.dex", "occurs twice"),
        ("zip-name-case-fold-duplicate", "CLASSES.dex", "letter case"),
    ]:
        case(name, z.build(base_entries() + [z.Entry(entry_name)]), message,
             f"an entry named {entry_name!r}")
    case("zip-name-too-long", z.build(base_entries() + [z.Entry("a/" * 4000 + "x")]),
         "name", "an 8 KB entry name")

    # --- zip bombs and size lies -----------------------------------------------------------
    zeros = z.deflate(bytes(32 << 20))
    bomb = z.Entry("assets/zeros.bin", b"")
    bomb.payload, bomb.csize, bomb.usize, bomb.crc = zeros, len(zeros), 32 << 20, zlib.crc32(bytes(32 << 20))
    case("zip-bomb-high-ratio", z.build(base_entries() + [bomb]), "zip bomb",
         "32 MiB of zeros deflated to 32 KiB (ratio ~1000:1)")
    case("zip-bomb-overlapping-entries", overlapping_bomb(), "overlaps",
         "a Fifield-style bomb: 200 central records whose data all reach one shared deflate kernel")
    parts = base_entries()
    for i in range(3):
        p = z.Entry(f"assets/part{i}.bin", bytes(range(256)) * 64, method=0)
        p.usize = p.csize = 0xFFFFFFF0  # each declares ~4 GiB
        parts.append(p)
    case("zip-bomb-total-declared-size", z.build(parts), "zip bomb",
         "three entries declaring ~4 GiB each (12 GiB in total)")
    big = z.Entry("assets/huge.bin", b"tiny")
    big.usize = 0xFFFFFFFE
    case("zip-entry-declares-4gib", z.build(base_entries() + [big]), "zip bomb",
         "a 6-byte deflated entry declaring 4 GiB - 2 uncompressed")
    big = z.Entry("assets/huge.bin", b"tiny", method=0)
    big.usize = big.csize = 0xF0000000
    case("zip-stored-entry-declares-3gib", z.build(base_entries() + [big]), "assets/huge.bin",
         "a stored entry declaring 3.75 GiB of data in a 1 KB file")
    tiny = [z.Entry(f"t/{i:06d}", b"", method=0) for i in range(100_000)]
    case("zip-100000-tiny-entries", z.build(base_entries() + tiny, count=(len(tiny) + 3) & 0xFFFF), "entry count lie",
         "100,000 empty entries: the 16-bit EOCD count wraps to 34,467")

    lie = z.Entry("assets/data.bin", b"A" * 4096)
    lie.usize = lie.local_usize = 100
    case("zip-inflates-past-declared-size", z.build(base_entries() + [lie]), "inflates to more than",
         "deflated data that inflates to 4,096 bytes where 100 are declared", "sign")
    short = z.Entry("assets/data.bin", b"A" * 100)
    short.usize = short.local_usize = 5000
    short.crc = short.local_crc = zlib.crc32(b"A" * 100)
    case("zip-inflates-short-of-declared-size", z.build(base_entries() + [short]), "not its declared",
         "deflated data that inflates to 100 bytes where 5,000 are declared", "sign")
    bad = z.Entry("assets/data.bin", b"B" * 300)
    bad.crc = 0xDEADBEEF
    case("zip-crc-mismatch", z.build(base_entries() + [bad]), "CRC-32",
         "an entry whose data does not match its CRC-32", "sign")
    cut = z.Entry("assets/data.bin", bytes(range(256)) * 40)
    cut.payload = cut.payload[: len(cut.payload) // 2]
    cut.csize = len(cut.payload)
    case("zip-truncated-deflate-stream", z.build(base_entries() + [cut]), "deflate",
         "a deflate stream cut in half", "sign")
    junk = z.Entry("assets/data.bin", b"", method=8)
    junk.payload = b"\xff" * 64
    junk.csize, junk.usize, junk.crc = 64, 64, 0
    case("zip-invalid-deflate-data", z.build(base_entries() + [junk]), "deflate",
         "bytes that are not a deflate stream (reserved block type)", "sign")
    st = z.Entry("assets/data.bin", b"C" * 64, method=0)
    st.usize = st.local_usize = 65
    case("zip-stored-sizes-differ", z.build(base_entries() + [st]), "sizes differ",
         "a stored entry whose compressed and uncompressed sizes differ", "sign")


def overlapping_bomb():
    """Fifield's non-recursive bomb in miniature: central records 0..N-1 each point at
    their own local header, but entry i's deflate data is a stored block quoting the
    local header of entry i+1, then the next quote... and finally one shared kernel, so
    every entry's data overlaps every later entry."""
    n = 200
    kernel = z.deflate(bytes(1 << 20))
    names = [f"assets/b{i:03d}".encode() for i in range(n)]
    crc = zlib.crc32(bytes(1 << 20))
    # Build back to front: data_i = quote(header_{i+1}) + data_{i+1}; the last is the kernel.
    datas = [b""] * n
    headers = [b""] * n
    datas[n - 1] = kernel
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            h = headers[i + 1]
            quote = b"\x00" + struct.pack("<HH", len(h), len(h) ^ 0xFFFF) + h
            datas[i] = quote + datas[i + 1]
        headers[i] = struct.pack("<IHHHHHIIIHH", z.LOCAL_SIG, 20, 0, 8, 0, 0x21, crc,
                                 len(datas[i]), 1 << 20, len(names[i]), 0) + names[i]
    out = bytearray()
    offsets = []
    out += headers[0]
    offsets.append(0)
    pos = len(headers[0])
    for i in range(1, n):
        pos += 5  # the quote's stored-block header
        offsets.append(pos)
        pos += len(headers[i])
    out += datas[0]
    cd_offset = len(out)
    for i in range(n):
        out += struct.pack("<IHHHHHHIIIHHHHHII", z.CENTRAL_SIG, 20, 20, 0, 8, 0, 0x21, crc,
                           len(datas[i]), 1 << 20, len(names[i]), 0, 0, 0, 0, 0, offsets[i])
        out += names[i]
    out += z.eocd(n, len(out) - cd_offset, cd_offset)
    return bytes(out)
