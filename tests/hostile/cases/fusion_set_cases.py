"""Fusion sets built to cost time or memory (exit 4), and certificate inputs of
`fuse pin` that lie (exit 3, a bad input file). The one-mistake-each catalogue with
golden messages is testdata/fusion-sets/bad; these are the resource-exhaustion cases."""
import json

FUSION_SET = 4
BAD_INPUT = 3

PIN_A = "sha256/" + "A" * 43 + "="
PIN_B = "sha256/" + "B" * 43 + "="


def base(domains=None, **extra):
    doc = {
        "fusionSetId": "hostile-suite",
        "name": "hostile",
        "stage": "staging",
        "CertificatePinning": {
            "detection": True,
            "action": "alert",
            "domains": domains if domains is not None else
            [{"host": "api.example.com", "expires": "2099-01-01", "pins": [PIN_A, PIN_B]}],
        },
    }
    doc.update(extra)
    return doc


def generate(ctx):
    def case(name, data, message, mistake):
        ctx.case(name, "json", data, ["fusion-set", "validate", "{input}"], FUSION_SET, message, mistake)
        ctx.seed("fusion_set", name, data)

    text = lambda doc: json.dumps(doc).encode()  # noqa: E731
    ctx.seed("fusion_set", "valid", text(base()))

    case("fusion-set-100000-nested-arrays", b'{"$comment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "deep", "100,000 nested arrays inside a comment (recursive parsers overflow their stack)")
    case("fusion-set-1mib-of-open-brackets", b"[" * (1 << 20), "fusion set",
         "1 MiB of '[' and nothing else")
    keys = ", ".join(f'"k{i:05d}": 0' for i in range(60_000))
    case("fusion-set-60000-unknown-keys", ("{" + keys + "}").encode(), "problems",
         "60,000 distinct unknown keys in one object (quadratic duplicate-key checks take minutes)")
    dup = [{"host": "api.example.com", "expires": "2099-01-01", "pins": [PIN_A, PIN_B]}] * 1024
    case("fusion-set-1024-duplicate-hosts", text(base(dup)), "problems",
         "the same domain entry 1,024 times, the most a policy holds (every pair compared)")
    case("fusion-set-7000-domains", text(base(dup * 7)), "at most",
         "7,168 domains: refused by count before any per-domain work")
    pins = [f"sha256/{i:x}" for i in range(40_000)]
    case("fusion-set-40000-invalid-pins", text(base([{"host": "a.example.com", "pins": pins}])), "pins",
         "40,000 pins in one domain, none 32 bytes long")
    case("fusion-set-number-1e999999", text(base()).replace(b'"detection": true', b'"detection": 1e999999'),
         "number", "an exponent of 999,999 where a boolean belongs (out of any float's range)")
    case("fusion-set-lone-surrogate-escape", text(base()).replace(b'"hostile"', b'"\\ud800x"', 1),
         "fusion set", "a \\ud800 escape without its low surrogate in a string")
    case("fusion-set-utf16-with-bom", "\ufeff".encode("utf-16-le") + text(base()).decode().encode("utf-16-le"),
         "UTF-8", "the whole file in UTF-16LE with a byte order mark (an editor's 'Unicode')")
    case("fusion-set-nul-bytes", text(base()).replace(b'"hostile"', b'"host\\u0000ile"', 1), "name",
         "a NUL character in the name")

    def big(f):
        f.truncate(320 << 20)
    ctx.case("fusion-set-320mib-file", "json", big, ["fusion-set", "validate", "{input}"], FUSION_SET,
             "at most", "a 320 MiB fusion set (sparse): refused from its size, not read")

    # fuse pin: certificate files.
    ctx.keys()
    cert = open(ctx.path("cert.der"), "rb").read()
    pem = open(ctx.path("cert.pem"), "rb").read()
    key = open(ctx.path("key.pem"), "rb").read()

    def pin(name, ext, data, message, mistake):
        ctx.case(name, ext, data, ["pin", "{input}"], BAD_INPUT, message, mistake)
        ctx.seed("pin_certificates", name, data)

    for name, data in [("valid.der", cert), ("valid.pem", pem), ("bundle.pem", b"text\n" + pem + pem)]:
        ctx.seed("pin_certificates", name, data)

    pin("pin-der-trailing-garbage", "der", cert + b"GARBAGE!", "trailing",
        "a DER certificate followed by 8 stray bytes")
    pin("pin-der-length-lie", "der", b"\x30\x84\x7f\xff\xff\xff" + cert[4:], "certificate",
        "the certificate's outer SEQUENCE claims 2 GiB")
    from key_cases import nested
    pin("pin-der-100000-nested-sequences", "der", nested(0x30, 100_000), "certificate",
        "100,000 nested SEQUENCEs")
    pin("pin-pem-begin-without-end", "pem", pem.split(b"-----END")[0], "END",
        "a PEM block with no END line")
    pin("pin-pem-private-key-only", "pem", key, "PRIVATE KEY",
        "a private key where certificates belong")
    pin("pin-pem-bad-base64", "pem", pem.replace(b"\n", b"\n!", 2), "base64",
        "a '!' inside the base64 body")

    def huge(f):
        f.truncate(320 << 20)
    ctx.case("pin-320mib-certificate-file", "pem", huge, ["pin", "{input}"], BAD_INPUT, "bytes",
             "a 320 MiB certificate file (sparse): refused from its size, not read")
