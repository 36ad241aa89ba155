"""Keystores, key files, certificates and password files that lie (exit 5, signing/key).

The APK being signed is fine (`_support/app.apk`); the case file is the key material.
PKCS#12 iteration counts are rewritten in the DER of a file openssl made, so the
"2^31 iterations" stores are built in milliseconds (openssl would need hours).
"""
import base64
import struct

from context import PASS, run

KEY = 5


def der_items(b):
    """[(tag, content)] of a concatenation of DER TLVs; raises ValueError if b is not one."""
    out, pos = [], 0
    while pos < len(b):
        if pos + 2 > len(b):
            raise ValueError("short")
        tag, n = b[pos], b[pos + 1]
        pos += 2
        if tag & 0x1F == 0x1F:
            raise ValueError("high tag")
        if n & 0x80:
            k = n & 0x7F
            if k == 0 or k > 4 or pos + k > len(b):
                raise ValueError("length")
            n = int.from_bytes(b[pos:pos + k], "big")
            pos += k
        if pos + n > len(b):
            raise ValueError("overrun")
        out.append((tag, b[pos:pos + n]))
        pos += n
    return out


def der_len(n):
    if n < 0x80:
        return bytes([n])
    k = (n.bit_length() + 7) // 8
    return bytes([0x80 | k]) + n.to_bytes(k, "big")


