//! The fonts embedded in the binary for the PDF (`templates/fonts/`, OFL 1.1, subset by
//! `templates/fonts/subset`): Noto Sans Regular and Bold and Noto Sans Mono for Latin,
//! Greek and Cyrillic, Noto Sans CJK SC (common Chinese, Japanese and Korean characters)
//! as the fallback for all three. A character no font has is drawn as U+FFFD and the
//! page says so; the JSON report always has the exact text.

use krilla::text::{Font, GlyphId};
use skrifa::FontRef;
use skrifa::MetadataProvider as _;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use super::super::Error;

static SANS: &[u8] = include_bytes!("../../../templates/fonts/NotoSans-Regular.subset.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../../templates/fonts/NotoSans-Bold.subset.ttf");
static MONO: &[u8] = include_bytes!("../../../templates/fonts/NotoSansMono-Regular.subset.ttf");
static CJK: &[u8] = include_bytes!("../../../templates/fonts/NotoSansCJKsc-Regular.subset.otf");

/// The replacement for characters no embedded font covers.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Text styles of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
    Mono,
}

/// One font: the krilla handle for drawing and skrifa tables for measuring.
pub struct Face {
    pub font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(name: &str, data: &'static [u8]) -> Result<Self, Error> {
        let bad = || Error::Pdf {
            detail: format!("embedded font {name} cannot be read"),
        };
        let font_ref = FontRef::new(data).map_err(|_| bad())?;
        let font = Font::new(data.into(), 0).ok_or_else(bad)?;
        let units_per_em = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em
                .max(1),
        );
        Ok(Self {
            font,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// Glyph and advance (in em) for `c`, when this font has it.
    pub fn glyph(&self, c: char) -> Option<(GlyphId, f32)> {
        let gid = self.charmap.map(c)?;
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        Some((GlyphId::new(gid.to_u32()), advance))
    }
}

/// Index of a face in [`Fonts::faces`].
pub type FaceId = usize;

pub struct Fonts {
    pub faces: Vec<Face>,
}

const SANS_ID: FaceId = 0;
const BOLD_ID: FaceId = 1;
const MONO_ID: FaceId = 2;
const CJK_ID: FaceId = 3;

impl Fonts {
    pub fn load() -> Result<Self, Error> {
        Ok(Self {
            faces: vec![
                Face::load("Noto Sans", SANS)?,
                Face::load("Noto Sans Bold", SANS_BOLD)?,
                Face::load("Noto Sans Mono", MONO)?,
                Face::load("Noto Sans CJK", CJK)?,
            ],
        })
    }

    /// Fallback order for a style.
    pub fn chain(style: Style) -> &'static [FaceId] {
        match style {
            Style::Regular => &[SANS_ID, CJK_ID],
            Style::Bold => &[BOLD_ID, SANS_ID, CJK_ID],
            Style::Mono => &[MONO_ID, SANS_ID, CJK_ID],
        }
    }

    /// Bold text drawn with a face that has no bold weight (CJK): fill and stroke it, so
    /// headings keep their weight.
    pub fn needs_synthetic_bold(style: Style, face: FaceId) -> bool {
        style == Style::Bold && face != BOLD_ID
    }

    pub fn face(&self, id: FaceId) -> Option<&Face> {
        self.faces.get(id)
    }

    /// The face and glyph that draw `c` in `style`; `None` when no embedded font has it.
    pub fn resolve(&self, style: Style, c: char) -> Option<(FaceId, GlyphId, f32)> {
        Self::chain(style).iter().find_map(|id| {
            self.faces
                .get(*id)
                .and_then(|f| f.glyph(c))
                .map(|(g, a)| (*id, g, a))
        })
    }
}
