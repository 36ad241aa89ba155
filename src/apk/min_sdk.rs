//! Just enough binary XML to read `minSdkVersion` from `AndroidManifest.xml`.
//!
//! ```text
//! chunk: u16 type · u16 header size · u32 size
//! 0x0003 XML ⊃ 0x0001 string pool · 0x0180 resource map (u32 id per string index)
//!            · 0x0102 start element: header(16) · ns · name · u16 attrStart · u16 attrSize
//!              · u16 count · ...; attribute = ns · name · raw · u16 size · u8 0 · u8 type · u32 data
//! ```
//! The attribute is found by its resource id (0x0101020c), as the platform does, so
//! obfuscated attribute names do not matter. A stand-in until `crate::axml` lands; keep
//! it this small so it can be swapped for it.

const RES_XML: u16 = 0x0003;
const RES_XML_RESOURCE_MAP: u16 = 0x0180;
const RES_XML_START_ELEMENT: u16 = 0x0102;
const ATTR_MIN_SDK_VERSION: u32 = 0x0101_020c;
const TYPE_INT_DEC: u8 = 0x10;
const TYPE_INT_HEX: u8 = 0x11;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// `Ok(None)` when the manifest declares no minSdkVersion (Android then assumes 1).
pub fn min_sdk_version(axml: &[u8]) -> Result<Option<u32>, &'static str> {
    if u16_at(axml, 0) != Some(RES_XML) {
        return Err("it is not binary XML");
    }
    let header = usize::from(u16_at(axml, 2).ok_or("truncated header")?);
    let total = (u32_at(axml, 4).ok_or("truncated header")? as usize).min(axml.len());
    let mut pos = header;
    let mut resource_ids: &[u8] = &[];
    while pos + 8 <= total {
        let kind = u16_at(axml, pos).ok_or("truncated chunk")?;
        let head = usize::from(u16_at(axml, pos + 2).ok_or("truncated chunk")?);
        let size = u32_at(axml, pos + 4).ok_or("truncated chunk")? as usize;
        if size < 8 || head > size || pos + size > total {
            return Err("a chunk size points outside the document");
        }
        let chunk = axml.get(pos..pos + size).ok_or("truncated chunk")?;
        match kind {
            RES_XML_RESOURCE_MAP => resource_ids = chunk.get(head..).unwrap_or_default(),
            RES_XML_START_ELEMENT => {
                let ext = head;
                let attr_start = usize::from(u16_at(chunk, ext + 8).ok_or("truncated element")?);
                let attr_size = usize::from(u16_at(chunk, ext + 10).ok_or("truncated element")?);
                let count = usize::from(u16_at(chunk, ext + 12).ok_or("truncated element")?);
                if attr_size < 20 {
                    return Err("attribute records are too small");
                }
                for i in 0..count {
                    let at = ext + attr_start + i * attr_size;
                    let name =
                        u32_at(chunk, at + 4).ok_or("attribute outside its element")? as usize;
                    let id = u32_at(resource_ids, name * 4);
                    if id != Some(ATTR_MIN_SDK_VERSION) {
                        continue;
                    }
                    let kind = *chunk.get(at + 15).ok_or("attribute outside its element")?;
                    let data = u32_at(chunk, at + 16).ok_or("attribute outside its element")?;
                    return match kind {
                        TYPE_INT_DEC | TYPE_INT_HEX => Ok(Some(data)),
                        _ => Err("minSdkVersion is not an integer (a preview codename?)"),
                    };
                }
            }
            _ => {}
        }
        pos += size;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(min_sdk_version(&[]).is_err());
        assert!(
            min_sdk_version(&[3, 0, 8, 0, 0xff, 0xff, 0xff, 0xff, 2, 1, 0xff, 0, 0xff]).is_ok()
        );
        let mut doc = vec![3, 0, 8, 0, 40, 0, 0, 0];
        doc.extend_from_slice(&[2, 1, 16, 0, 32, 0, 0, 0]);
        doc.extend_from_slice(&[0; 8]);
        doc.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 20, 0, 0xff, 0xff, 0, 0]);
        assert!(min_sdk_version(&doc).is_ok());
    }
}
