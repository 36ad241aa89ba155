"""APK Signing Block lies, made by mutating an APK apksigner really signed (v1+v2+v3).

```text
u64 size · { u64 len · u32 id · value }* · u64 size · "APK Sig Block 42"
v2/v3 value: lp( lp(signer)* ),  signer: lp(signed data) [v3: u32 min, u32 max] lp(signatures) lp(public key)
```
Rule used for the expected exit codes: a block whose *structure* lies (sizes, lengths,
duplicate ids, more signers than apksig's limit of 10) is a malformed package (3); a
well-formed block whose signatures do not hold or were stripped fails verification (6).
"""
import struct

import zipfile_raw as z

V2 = 0x7109871A
V3 = 0xF05368C0
PADDING = 0x42726577
MAGIC = b"APK Sig Block 42"


def pairs_of(block):
    out, pos, end = [], 8, len(block) - 24
    while pos < end:
        n, pid = struct.unpack_from("<QI", block, pos)
        out.append((pid, block[pos + 12: pos + 8 + n]))
        pos += 8 + n
    return out


def block_of(pairs, pad_to_page=True):
    body = b"".join(struct.pack("<QI", 4 + len(v), pid) + v for pid, v in pairs)
    size = 8 + len(body) + 8 + 16
    if pad_to_page and size % 4096:
        pad = 4096 - size % 4096
        if pad < 12:
            pad += 4096
        body += struct.pack("<QI", pad - 8, PADDING) + bytes(pad - 12)
    field = struct.pack("<Q", len(body) + 24)
    return field + body + field + MAGIC


def lp(b):
    return struct.pack("<I", len(b)) + b


def lp_items(b):
    out, pos = [], 0
    while pos < len(b):
        n = struct.unpack_from("<I", b, pos)[0]
        out.append(b[pos + 4: pos + 4 + n])
        pos += 4 + n
    return out


