//! Drawing primitives over a krilla page surface: filled and rounded rectangles, rules,
//! icons and single lines of text (coordinates in points, origin top-left, y downwards,
//! text placed by its baseline).

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;

use super::fonts::{Fonts, Style};
use super::template::Rgb;
use super::text;

/// Size, style and colour of a piece of text.
#[derive(Debug, Clone, Copy)]
pub struct Ink {
    pub size: f32,
    pub style: Style,
    pub color: Rgb,
}

impl Ink {
    pub fn new(size: f32, style: Style, color: Rgb) -> Self {
        Self { size, style, color }
    }
}

pub struct Canvas<'s, 'f> {
    surface: Surface<'s>,
    pub fonts: &'f Fonts,
    /// Some text on this page had characters no embedded font covers.
    pub replaced: bool,
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// Bézier handle length for quarter circles.
const KAPPA: f32 = 0.552_284_8;

impl<'s, 'f> Canvas<'s, 'f> {
    pub fn new(surface: Surface<'s>, fonts: &'f Fonts) -> Self {
        Self {
            surface,
            fonts,
            replaced: false,
        }
    }

    pub fn finish(self) {
        self.surface.finish();
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, c: Rgb) {
        let Some(rect) = Rect::from_xywh(x, y, w.max(0.01), h.max(0.01)) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        if let Some(path) = pb.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(fill(c)));
            self.surface.draw_path(&path);
        }
    }

    pub fn rounded_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, c: Rgb) {
        let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
        let k = r * KAPPA;
        let (x2, y2) = (x + w, y + h);
        let mut pb = PathBuilder::new();
        pb.move_to(x + r, y);
        pb.line_to(x2 - r, y);
        pb.cubic_to(x2 - r + k, y, x2, y + r - k, x2, y + r);
        pb.line_to(x2, y2 - r);
        pb.cubic_to(x2, y2 - r + k, x2 - r + k, y2, x2 - r, y2);
        pb.line_to(x + r, y2);
        pb.cubic_to(x + r - k, y2, x, y2 - r + k, x, y2 - r);
        pb.line_to(x, y + r);
        pb.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
        pb.close();
        if let Some(path) = pb.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(fill(c)));
            self.surface.draw_path(&path);
        }
    }

    pub fn circle(&mut self, cx: f32, cy: f32, r: f32, c: Rgb) {
        self.rounded_rect(cx - r, cy - r, 2.0 * r, 2.0 * r, r, c);
    }

    /// A horizontal rule.
    pub fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32, c: Rgb) {
        self.polyline(&[(x1, y), (x2, y)], width, c);
    }

    fn polyline(&mut self, points: &[(f32, f32)], width: f32, c: Rgb) {
        let mut pb = PathBuilder::new();
        for (i, (x, y)) in points.iter().enumerate() {
            if i == 0 {
                pb.move_to(*x, *y);
            } else {
                pb.line_to(*x, *y);
            }
        }
        if let Some(path) = pb.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: color(c).into(),
                width,
                line_cap: LineCap::Round,
                line_join: LineJoin::Round,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// A check mark (`ok`) or a cross inside a box of `size` centred on (cx, cy).
    pub fn mark(&mut self, cx: f32, cy: f32, size: f32, ok: bool, width: f32, c: Rgb) {
        let s = size / 2.0;
        if ok {
            self.polyline(
                &[
                    (cx - s * 0.75, cy + s * 0.02),
                    (cx - s * 0.2, cy + s * 0.55),
                    (cx + s * 0.8, cy - s * 0.6),
                ],
                width,
                c,
            );
        } else {
            let d = s * 0.6;
            self.polyline(&[(cx - d, cy - d), (cx + d, cy + d)], width, c);
            self.polyline(&[(cx - d, cy + d), (cx + d, cy - d)], width, c);
        }
    }

    /// A warning triangle with an exclamation mark.
    pub fn warning_sign(&mut self, cx: f32, cy: f32, size: f32, c: Rgb, mark: Rgb) {
        let s = size / 2.0;
        let mut pb = PathBuilder::new();
        pb.move_to(cx, cy - s);
        pb.line_to(cx + s * 1.1, cy + s * 0.85);
        pb.line_to(cx - s * 1.1, cy + s * 0.85);
        pb.close();
        if let Some(path) = pb.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(fill(c)));
            self.surface.draw_path(&path);
        }
        self.polyline(
            &[(cx, cy - s * 0.35), (cx, cy + s * 0.25)],
            size * 0.13,
            mark,
        );
        self.circle(cx, cy + s * 0.55, size * 0.07, mark);
    }

    /// Draw one line of text with its left edge at `x`; returns its width.
    pub fn text(&mut self, x: f32, baseline: f32, size: f32, style: Style, c: Rgb, s: &str) -> f32 {
        let shaped = text::shape(self.fonts, style, s);
        self.replaced |= shaped.replaced;
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(fill(c)));
        let mut pen = x;
        for run in &shaped.runs {
            let fake_bold = Fonts::needs_synthetic_bold(style, run.face);
            if fake_bold {
                self.surface.set_stroke(Some(Stroke {
                    paint: color(c).into(),
                    width: size * 0.035,
                    line_join: LineJoin::Round,
                    ..Stroke::default()
                }));
            }
            if let Some(face) = self.fonts.face(run.face) {
                self.surface.draw_glyphs(
                    Point::from_xy(pen, baseline),
                    &run.glyphs,
                    face.font.clone(),
                    &run.text,
                    size,
                    false,
                );
            }
            if fake_bold {
                self.surface.set_stroke(None);
            }
            pen += run.advance * size;
        }
        shaped.advance * size
    }

    /// Text whose right edge is at `right`.
    pub fn text_right(
        &mut self,
        right: f32,
        baseline: f32,
        size: f32,
        style: Style,
        c: Rgb,
        s: &str,
    ) {
        let w = text::width(self.fonts, style, size, s);
        self.text(right - w, baseline, size, style, c, s);
    }

    /// Text shortened at the end to fit `max`.
    pub fn text_fit(&mut self, x: f32, baseline: f32, ink: Ink, s: &str, max: f32) -> f32 {
        let fitted = text::truncate_end(self.fonts, ink.style, ink.size, s, max);
        self.text(x, baseline, ink.size, ink.style, ink.color, &fitted)
    }

    /// Text shortened in the middle to fit `max` (paths, digests).
    pub fn text_fit_middle(&mut self, x: f32, baseline: f32, ink: Ink, s: &str, max: f32) -> f32 {
        let fitted = text::truncate_middle(self.fonts, ink.style, ink.size, s, max);
        self.text(x, baseline, ink.size, ink.style, ink.color, &fitted)
    }

    pub fn width(&self, size: f32, style: Style, s: &str) -> f32 {
        text::width(self.fonts, style, size, s)
    }

    /// A small rounded label ("pill") with text; returns its width.
    pub fn pill(&mut self, x: f32, baseline: f32, size: f32, bg: Rgb, fg: Rgb, s: &str) -> f32 {
        let pad = size * 0.55;
        let w = self.width(size, Style::Bold, s) + 2.0 * pad;
        let h = size * 1.55;
        self.rounded_rect(x, baseline - size * 1.08, w, h, h / 2.0, bg);
        self.text(x + pad, baseline, size, Style::Bold, fg, s);
        w
    }
}
