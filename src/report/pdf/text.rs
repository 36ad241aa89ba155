//! Text without a layout engine: map characters to glyphs with per-character font
//! fallback, measure, wrap at spaces (anywhere inside over-long words and CJK text) and
//! shorten with an ellipsis. Measuring and drawing use the same glyph advances, so what
//! fits on paper is exactly what was measured. No shaping (no kerning or ligatures: the
//! text stays extractable character by character) and no bidi reordering.

use std::ops::Range;

use krilla::text::KrillaGlyph;

use super::fonts::{FaceId, Fonts, REPLACEMENT, Style};

/// A run of consecutive characters drawn with one face.
pub struct Run {
    pub face: FaceId,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    /// Advance in em.
    pub advance: f32,
}

/// A single line of text ready to draw.
pub struct Shaped {
    pub runs: Vec<Run>,
    /// Total advance in em.
    pub advance: f32,
    /// Some character had no glyph and is drawn as U+FFFD.
    pub replaced: bool,
}

/// Characters that must not reach a content stream as themselves.
fn clean(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

pub fn shape(fonts: &Fonts, style: Style, text: &str) -> Shaped {
    let mut runs: Vec<Run> = Vec::new();
    let mut total = 0.0;
    let mut replaced = false;
    for c in text.chars().map(clean) {
        let (face, glyph, advance, drawn) = match fonts.resolve(style, c) {
            Some((face, glyph, advance)) => (face, glyph, advance, c),
            None => {
                replaced = true;
                match fonts.resolve(style, REPLACEMENT) {
                    Some((face, glyph, advance)) => (face, glyph, advance, REPLACEMENT),
                    None => continue,
                }
            }
        };
        let same_face = runs.last().is_some_and(|r| r.face == face);
        if !same_face {
            runs.push(Run {
                face,
                text: String::new(),
                glyphs: Vec::new(),
                advance: 0.0,
            });
        }
        if let Some(run) = runs.last_mut() {
            let start = run.text.len();
            run.text.push(drawn);
            let range: Range<usize> = start..run.text.len();
            run.glyphs
                .push(KrillaGlyph::new(glyph, advance, 0.0, 0.0, 0.0, range, None));
            run.advance += advance;
        }
        total += advance;
    }
    Shaped {
        runs,
        advance: total,
        replaced,
    }
}

/// Width in points of `text` at `size`.
pub fn width(fonts: &Fonts, style: Style, size: f32, text: &str) -> f32 {
    text.chars()
        .map(clean)
        .map(|c| {
            fonts
                .resolve(style, c)
                .or_else(|| fonts.resolve(style, REPLACEMENT))
                .map_or(0.0, |(_, _, a)| a)
        })
        .sum::<f32>()
        * size
}

/// `text` shortened at the end with `…` to fit `max` points.
pub fn truncate_end(fonts: &Fonts, style: Style, size: f32, text: &str, max: f32) -> String {
    if width(fonts, style, size, text) <= max {
        return text.to_string();
    }
    let budget = max - width(fonts, style, size, "…");
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = width(fonts, style, size, c.encode_utf8(&mut [0; 4]));
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// `text` shortened in the middle with `…` (keeps both ends: the useful parts of a path or hash).
pub fn truncate_middle(fonts: &Fonts, style: Style, size: f32, text: &str, max: f32) -> String {
    if width(fonts, style, size, text) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let budget = max - width(fonts, style, size, "…");
    let w = |c: &char| width(fonts, style, size, c.encode_utf8(&mut [0; 4]));
    let (mut head, mut tail) = (0usize, 0usize);
    let mut used = 0.0;
    // Alternate, favouring the tail slightly (file names and digest ends matter most).
    loop {
        let take_tail = tail <= head;
        let next = if take_tail {
            chars.len().checked_sub(tail + 1).and_then(|i| chars.get(i))
        } else {
            chars.get(head)
        };
        let Some(c) = next else { break };
        if head + tail >= chars.len() || used + w(c) > budget {
            break;
        }
        used += w(c);
        if take_tail {
            tail += 1;
        } else {
            head += 1;
        }
    }
    let start: String = chars.iter().take(head).collect();
    let end: String = chars
        .iter()
        .skip(chars.len().saturating_sub(tail))
        .collect();
    format!("{start}…{end}")
}

/// Break `text` into lines of at most `max` points: at spaces where possible, inside a
/// word only when the word alone is too long; CJK characters may break anywhere.
pub fn wrap(fonts: &Fonts, style: Style, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in split_breakable(text) {
        let candidate = if line.is_empty() {
            word.trim_start().to_string()
        } else {
            format!("{line}{word}")
        };
        if width(fonts, style, size, candidate.trim_end()) <= max {
            line = candidate;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
        line = String::new();
        // The word alone may still be too long: cut it by characters.
        for c in word.trim_start().chars() {
            let mut next = line.clone();
            next.push(c);
            if width(fonts, style, size, &next) > max && !line.is_empty() {
                lines.push(line);
                line = c.to_string();
            } else {
                line = next;
            }
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Pieces that may start a new line: a word with its leading spaces, or a single
/// character of a script written without spaces.
fn split_breakable(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut seen_non_space = false;
    for c in text.chars().map(clean) {
        if is_cjk(c) {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            pieces.push(c.to_string());
            seen_non_space = false;
        } else if c == ' ' && seen_non_space {
            pieces.push(std::mem::take(&mut current));
            current.push(c);
            seen_non_space = false;
        } else {
            current.push(c);
            seen_non_space |= c != ' ';
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x3000..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    #[test]
    fn cjk_falls_back_and_unknown_scripts_are_replaced() {
        let f = fonts();
        let s = shape(&f, Style::Bold, "Bank 銀行");
        assert!(!s.replaced);
        assert_eq!(s.runs.len(), 2, "Latin run then CJK run");
        let s = shape(&f, Style::Regular, "ธนาคาร");
        assert!(s.replaced, "Thai is not embedded");
        assert!(
            s.runs
                .iter()
                .all(|r| r.text.chars().all(|c| c == REPLACEMENT))
        );
    }

    #[test]
    fn wrapping_respects_the_width_and_keeps_every_character() {
        let f = fonts();
        let text = "Retail banking production with a very long name that must wrap somewhere";
        let lines = wrap(&f, Style::Regular, 10.0, text, 120.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(width(&f, Style::Regular, 10.0, l) <= 120.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
        let cjk = "中文应用名称非常长需要换行显示在证书上面";
        let lines = wrap(&f, Style::Regular, 10.0, cjk, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), cjk);
    }

    #[test]
    fn truncation_fits_and_keeps_both_ends() {
        let f = fonts();
        let hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let short = truncate_middle(&f, Style::Mono, 8.0, hash, 80.0);
        assert!(width(&f, Style::Mono, 8.0, &short) <= 80.0);
        assert!(short.starts_with("0123") && short.ends_with("cdef") && short.contains('…'));
        let end = truncate_end(&f, Style::Regular, 8.0, hash, 50.0);
        assert!(end.ends_with('…') && width(&f, Style::Regular, 8.0, &end) <= 50.0);
        assert_eq!(truncate_middle(&f, Style::Mono, 8.0, "abc", 80.0), "abc");
    }
}
