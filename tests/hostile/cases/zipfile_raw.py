"""A byte-level ZIP writer whose every field can be made to lie.

```text
| local header + name + extra + data | ... | [APK Signing Block] | central directory | EOCD + comment |
```
No zip library: each hostile case must break exactly the rule it is named after, and a
library would refuse to write (or silently repair) most of them.
"""
import struct
import zlib

LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
EOCD_SIG = 0x06054B50
ZIP64_EOCD_SIG = 0x06064B50
ZIP64_LOCATOR_SIG = 0x07064B50

DOS_TIME = 0
DOS_DATE = 0x21  # 1980-01-01


def deflate(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Entry:
    """One entry. Every attribute may be overridden after construction to make it lie."""

    def __init__(self, name, data=b"x" * 64, method=8):
        self.name = name.encode() if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.payload = deflate(data) if method == 8 else data
        self.crc = zlib.crc32(data)
        self.csize = len(self.payload)
        self.usize = len(data)
        self.flags = 0
        self.local_extra = b""
        self.cd_extra = b""
        # Local-header overrides (None = same as the central record).
        self.local_name = None
        self.local_method = None
        self.local_crc = None
        self.local_csize = None
        self.local_usize = None
        self.local_name_len = None
        self.local_extra_len = None
        # Central-record overrides.
        self.made_by = 20         # 0x03xx = Unix, whose external attributes carry st_mode
        self.external_attr = 0
        self.offset = None
        self.cd_name_len = None
        self.cd_extra_len = None
        # Written after the data when set (bit 3 descriptors).
        self.descriptor = b""

    def local_header(self):
        name = self.name if self.local_name is None else self.local_name
        pick = lambda override, value: value if override is None else override  # noqa: E731
        return struct.pack(
            "<IHHHHHIIIHH", LOCAL_SIG, 20, self.flags, pick(self.local_method, self.method),
            DOS_TIME, DOS_DATE, pick(self.local_crc, self.crc), pick(self.local_csize, self.csize),
            pick(self.local_usize, self.usize), pick(self.local_name_len, len(name)),
            pick(self.local_extra_len, len(self.local_extra)),
        ) + name + self.local_extra

    def central_record(self, offset):
        off = offset if self.offset is None else self.offset
        return struct.pack(
            "<IHHHHHHIIIHHHHHII", CENTRAL_SIG, self.made_by, 20, self.flags, self.method, DOS_TIME,
            DOS_DATE, self.crc, self.csize, self.usize,
            len(self.name) if self.cd_name_len is None else self.cd_name_len,
            len(self.cd_extra) if self.cd_extra_len is None else self.cd_extra_len,
            0, 0, 0, self.external_attr, off,
        ) + self.name + self.cd_extra


def eocd(count, cd_size, cd_offset, comment=b"", disk=0, cd_disk=0, on_disk=None,
         comment_len=None):
    return struct.pack(
        "<IHHHHIIH", EOCD_SIG, disk, cd_disk, count if on_disk is None else on_disk, count,
        cd_size, cd_offset, len(comment) if comment_len is None else comment_len,
    ) + comment


def build(entries, prefix=b"", gap=b"", before_cd=b"", comment=b"", count=None, cd_tail=b"",
          eocd_fields=None, tail=b""):
    """The archive bytes. `before_cd` goes where an APK Signing Block sits; `eocd_fields`
    overrides keyword arguments of `eocd`; `tail` is appended after everything."""
    out = bytearray(prefix)
    offsets = []
    for i, e in enumerate(entries):
        if i:
            out += gap
        offsets.append(len(out))
        out += e.local_header() + e.payload + e.descriptor
    out += before_cd
    cd_offset = len(out)
    for e, off in zip(entries, offsets):
        out += e.central_record(off)
    out += cd_tail
    fields = dict(count=len(entries) if count is None else count, cd_size=len(out) - cd_offset,
                  cd_offset=cd_offset, comment=comment)
    fields.update(eocd_fields or {})
    out += eocd(**fields)
    out += tail
    return bytes(out)


def split(apk):
    """(entries section, signing block or b"", central directory, EOCD+comment) of a
    well-formed archive (the last EOCD signature is taken as the record)."""
    at = apk.rfind(struct.pack("<I", EOCD_SIG))
    cd_size, cd_offset = struct.unpack_from("<II", apk, at + 12)
    head = apk[:cd_offset]
    block = b""
    if head.endswith(b"APK Sig Block 42"):
        size = struct.unpack_from("<Q", head, len(head) - 24)[0]
        block = head[len(head) - size - 8:]
        head = head[: len(head) - size - 8]
    return head, block, apk[cd_offset:cd_offset + cd_size], apk[at:]


def join(head, block, cd, end):
    """Reassembles `split` parts, pointing the EOCD at the central directory's new offset."""
    end = bytearray(end)
    struct.pack_into("<I", end, 16, len(head) + len(block))
    return head + block + cd + bytes(end)
