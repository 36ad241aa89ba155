//! The object identifiers the `enforce` checks and the name scan look at.

use der::oid::ObjectIdentifier as Oid;

// Public-key algorithms (RFC 3279, RFC 4055, RFC 5480).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");

// Named curves (RFC 5480) and their field sizes.
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");

/// Signature algorithms whose hash is MD2/MD4/MD5 or SHA-1, with a readable name.
pub const WEAK_SIGNATURES: [(Oid, &str); 9] = [
    (
        Oid::new_unwrap("1.2.840.113549.1.1.2"),
        "md2WithRSAEncryption",
    ),
    (
        Oid::new_unwrap("1.2.840.113549.1.1.3"),
        "md4WithRSAEncryption",
    ),
    (
        Oid::new_unwrap("1.2.840.113549.1.1.4"),
        "md5WithRSAEncryption",
    ),
    (
        Oid::new_unwrap("1.2.840.113549.1.1.5"),
        "sha1WithRSAEncryption",
    ),
    (Oid::new_unwrap("1.2.840.10045.4.1"), "ecdsa-with-SHA1"),
    (Oid::new_unwrap("1.2.840.10040.4.3"), "dsa-with-sha1"),
    (
        Oid::new_unwrap("1.3.14.3.2.29"),
        "sha1WithRSASignature (OIW)",
    ),
    (Oid::new_unwrap("1.3.14.3.2.3"), "md5WithRSA (OIW)"),
    (Oid::new_unwrap("1.3.14.3.2.27"), "dsaWithSHA1 (OIW)"),
];

// Hash algorithms inside RSASSA-PSS parameters (RFC 4055: the default is SHA-1).
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");

// Name attributes scanned for interception tools.
pub const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
pub const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
pub const ORGANIZATIONAL_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
