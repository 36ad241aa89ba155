//! `minSdkVersion` of an APK's binary manifest, through `crate::axml` (absent → 1, as
//! apksig assumes). It decides v1 and the v1 digest algorithm.

use crate::axml::{Document, read_facts};

pub fn min_sdk_version(manifest: &[u8]) -> Result<u32, crate::axml::Error> {
    let doc = Document::decode(manifest)?;
    Ok(read_facts(&doc)?.min_sdk)
}
