"""App-bundle protobuf lies: nesting, lengths, varints, wire types, in the base manifest
(aapt2's `XmlNode`), `BundleConfig.pb` and `native.pb`, reached through `fuse inspect`.

```text
tag = varint(field << 3 | wire type)   0 varint · 1 fixed64 · 2 length-delimited · 3/4 group · 5 fixed32
XmlNode { element = 1 : XmlElement { ns decl = 1, name = 3, attribute = 4, child = 5 : XmlNode } }
```
A small valid bundle is written here from bytes (upstream field numbers as in
src/aab/proto.rs); each case breaks one thing in it.
"""
import zipfile_raw as z

BAD = 3
ANDROID_NS = "http://schemas.android.com/apk/res/android"


def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def tag(field, wire):
    return varint(field << 3 | wire)


def ld(field, data):
    return tag(field, 2) + varint(len(data)) + data


def vi(field, n):
    return tag(field, 0) + varint(n)


def s(field, text):
    return ld(field, text.encode() if isinstance(text, str) else text)


def attr(name, value=None, ns="", rid=0, prim=None):
    b = (s(1, ns) if ns else b"") + s(2, name)
    if value is not None:
        b += s(3, value)
    if rid:
        b += vi(5, rid)
    if prim is not None:
        b += ld(6, ld(7, vi(6, prim)))  # Item.prim.int_decimal_value
    return b


def element(name, attrs=(), children=(), ns_decl=False, extra=b""):
    b = ld(1, s(1, "android") + s(2, ANDROID_NS)) if ns_decl else b""
    b += s(3, name)
    for a in attrs:
        b += ld(4, a)
    for c in children:
        b += ld(5, c)
    return ld(1, b + extra)  # XmlNode.element


def manifest(extra=b"", name="manifest"):
    return element(name, [attr("package", "com.example.hostile")],
                   [element("uses-sdk", [attr("minSdkVersion", "21", ANDROID_NS, 0x0101020C, 21)]),
                    element("application")], ns_decl=True, extra=extra)


BUNDLE_CONFIG = ld(1, s(2, "1.18.1"))  # BundleConfig.bundletool.version


def bundle(man=None, config=BUNDLE_CONFIG, native=None):
    entries = [z.Entry("BundleConfig.pb", config),
               z.Entry("base/manifest/AndroidManifest.xml", manifest() if man is None else man),
               z.Entry("base/dex/classes.dex", b"dex\n035\0" + bytes(104))]
    if native is not None:
        entries.append(z.Entry("base/lib/arm64-v8a/libx.so", b"\x7fELF" + bytes(60)))
        entries.append(z.Entry("base/native.pb", native))
    return z.build(entries)


def nested_children(depth):
    """XmlNode{element{name "a", child{XmlNode{...}}}} `depth` levels deep, built inside
    out with the lengths computed, not by re-copying (a few hundred KB)."""
    parts, length = [], 0
    name = s(3, "a")
    for _ in range(depth):
        # child (field 5) wraps the inner node; element (field 1) wraps name + child.
        child_hdr = tag(5, 2) + varint(length)
        el_len = len(name) + len(child_hdr) + length
        el_hdr = tag(1, 2) + varint(el_len)
        parts.append(el_hdr + name + child_hdr)
        length = len(el_hdr) + el_len
    return b"".join(reversed(parts))


def generate(ctx):
    def case(name, data, message, mistake):
        ctx.case(name, "aab", data, ["inspect", "{input}"], BAD, message, mistake)

    good = manifest()
    case("aab-manifest-100000-nested-elements", bundle(nested_children(100_000)), "AndroidManifest.xml",
         "XmlNode → element → child 100,000 levels deep (a recursive decoder overflows its stack)")
    groups = tag(15, 3) * 100_000 + tag(15, 4) * 100_000
    case("aab-manifest-100000-nested-groups", bundle(manifest(extra=groups)), "AndroidManifest.xml",
         "an unknown field 15 as 100,000 nested deprecated START_GROUPs (skipping them recurses)")
    case("aab-manifest-length-past-end", bundle(tag(1, 2) + varint(0x0FFFFFFF) + good[2:]),
         "AndroidManifest.xml", "the root element's length claims 256 MiB in a 200-byte file")
    case("aab-manifest-length-11-byte-varint", bundle(tag(1, 2) + b"\xff" * 10 + b"\x01" + good[2:]),
         "AndroidManifest.xml", "a length varint 11 bytes long (at most 10 encode a u64)")
    case("aab-manifest-truncated-varint", bundle(good[:1] + b"\xff\xff\xff"), "AndroidManifest.xml",
         "the file ends inside a varint")
    case("aab-manifest-field-number-zero", bundle(vi(0, 1) + good), "AndroidManifest.xml",
         "a tag with field number 0 (invalid in protobuf)")
    case("aab-manifest-wire-type-7", bundle(tag(1, 7) + good[1:]), "AndroidManifest.xml",
         "the root element tagged with wire type 7, which does not exist")
    case("aab-manifest-end-group-without-start", bundle(good + tag(9, 4)), "AndroidManifest.xml",
         "an END_GROUP tag with no group open")
    case("aab-manifest-name-not-utf8", bundle(manifest(name=b"mani\xfffest")), "AndroidManifest.xml",
         "the root element's name is not UTF-8")
    inner = element("application", [ld(4, b"")])
    lying = inner[:-1] + b"\x7f"  # the empty attribute's length now claims 127 bytes
    case("aab-manifest-attribute-length-past-element",
         bundle(element("manifest", [attr("package", "com.example.hostile")], [lying], ns_decl=True)),
         "AndroidManifest.xml", "an attribute whose length runs past its element")
    case("aab-bundle-config-length-past-end", bundle(config=tag(1, 2) + varint(1 << 30)), "BundleConfig.pb",
         "BundleConfig.pb's bundletool message claims 1 GiB")
    case("aab-bundle-config-100000-nested-groups", bundle(config=tag(7, 3) * 100_000 + tag(7, 4) * 100_000),
         "BundleConfig.pb", "100,000 nested groups in BundleConfig.pb")
    case("aab-native-pb-length-lie", bundle(native=tag(1, 2) + varint(0x7F) + s(1, "lib/arm64-v8a")),
         "native.pb", "base/native.pb's directory entry claims more bytes than the file has")

    ctx.seed("aab_manifest", "valid-manifest", good)