def der(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def der_int(value):
    return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def replace_ints(b, old, new, nested_octets=True):
    """Re-encodes DER `b` with every INTEGER equal to `old` set to `new`, descending into
    constructed values and into OCTET STRINGs that hold DER (PKCS#12 authSafe bags)."""
    out = b""
    for tag, content in der_items(b):
        if tag == 0x02 and int.from_bytes(content, "big", signed=True) == old:
            out += der_int(new)
        elif tag & 0x20:
            out += der(tag, replace_ints(content, old, new, nested_octets))
        elif tag == 0x04 and nested_octets:
            try:
                inner = replace_ints(content, old, new, nested_octets)
                items = der_items(content)
                out += der(tag, inner if items and items[0][0] == 0x30 else content)
            except ValueError:
                out += der(tag, content)
        else:
            out += der(tag, content)
    return out


def generate(ctx):
    ctx.keys()
    p = ctx.path
    with open(p("app.apk"), "wb") as f:
        f.write(ctx.unsigned_apk())
    app = "{support}/app.apk"

    def case(name, ext, data, flags, message, mistake, exit=KEY):
        ctx.case(name, ext, data, ["sign", app, "-o", "{out}/signed.apk", *flags], exit, message,
                 mistake)

    ks = ["--ks", "{input}", "--ks-pass", "pass:" + PASS]
    files = ["--key", "{support}/key.pk8", "--cert", "{input}"]

    # PKCS#12: iteration counts no CI step can afford, refused before any key derivation.
    slow = p("iter54321.p12")
    run("openssl", "pkcs12", "-export", "-inkey", p("key.pem"), "-in", p("cert.pem"), "-name", "slow",
        "-iter", "54321", "-passout", "pass:" + PASS, "-out", slow)
    pfx = der_items(open(slow, "rb").read())[0][1]
    version, auth_safe, mac = der_items(pfx)
    for name, count, message in [("pkcs12-mac-iterations-2pow31", 1 << 31, "keystore"),
                                 ("pkcs12-mac-iterations-2pow31-minus-1", (1 << 31) - 1, "iterations")]:
        mac_data = der(0x30, replace_ints(mac[1], 54321, count))
        case(name, "p12", der(0x30, der(*version) + der(*auth_safe) + mac_data), ks, message,
             f"MacData.iterations = {count} (hours of PBKDF work before the MAC can be checked)")
    run("openssl", "pkcs12", "-export", "-inkey", p("key.pem"), "-in", p("cert.pem"), "-name", "slow",
        "-iter", "54321", "-nomac", "-passout", "pass:" + PASS, "-out", p("nomac.p12"))
    case("pkcs12-kdf-iterations-2pow31-no-mac", "p12",
         replace_ints(open(p("nomac.p12"), "rb").read(), 54321, 1 << 31), ks, "iteration",
         "no MAC; the key bag's PBKDF2 (and the certificates' PBE) ask for 2^31 iterations")
    good = open(p("good.p12"), "rb").read()
    case("pkcs12-truncated", "p12", good[: len(good) // 2], ks, "keystore",
         "a PKCS#12 cut in half")
    case("pkcs12-length-lie", "p12", b"\x30\x84\x7f\xff\xff\xff" + good[4:], ks, "keystore",
         "the outer SEQUENCE claims 2 GiB")
    case("pkcs12-nested-sequences", "p12", nested(0x30, 100_000), ks, "keystore",
         "100,000 nested SEQUENCEs (a recursive DER reader overflows its stack)")
    case("pkcs12-wrong-password", "p12", good, ["--ks", "{input}", "--ks-pass", "pass:not-the-password"],
         "password", "the right store with a wrong password")

    # JKS (keytool's legacy format): counts and lengths that lie.
    jks = open(p("good.jks"), "rb").read()
    alias_len = struct.unpack_from(">H", jks, 16)[0]
    key_len_at = 16 + 2 + alias_len + 8
    key_len = struct.unpack_from(">I", jks, key_len_at)[0]
    chain_at = key_len_at + 4 + key_len

    def jks_patch(fmt, at, value):
        b = bytearray(jks)
        struct.pack_into(fmt, b, at, value)
        return bytes(b)

    case("jks-entry-count-2pow31", "jks", jks_patch(">I", 8, 0x7FFFFFFF), ks, "keystore",
         "an entry count of 2^31 - 1")
    case("jks-key-length-past-file", "jks", jks_patch(">I", key_len_at, 0x7FFFFFF0), ks, "keystore",
         "the protected key's length claims 2 GiB")
    case("jks-chain-length-2pow31", "jks", jks_patch(">I", chain_at, 0x7FFFFFFF), ks, "keystore",
         "a certificate chain of 2^31 - 1 certificates")
    case("jks-alias-length-past-file", "jks", jks_patch(">H", 16, 0xFFFF), ks, "keystore",
         "the alias length runs past the file")
    case("jks-truncated", "jks", jks[: len(jks) - 30], ks, "keystore", "a JKS cut before its digest")

    # Certificates and keys given as files.
    cert = open(p("cert.der"), "rb").read()
    pem = open(p("cert.pem"), "rb").read()
    case("cert-der-trailing-garbage", "der", cert + b"\x00garbage", files, "certificate",
         "a DER certificate followed by 8 stray bytes")
    body = base64.encodebytes(cert + b"\xde\xad\xbe\xef").replace(b"\n", b"")
    lines = b"\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    case("cert-pem-der-trailing-garbage", "pem",
         b"-----BEGIN CERTIFICATE-----\n" + lines + b"\n-----END CERTIFICATE-----\n", files,
         "certificate", "a PEM certificate whose DER has 4 stray bytes after it")
    case("cert-der-length-lie", "der", b"\x30\x84\x7f\xff\xff\xff" + cert[4:], files, "certificate",
         "the certificate's outer SEQUENCE claims 2 GiB")
    case("cert-pem-unterminated", "pem", pem.replace(b"-----END CERTIFICATE-----", b""), files,
         "certificate", "a PEM block with no END line")
    key = open(p("key.pk8"), "rb").read()
    case("key-pk8-trailing-garbage", "pk8", key + b"\x05\x00",
         ["--key", "{input}", "--cert", "{support}/cert.pem"], "key", "a PKCS#8 key followed by stray bytes")
    case("key-pk8-nested-sequences", "pk8", nested(0x30, 100_000),
         ["--key", "{input}", "--cert", "{support}/cert.pem"], "key", "100,000 nested SEQUENCEs as a key")

    # A password file that never ends a line: only a bounded prefix may be read.
    def endless(f):
        f.truncate(320 << 20)
    ctx.case("password-file-320mib-without-newline", "txt", endless,
             ["sign", app, "-o", "{out}/signed.apk", "--ks", "{support}/good.p12", "--ks-pass", "file:{input}"],
             KEY, "password", "a 320 MiB password file (sparse zeros, no line end)")


def nested(tag, depth):
    """`depth` nested constructed TLVs (a few hundred KB), headers computed inside out."""
    headers, length = [], 0
    for _ in range(depth):
        h = bytes([tag]) + der_len(length)
        headers.append(h)
        length += len(h)
    return b"".join(reversed(headers))