def generate(ctx):
    signed = ctx.signed_apk(21)       # v1 + v2 + v3
    signed24 = ctx.signed_apk(24)     # v2 + v3 (apksigner drops v1 from API 24)
    head, block, cd, end = z.split(signed)
    pairs = [(i, v) for i, v in pairs_of(block) if i != PADDING]
    ids = [i for i, _ in pairs]
    assert V2 in ids and V3 in ids, ids

    def case(name, data, exit, message, mistake):
        ctx.case(name, "apk", data, "verify", exit, message, mistake)

    def with_pairs(new_pairs, pad=True):
        return z.join(head, block_of(new_pairs, pad), cd, end)

    def value(pid):
        return next(v for i, v in pairs if i == pid)

    # Sizes.
    b = bytearray(block)
    struct.pack_into("<Q", b, len(b) - 24, 1 << 40)
    struct.pack_into("<Q", b, 0, 1 << 40)
    case("sigblock-size-points-before-file", z.join(head, bytes(b), cd, end), 3, "APK Signing Block",
         "both size fields claim 1 TiB")
    b = bytearray(block)
    struct.pack_into("<Q", b, 0, len(block) - 16)
    case("sigblock-size-fields-differ", z.join(head, bytes(b), cd, end), 3, "disagree",
         "the leading size field differs from the trailing one")
    body = block_of(pairs)
    b = bytearray(body)
    struct.pack_into("<Q", b, 8, 1 << 62)
    case("sigblock-pair-length-past-block", z.join(head, bytes(b), cd, end), 3, "APK Signing Block",
         "the first pair's length runs 2^62 bytes past the block")
    b = bytearray(body)
    struct.pack_into("<Q", b, 8, 2)
    case("sigblock-pair-length-below-id", z.join(head, bytes(b), cd, end), 3, "APK Signing Block",
         "a pair length of 2, shorter than its own id")
    # Found by fuzz/apk_signing_block (crash-9ad4e284…, 2026-11-23): pairs that stop 4
    # bytes short of the trailer underflowed `pairs_end - pos - 8` (a panic with overflow
    # checks, a garbage length without).
    stray = block_of(pairs, pad_to_page=False)
    stray = struct.pack("<Q", len(stray) - 8 + 4) + stray[8:-24] + b"\x01\x02\x03\x04" \
        + struct.pack("<Q", len(stray) - 8 + 4) + MAGIC
    case("sigblock-pairs-end-in-4-stray-bytes", z.join(head, stray, cd, end), 3, "APK Signing Block",
         "4 bytes after the last pair, too few for another pair header (fuzz crash regression)")
    case("sigblock-320mib-of-padding", sparse_block(head, pairs, cd, end, 320 << 20), 3,
         "APK Signing Block",
         "the real v2/v3 pairs plus 320 MiB of padding (a sparse file): a reader must not load it into memory")

    # Ids.
    case("sigblock-duplicate-v2-block", with_pairs([(V2, value(V2))] + pairs), 3, "twice",
         "two v2 blocks: Android reads the first, a careless verifier the last")
    case("sigblock-duplicate-v3-block", with_pairs(pairs + [(V3, value(V3))]), 3, "twice",
         "two v3 blocks")

    # Signers.
    signers = lp_items(lp_items(value(V2))[0])
    eleven = lp(b"".join(lp(signers[0]) for _ in range(11)))
    case("sigblock-v2-11-signers", with_pairs([(V2 if i == V2 else i, eleven if i == V2 else v) for i, v in pairs]),
         3, "signers", "eleven copies of a valid signer; apksig allows at most 10")
    sig = signers[0]
    signed_data = lp_items(sig)[0]
    truncated_signer = lp(lp(lp(signed_data)[: len(signed_data) // 2]))
    case("sigblock-v2-signer-truncated", with_pairs([(i, truncated_signer if i == V2 else v) for i, v in pairs]),
         3, "truncated", "a v2 signer record cut in half (its lengths run past the block)")
    case("sigblock-v2-no-signers", with_pairs([(i, lp(b"") if i == V2 else v) for i, v in pairs]),
         3, "no signers", "a v2 block with an empty signer list")

    # Stripping and tampering: well-formed, cryptographically wrong.
    case("sigblock-v2-stripped-v3-present", with_pairs([(i, v) for i, v in pairs if i != V2]), 6,
         "stripping protection", "the v2 block removed from a v1+v2+v3 APK (v1 names v2)")
    h24, b24, cd24, end24 = z.split(signed24)
    p24 = [(i, v) for i, v in pairs_of(b24) if i != PADDING]
    case("sigblock-v2-stripped-v3-only-min24", z.join(h24, block_of([(i, v) for i, v in p24 if i != V2]), cd24, end24),
         6, "v2 signature", "the v2 block removed from a v2+v3 APK whose minSdk (24) predates v3 (28)")
    case("sigblock-v3-stripped-v2-present", with_pairs([(i, v) for i, v in pairs if i != V3]), 6,
         "stripping protection", "the v3 block removed; v2's stripping-protection attribute names v3")
    case("sigblock-content-tampered-after-signing", tamper(signed, "resources.arsc"), 6, "content digest",
         "one byte of a signed (stored) entry changed after signing, its CRC-32 fixed up to match")


def tamper(apk, name):
    """Flips a byte of stored entry `name` and rewrites its CRC-32 in both headers, so
    the ZIP stays consistent and only the signatures can notice."""
    import io
    import zipfile
    import zlib
    info = zipfile.ZipFile(io.BytesIO(apk)).getinfo(name)
    assert info.compress_type == 0, name
    b = bytearray(apk)
    lh = info.header_offset
    n, m = struct.unpack_from("<HH", b, lh + 26)
    data_at = lh + 30 + n + m
    b[data_at + 10] ^= 0xFF
    crc = zlib.crc32(bytes(b[data_at:data_at + info.compress_size]))
    struct.pack_into("<I", b, lh + 14, crc)
    pos = struct.unpack_from("<I", b, b.rfind(b"PK\x05\x06") + 16)[0]
    while b[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", b, pos + 28)
        if bytes(b[pos + 46: pos + 46 + n]) == name.encode():
            struct.pack_into("<I", b, pos + 16, crc)
        pos += 46 + n + m + k
    return bytes(b)


def sparse_block(head, pairs, cd, end, size):
    """A writer for an APK whose signing block is `size` bytes: the real pairs, then one
    padding pair whose value is a hole in a sparse file, so the case costs no disk."""
    def write(f):
        f.write(head)
        body = b"".join(struct.pack("<QI", 4 + len(v), pid) + v for pid, v in pairs)
        pad = size - 8 - len(body) - 24  # the padding pair, header included
        f.write(struct.pack("<Q", size - 8) + body + struct.pack("<QI", pad - 8, PADDING))
        f.seek(len(head) + size - 24)
        f.write(struct.pack("<Q", size - 8) + MAGIC)
        e = bytearray(end)
        struct.pack_into("<I", e, 16, len(head) + size)
        f.write(cd + bytes(e))
    return write
