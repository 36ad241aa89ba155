//! The two pages of the certificate.
//!
//! Page 1 — the certificate: PASS/FAIL header, the app, the fusion set, the pinning
//! protection (every domain with pin count, expiry, mode and action), the signed output
//! and the warnings. Page 2 — the evidence: the input, every change to the package,
//! the self-verification checks, the workflow, the policy blob and the report signature.
//! Whatever does not fit is counted ("+ 12 more entries") and left to the JSON.

use super::canvas::{Canvas, Ink};
use super::fonts::Style;
use super::template::{Rgb, Template};
use crate::report::model::*;

/// Vertical rhythm shared by both pages.
const HEADER_H: f32 = 132.0;
const BAND_H: f32 = 42.0;
const SECTION_GAP: f32 = 16.0;
const HEADING_H: f32 = 22.0;
const LABEL_W: f32 = 132.0;
/// Space kept free at the bottom of each page for the footer.
const FOOTER_H: f32 = 56.0;

pub struct Ctx<'a> {
    pub t: &'a Template,
    pub r: &'a Report,
    /// File name of the JSON report (named in the footer's verify command).
    pub json_name: &'a str,
}

impl Ctx<'_> {
    fn w(&self) -> f32 {
        self.t.page.width
    }
    fn h(&self) -> f32 {
        self.t.page.height
    }
    fn m(&self) -> f32 {
        self.t.page.margin
    }
    fn cw(&self) -> f32 {
        self.w() - 2.0 * self.m()
    }
    fn passed(&self) -> bool {
        self.r.result == Verdict::Pass
    }
    fn main_color(&self) -> Rgb {
        if self.passed() {
            self.t.colors.pass
        } else {
            self.t.colors.fail
        }
    }
    fn row(&self) -> f32 {
        self.t.sizes.row_height
    }
    fn bottom(&self) -> f32 {
        self.h() - self.m() - FOOTER_H
    }
}

/// A value cell: how to draw it.
enum Val {
    Text(String),
    Mono(String),
    /// Colored bold text.
    Strong(String, Rgb),
}

// ---------------------------------------------------------------- page 1

/// Draw page 1; returns how many domains of the policy it showed.
pub fn page_one(c: &mut Canvas<'_, '_>, x: &Ctx<'_>) -> usize {
    let (t, r) = (x.t, x.r);
    let (m, w) = (x.m(), x.w());
    let white = t.colors.header_text;
    let main = x.main_color();

    // Header band: verdict on the left, when/what/which build on the right.
    c.rect(0.0, 0.0, w, HEADER_H, main);
    let (icx, icy) = (m + 27.0, HEADER_H / 2.0);
    c.circle(icx, icy, 27.0, white);
    c.mark(icx, icy, 27.0, x.passed(), 4.4, main);
    let tx = m + 72.0;
    c.text(
        tx,
        47.0,
        t.sizes.label + 1.0,
        Style::Bold,
        white,
        &t.labels.certificate,
    );
    let verdict = if x.passed() {
        &t.labels.pass
    } else {
        &t.labels.fail
    };
    c.text(tx, 84.0, t.sizes.badge, Style::Bold, white, verdict);
    let summary = if x.passed() {
        &t.labels.pass_summary
    } else {
        &t.labels.fail_summary
    };
    let right_col = 178.0;
    c.text_fit(
        tx,
        104.0,
        Ink::new(t.sizes.body, Style::Regular, white),
        summary,
        w - m - right_col - tx - 10.0,
    );
    let rx = w - m;
    let label = t.sizes.small;
    c.text_right(rx, 38.0, label, Style::Regular, white, &t.labels.generated);
    c.text_right(
        rx,
        50.0,
        t.sizes.body,
        Style::Bold,
        white,
        &display_time(&r.time.utc),
    );
    c.text_right(rx, 68.0, label, Style::Regular, white, &t.labels.tool);
    c.text_right(
        rx,
        80.0,
        t.sizes.body,
        Style::Bold,
        white,
        &format!("{} {}", r.tool.name, r.tool.version),
    );
    c.text_right(rx, 98.0, label, Style::Regular, white, &t.labels.build_id);
    c.text_right(rx, 110.0, t.sizes.mono, Style::Mono, white, &r.build_id);

    // The app.
    let mut y = HEADER_H + 30.0;
    let name = r
        .input
        .app_name
        .clone()
        .unwrap_or_else(|| r.input.package_id.clone());
    let lines = super::text::wrap(c.fonts, Style::Bold, t.sizes.app_name, &name, x.cw());
    for (i, line) in lines.iter().take(2).enumerate() {
        let shown = if i == 1 && lines.len() > 2 {
            super::text::truncate_end(
                c.fonts,
                Style::Bold,
                t.sizes.app_name,
                &format!("{line}…"),
                x.cw(),
            )
        } else {
            line.clone()
        };
        c.text(m, y, t.sizes.app_name, Style::Bold, t.colors.text, &shown);
        y += t.sizes.app_name * 1.25;
    }
    let mut sub = r.input.package_id.clone();
    if let Some(v) = &r.input.version {
        sub.push_str(&format!(
            "  ·  {} {v} ({} {})",
            t.labels.version, t.labels.build, r.input.build_number
        ));
    } else {
        sub.push_str(&format!("  ·  {} {}", t.labels.build, r.input.build_number));
    }
    c.text_fit(
        m,
        y - 4.0,
        Ink::new(t.sizes.body, Style::Regular, t.colors.muted),
        &sub,
        x.cw(),
    );
    y += 8.0;

    // Facts panel: two columns of label-over-value pairs.
    let pad = 12.0;
    let pitch = 27.0;
    let left = facts_left(x);
    let right = facts_right(x);
    let rows = left.len().max(right.len());
    let panel_h = rows as f32 * pitch + 2.0 * pad - 4.0;
    c.rounded_rect(m, y, x.cw(), panel_h, 6.0, t.colors.panel);
    let col_w = (x.cw() - 2.0 * pad - 20.0) / 2.0;
    for (col, pairs) in [(0.0, left), (col_w + 20.0, right)] {
        let mut py = y + pad + 7.0;
        for (label, value) in pairs {
            c.text(
                m + pad + col,
                py,
                t.sizes.label,
                Style::Bold,
                t.colors.muted,
                &label.to_uppercase(),
            );
            draw_val(c, x, m + pad + col, py + 12.0, &value, col_w);
            py += pitch;
        }
    }
    y += panel_h;

    // Certificate pinning.
    y = heading(c, x, y + SECTION_GAP, &t.labels.protection);
    y = protection_summary(c, x, y);
    // Reserve room for what follows on this page, then give the rest to domain rows.
    let output_h = SECTION_GAP + HEADING_H + output_rows(x).len() as f32 * x.row();
    let warnings_h = warnings_height(c, x);
    let chain_h = x.row() + 6.0;
    let avail = x.bottom() - y - output_h - warnings_h - chain_h - x.row() /* header */;
    let total = r.policy.domains.len();
    let mut fit = ((avail / x.row()).floor().max(1.0)) as usize;
    if fit < total {
        fit = fit.saturating_sub(1).max(1); // one row for the "more" line
    }
    let shown = fit.min(total);
    y = domain_table(c, x, y, 0, shown);
    if shown < total {
        c.text(
            m,
            y + 11.0,
            t.sizes.small,
            Style::Regular,
            t.colors.muted,
            &format!(
                "+ {} {}; {}",
                total - shown,
                t.labels.more_domains,
                t.labels.continued_on_page_two
            ),
        );
        y += x.row();
    }
    y = chain_checks(c, x, y + 4.0);

    // Signed output.
    y = heading(c, x, y + SECTION_GAP - 6.0, &t.labels.output);
    y = kv_rows(c, x, y, &output_rows(x));

    // Warnings.
    if !r.warnings.is_empty() {
        warnings_box(c, x, y + 12.0);
    }
    footer(c, x, 1);
    shown
}

/// The "Signed output" rows of page 1: file, hash, signer, schemes and key, and for iOS
/// the team and the provisioning profile.
fn output_rows(x: &Ctx<'_>) -> Vec<(String, Val)> {
    let (t, o) = (x.t, &x.r.output);
    let mut rows: Vec<(String, Val)> = vec![
        (
            t.labels.file.clone(),
            Val::Text(format!("{}  ·  {}", o.name, size_text(o.size, t))),
        ),
        (t.labels.sha256.clone(), Val::Mono(o.sha256.clone())),
    ];
    rows.extend(signer_rows(x, &o.signer));
    let key = key_source_text(x, o.key_source);
    rows.push((
        t.labels.schemes.clone(),
        Val::Text(format!(
            "{}   ·   {}: {key}",
            join_or(&o.signer.schemes, &t.labels.none),
            t.labels.key_source
        )),
    ));
    if let Some(ios) = &o.ios {
        if let Some(team) = &ios.team_id {
            rows.push((t.labels.team_id.clone(), Val::Text(team.clone())));
        }
        if let Some(p) = &ios.provisioning_profile {
            rows.push((
                t.labels.provisioning_profile.clone(),
                Val::Text(format!(
                    "{}  ·  {}  ·  {} {}",
                    p.name,
                    p.application_identifier,
                    t.labels.expires,
                    p.expires.get(..10).unwrap_or(&p.expires)
                )),
            ));
        }
    }
    rows
}

fn facts_left(x: &Ctx<'_>) -> Vec<(String, Val)> {
    let (t, r) = (x.t, x.r);
    let id_label = if r.input.format == PackageFormat::Ipa {
        &t.labels.bundle_id
    } else {
        &t.labels.package_id
    };
    let version = match &r.input.version {
        Some(v) => format!("{v} ({} {})", t.labels.build, r.input.build_number),
        None => format!("{} {}", t.labels.build, r.input.build_number),
    };
    let mut platform = match r.input.format {
        PackageFormat::Apk => t.labels.platform_apk.clone(),
        PackageFormat::Aab => t.labels.platform_aab.clone(),
        PackageFormat::Ipa => t.labels.platform_ipa.clone(),
    };
    if let Some(a) = &r.input.android {
        platform.push_str(&format!(
            "  ·  minSdk {}  ·  targetSdk {}",
            a.min_sdk, a.target_sdk
        ));
    }
    if let Some(min_os) = r.input.ios.as_ref().and_then(|i| i.min_os_version.as_ref()) {
        platform.push_str(&format!("  ·  iOS {min_os}+"));
    }
    let mut rows = vec![
        (id_label.clone(), Val::Mono(r.input.package_id.clone())),
        (t.labels.version.clone(), Val::Text(version)),
        (t.labels.platform.clone(), Val::Text(platform)),
    ];
    if let Some(a) = &r.input.android {
        let mut abis = if a.abis.is_empty() {
            t.labels.no_native_code.clone()
        } else {
            a.abis.join(", ")
        };
        if !a.abis_added.is_empty() {
            abis.push_str(&format!(
                "  (+ {} {})",
                a.abis_added.join(", "),
                t.labels.abis_added
            ));
        }
        rows.push((t.labels.abis.clone(), Val::Text(abis)));
    }
    if let Some(i) = &r.input.ios {
        rows.push((
            t.labels.arch_slices.clone(),
            Val::Text(i.arch_slices.join(", ")),
        ));
    }
    rows
}

fn facts_right(x: &Ctx<'_>) -> Vec<(String, Val)> {
    let (t, r) = (x.t, x.r);
    let stage_color = match r.fusion_set.stage {
        Stage::Production => t.colors.pass,
        Stage::Staging => t.colors.accent,
        Stage::Development => t.colors.warn,
    };
    vec![
        (
            t.labels.fusion_set.clone(),
            Val::Text(r.fusion_set.name.clone()),
        ),
        (
            t.labels.fusion_set_id.clone(),
            Val::Mono(r.fusion_set.id.clone()),
        ),
        (
            t.labels.stage.clone(),
            Val::Strong(stage_text(r.fusion_set.stage).into(), stage_color),
        ),
        (
            t.labels.input.clone(),
            Val::Text(format!(
                "{}  ·  {}",
                r.input.name,
                size_text(r.input.size, t)
            )),
        ),
    ]
}

fn protection_summary(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32) -> f32 {
    let t = x.t;
    let Some(p) = x.r.protections.first() else {
        return y;
    };
    let base = y + 12.0;
    let (bg, fg) = match p.mode {
        ProtectionMode::Enforcing => (t.colors.pass_light, t.colors.pass),
        ProtectionMode::Disabled => (t.colors.fail_light, t.colors.fail),
        _ => (t.colors.warn_light, t.colors.warn),
    };
    let mut px = x.m();
    px += c.pill(
        px,
        base,
        t.sizes.small,
        bg,
        fg,
        &mode_text(x, p.mode).to_uppercase(),
    ) + 6.0;
    px += c.pill(
        px,
        base,
        t.sizes.small,
        t.colors.panel,
        t.colors.text,
        &action_word(p.action).to_uppercase(),
    ) + 6.0;
    px += c.pill(
        px,
        base,
        t.sizes.small,
        t.colors.panel,
        t.colors.text,
        &format!(
            "{} {}",
            t.labels.threat_events,
            threat_text(x, p.threat_events)
        )
        .to_uppercase(),
    );
    let _ = px;
    let sentence = match p.mode {
        ProtectionMode::Enforcing => format!(
            "{} {}: {}. {}",
            t.labels.action,
            action_word(p.action),
            action_text(x, p.action),
            if p.blocking {
                &t.labels.blocking
            } else {
                &t.labels.not_blocking
            }
        ),
        ProtectionMode::DetectionOnly => t.labels.sentence_detection_only.clone(),
        ProtectionMode::NonBlocking => t.labels.sentence_non_blocking.clone(),
        ProtectionMode::Disabled => t.labels.sentence_disabled.clone(),
    };
    let base = base + 16.0;
    c.text_fit(
        x.m(),
        base,
        Ink::new(t.sizes.body, Style::Regular, t.colors.text),
        &sentence,
        x.cw(),
    );
    base + 8.0
}

/// Columns of the domain table: (title, width); the first takes what the others leave.
fn domain_columns(x: &Ctx<'_>) -> [(String, f32); 6] {
    let l = &x.t.labels;
    let fixed = [78.0, 34.0, 64.0, 76.0, 46.0];
    let first = x.cw() - fixed.iter().sum::<f32>();
    [
        (l.domain.clone(), first),
        (l.scope.clone(), fixed[0]),
        (l.pins.clone(), fixed[1]),
        (l.expires.clone(), fixed[2]),
        (l.mode.clone(), fixed[3]),
        (l.action.clone(), fixed[4]),
    ]
}

/// Rows `from..to` of the domain table, with its header; returns the y below it.
fn domain_table(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32, from: usize, to: usize) -> f32 {
    let (t, r) = (x.t, x.r);
    let cols = domain_columns(x);
    let mut y = table_header(c, x, y, &cols);
    let Some(p) = r.protections.first() else {
        return y;
    };
    let soon = r.time.unix + crate::report::warnings::PIN_EXPIRY_WARNING_DAYS * 86_400;
    for d in r
        .policy
        .domains
        .iter()
        .skip(from)
        .take(to.saturating_sub(from))
    {
        let scope = if d.host.starts_with("*.") {
            &t.labels.one_label
        } else if d.include_subdomains {
            &t.labels.subdomains
        } else {
            &t.labels.exact
        };
        let pins_color = if d.pins.len() < 2 {
            t.colors.warn
        } else {
            t.colors.text
        };
        let (expires, expires_color) = match &d.expires {
            Some(day) => {
                let expiring = expiry_unix(day).is_some_and(|e| e <= soon);
                (
                    day.clone(),
                    if expiring {
                        t.colors.warn
                    } else {
                        t.colors.text
                    },
                )
            }
            None => (t.labels.never.clone(), t.colors.muted),
        };
        let cells: [(String, Style, Rgb, bool); 6] = [
            (d.host.clone(), Style::Regular, t.colors.text, true),
            (scope.clone(), Style::Regular, t.colors.muted, false),
            (d.pins.len().to_string(), Style::Bold, pins_color, false),
            (expires, Style::Regular, expires_color, false),
            (
                mode_text(x, p.mode).to_string(),
                Style::Regular,
                t.colors.text,
                false,
            ),
            (
                action_word(p.action).to_string(),
                Style::Regular,
                t.colors.text,
                false,
            ),
        ];
        y = table_row(c, x, y, &cols, &cells);
    }
    y
}

fn chain_checks(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32) -> f32 {
    let (t, e) = (x.t, &x.r.policy.enforce);
    let text = format!(
        "{}:  {} {}  ·  {} {} bits  ·  {} {} bits  ·  {} {}",
        t.labels.chain_checks,
        t.labels.chain_basic_constraints,
        if e.ca_basic_constraints {
            "on"
        } else {
            &t.labels.off
        },
        t.labels.chain_rsa,
        e.min_rsa_bits,
        t.labels.chain_ec,
        e.min_ec_bits,
        t.labels.chain_sha256,
        if e.sha256_signatures {
            "on"
        } else {
            &t.labels.off
        },
    );
    c.text_fit(
        x.m(),
        y + 10.0,
        Ink::new(t.sizes.small, Style::Regular, t.colors.muted),
        &text,
        x.cw(),
    );
    y + x.row()
}

fn warnings_lines(c: &Canvas<'_, '_>, x: &Ctx<'_>) -> Vec<(String, String)> {
    let t = x.t;
    let code_w = 112.0;
    let text_w = x.cw() - 2.0 * 12.0 - 22.0 - code_w;
    let mut out = Vec::new();
    for w in &x.r.warnings {
        for (i, line) in super::text::wrap(
            c.fonts,
            Style::Regular,
            t.sizes.small + 0.5,
            &w.message,
            text_w,
        )
        .into_iter()
        .enumerate()
        {
            out.push((
                if i == 0 {
                    w.code.clone()
                } else {
                    String::new()
                },
                line,
            ));
        }
    }
    out
}

fn warnings_height(c: &Canvas<'_, '_>, x: &Ctx<'_>) -> f32 {
    if x.r.warnings.is_empty() {
        0.0
    } else {
        12.0 + 30.0 + warnings_lines(c, x).len() as f32 * 10.5
    }
}

fn warnings_box(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32) {
    let t = x.t;
    let lines = warnings_lines(c, x);
    let room = ((x.bottom() - y - 30.0) / 10.5).floor().max(0.0) as usize;
    let shown = lines.len().min(room);
    let h = 30.0 + shown as f32 * 10.5;
    c.rounded_rect(x.m(), y, x.cw(), h, 6.0, t.colors.warn_light);
    c.warning_sign(
        x.m() + 19.0,
        y + 15.0,
        12.0,
        t.colors.warn,
        t.colors.warn_light,
    );
    c.text(
        x.m() + 32.0,
        y + 19.0,
        t.sizes.heading - 1.0,
        Style::Bold,
        t.colors.warn,
        &format!("{} ({})", t.labels.warnings, x.r.warnings.len()),
    );
    let mut ly = y + 33.0;
    for (code, line) in lines.iter().take(shown) {
        if !code.is_empty() {
            c.text(
                x.m() + 32.0,
                ly,
                t.sizes.small,
                Style::Bold,
                t.colors.warn,
                code,
            );
        }
        c.text(
            x.m() + 32.0 + 112.0,
            ly,
            t.sizes.small + 0.5,
            Style::Regular,
            t.colors.text,
            line,
        );
        ly += 10.5;
    }
}

// ---------------------------------------------------------------- page 2

pub fn page_two(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, domains_shown: usize) {
    let (t, r) = (x.t, x.r);
    let (m, w) = (x.m(), x.w());
    let white = t.colors.header_text;
    let main = x.main_color();
    c.rect(0.0, 0.0, w, BAND_H, main);
    c.mark(m + 7.0, BAND_H / 2.0, 12.0, x.passed(), 2.2, white);
    let verdict = if x.passed() {
        &t.labels.pass
    } else {
        &t.labels.fail
    };
    let left = format!("{}  ·  {verdict}", t.labels.certificate);
    let lw = c.text(
        m + 20.0,
        BAND_H / 2.0 + 4.0,
        t.sizes.body + 1.0,
        Style::Bold,
        white,
        &left,
    );
    let mut ident = r.input.package_id.clone();
    if let Some(v) = &r.input.version {
        ident.push_str(&format!("  {v}"));
    }
    let ident = super::text::truncate_end(
        c.fonts,
        Style::Regular,
        t.sizes.body,
        &ident,
        x.cw() - lw - 40.0,
    );
    c.text_right(
        w - m,
        BAND_H / 2.0 + 4.0,
        t.sizes.body,
        Style::Regular,
        white,
        &ident,
    );

    let mut y = BAND_H + 4.0;
    let row = x.row();

    // Input package rows (measured before anything is drawn).
    let mut input_rows: Vec<(String, Val)> = vec![
        (
            t.labels.file.clone(),
            Val::Text(format!(
                "{}  ·  {}",
                r.input.name,
                size_text(r.input.size, t)
            )),
        ),
        (t.labels.sha256.clone(), Val::Mono(r.input.sha256.clone())),
    ];
    if r.input.signers.is_empty() {
        input_rows.push((
            t.labels.original_signers.clone(),
            Val::Text(t.labels.unsigned.clone()),
        ));
    }
    for s in r.input.signers.iter().take(3) {
        let mut signer = signer_rows(x, s);
        if let Some((label, _)) = signer.first_mut() {
            *label = t.labels.original_signers.clone();
        }
        signer.push((
            t.labels.schemes.clone(),
            Val::Text(join_or(&s.schemes, &t.labels.none)),
        ));
        input_rows.extend(signer);
    }

    // Budget: the fixed sections first, then the two lists share what is left.
    let checks = r.self_verification.len().min(12);
    let fixed_h = (SECTION_GAP - 4.0 + HEADING_H + row * input_rows.len() as f32)
        + (SECTION_GAP + HEADING_H + row * (checks as f32 + 1.0))
        + if r.self_verification.len() > checks {
            row
        } else {
            0.0
        }
        + (SECTION_GAP + HEADING_H + row + 4.0)
        + (SECTION_GAP + HEADING_H + 5.0 * row);
    let flex = x.bottom() - y - fixed_h;
    let domains_left = r.policy.domains.len().saturating_sub(domains_shown);
    let (domain_rows, change_rows) = share_rows(flex, row, domains_left, r.changes.len());

    // Domains that did not fit on page 1.
    if domains_left > 0 {
        y = heading(
            c,
            x,
            y + SECTION_GAP - 4.0,
            &format!("{} ({})", t.labels.protection, t.labels.continued),
        );
        if domain_rows > 0 {
            y = domain_table(c, x, y, domains_shown, domains_shown + domain_rows);
        }
        if domain_rows < domains_left {
            y = more_line(c, x, y, domains_left - domain_rows, &t.labels.more_domains);
        }
    }

    // Input package.
    y = heading(c, x, y + SECTION_GAP - 4.0, &t.labels.input);
    y = kv_rows(c, x, y, &input_rows);

    // Changes: as many rows as the budget gave.
    y = heading(
        c,
        x,
        y + SECTION_GAP,
        &format!("{} ({})", t.labels.changes, r.changes.len()),
    );
    let cols = change_columns(x);
    y = table_header(c, x, y, &cols);
    for ch in r.changes.iter().take(change_rows) {
        let (word, color) = match ch.change {
            ChangeKind::Added => (&t.labels.change_added, t.colors.pass),
            ChangeKind::Changed => (&t.labels.change_changed, t.colors.accent),
            ChangeKind::Removed => (&t.labels.change_removed, t.colors.fail),
        };
        let digest = |d: &Option<String>| d.clone().unwrap_or_else(|| "—".into());
        let cells: [(String, Style, Rgb, bool); 5] = [
            (word.clone(), Style::Bold, color, false),
            (ch.path.clone(), Style::Regular, t.colors.text, true),
            (ch.role.clone(), Style::Regular, t.colors.muted, false),
            (digest(&ch.before_sha256), Style::Mono, t.colors.text, true),
            (digest(&ch.after_sha256), Style::Mono, t.colors.text, true),
        ];
        y = table_row(c, x, y, &cols, &cells);
    }
    if r.changes.len() > change_rows {
        y = more_line(c, x, y, r.changes.len() - change_rows, &t.labels.more);
    }

    // Self-verification.
    let passed = r
        .self_verification
        .iter()
        .filter(|c| c.result == CheckResult::Pass)
        .count();
    y = heading(
        c,
        x,
        y + SECTION_GAP,
        &format!(
            "{} ({passed}/{})",
            t.labels.self_verification,
            r.self_verification.len()
        ),
    );
    let cols = [
        (t.labels.check.clone(), 150.0),
        (t.labels.result.clone(), 52.0),
        (t.labels.detail.clone(), x.cw() - 202.0),
    ];
    y = table_header(c, x, y, &cols);
    for chk in r.self_verification.iter().take(checks) {
        let (word, color) = match chk.result {
            CheckResult::Pass => (&t.labels.check_pass, t.colors.pass),
            CheckResult::Fail => (&t.labels.check_fail, t.colors.fail),
        };
        let cells: [(String, Style, Rgb, bool); 3] = [
            (chk.name.clone(), Style::Regular, t.colors.text, false),
            (word.clone(), Style::Bold, color, false),
            (
                chk.detail.clone().unwrap_or_default(),
                Style::Regular,
                t.colors.muted,
                false,
            ),
        ];
        y = table_row(c, x, y, &cols, &cells);
    }
    if r.self_verification.len() > checks {
        y = more_line(c, x, y, r.self_verification.len() - checks, &t.labels.more);
    }

    // Workflow: five steps in a row.
    y = heading(c, x, y + SECTION_GAP, &t.labels.workflow);
    let cell = x.cw() / StepName::ALL.len() as f32;
    for (i, s) in r.workflow.iter().enumerate() {
        let cx = m + i as f32 * cell;
        let ok = s.result == StepResult::Ok;
        let color = match s.result {
            StepResult::Ok => t.colors.pass,
            StepResult::Failed => t.colors.fail,
            StepResult::Skipped => t.colors.muted,
        };
        c.circle(
            cx + 7.0,
            y + 8.0,
            7.0,
            if ok {
                t.colors.pass_light
            } else {
                t.colors.fail_light
            },
        );
        c.mark(cx + 7.0, y + 8.0, 8.0, ok, 1.5, color);
        let label = match s.result {
            StepResult::Ok => &t.labels.step_ok,
            StepResult::Failed => &t.labels.step_failed,
            StepResult::Skipped => &t.labels.step_skipped,
        };
        let mut text = format!("{}  {label}", s.step.as_str());
        if let Some(ms) = s.duration_ms {
            text.push_str(&format!(" · {ms} ms"));
        }
        c.text_fit(
            cx + 19.0,
            y + 11.5,
            Ink::new(t.sizes.body, Style::Regular, t.colors.text),
            &text,
            cell - 22.0,
        );
    }
    y += x.row() + 4.0;

    // Policy blob and report signature.
    y = heading(
        c,
        x,
        y + SECTION_GAP,
        &format!("{}  ·  {}", t.labels.policy, t.labels.report_signature),
    );
    let sig = r.signature.as_ref();
    let algorithm = match sig.map(|s| s.algorithm) {
        Some(SignatureAlgorithm::RsaPkcs1Sha256) => "RSASSA-PKCS1-v1_5 SHA-256",
        Some(SignatureAlgorithm::EcdsaP256Sha256) => "ECDSA P-256 SHA-256",
        None => "—",
    };
    let key = match r.report_key.source {
        ReportKeySource::PackageSigningKey => &t.labels.package_signing_key,
        ReportKeySource::DebugKey => &t.labels.debug_key,
    };
    let rows = vec![
        (
            t.labels.policy.clone(),
            Val::Text(format!(
                "{}  ·  {}",
                r.policy.path,
                size_text(r.policy.size, t)
            )),
        ),
        (
            format!("{} {}", t.labels.policy, t.labels.sha256),
            Val::Mono(r.policy.sha256.clone()),
        ),
        (t.labels.algorithm.clone(), Val::Text(algorithm.into())),
        (t.labels.report_key.clone(), Val::Text(key.clone())),
        (
            t.labels.report_cert.clone(),
            Val::Mono(r.report_key.cert_sha256.clone()),
        ),
    ];
    kv_rows(c, x, y, &rows);
    footer(c, x, 2);
}

/// How many domain rows (continued from page 1) and change rows fit in `flex` points,
/// counting headings, table headers and the "+ N more" lines. Changes keep at least
/// half of the rows when both lists are long.
fn share_rows(flex: f32, row: f32, domains: usize, changes: usize) -> (usize, usize) {
    let domain_block = |d: usize| {
        if domains == 0 {
            return 0.0;
        }
        let table = if d > 0 { row * (d as f32 + 1.0) } else { 0.0 };
        let more = if d < domains { row } else { 0.0 };
        SECTION_GAP - 4.0 + HEADING_H + table + more
    };
    let change_block = |c: usize| {
        let more = if c < changes { row } else { 0.0 };
        SECTION_GAP + HEADING_H + row * (c as f32 + 1.0) + more
    };
    let (mut d, mut c) = (domains, changes);
    while domain_block(d) + change_block(c) > flex && (d > 0 || c > 0) {
        if d > c || c == 0 {
            d -= 1;
        } else {
            c -= 1;
        }
    }
    (d, c)
}

fn change_columns(x: &Ctx<'_>) -> [(String, f32); 5] {
    let l = &x.t.labels;
    let hash = 92.0;
    let fixed = 52.0 + 62.0 + 2.0 * hash;
    [
        (l.change.clone(), 52.0),
        (l.path.clone(), x.cw() - fixed),
        (l.role.clone(), 62.0),
        (l.before.clone(), hash),
        (l.after.clone(), hash),
    ]
}

// ---------------------------------------------------------------- shared pieces

fn heading(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32, title: &str) -> f32 {
    let t = x.t;
    c.text(
        x.m(),
        y + 11.0,
        t.sizes.heading,
        Style::Bold,
        t.colors.accent,
        title,
    );
    c.hline(x.m(), x.m() + x.cw(), y + 16.0, 0.8, t.colors.rule);
    y + HEADING_H
}

fn table_header(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32, cols: &[(String, f32)]) -> f32 {
    let t = x.t;
    let mut cx = x.m();
    for (title, width) in cols {
        c.text_fit(
            cx,
            y + 9.0,
            Ink::new(t.sizes.label, Style::Bold, t.colors.muted),
            &title.to_uppercase(),
            width - 6.0,
        );
        cx += width;
    }
    c.hline(x.m(), x.m() + x.cw(), y + x.row() - 1.5, 0.6, t.colors.rule);
    y + x.row()
}

/// One table row; cells marked `true` shorten in the middle (paths, digests), others at the end.
fn table_row(
    c: &mut Canvas<'_, '_>,
    x: &Ctx<'_>,
    y: f32,
    cols: &[(String, f32)],
    cells: &[(String, Style, Rgb, bool)],
) -> f32 {
    let t = x.t;
    let mut cx = x.m();
    for ((_, width), (text, style, color, middle)) in cols.iter().zip(cells) {
        let size = if *style == Style::Mono {
            t.sizes.mono
        } else {
            t.sizes.body
        };
        let max = width - 8.0;
        if *middle {
            c.text_fit_middle(cx, y + 10.5, Ink::new(size, *style, *color), text, max);
        } else {
            c.text_fit(cx, y + 10.5, Ink::new(size, *style, *color), text, max);
        }
        cx += width;
    }
    c.hline(x.m(), x.m() + x.cw(), y + x.row() - 0.5, 0.4, t.colors.rule);
    y + x.row()
}

fn more_line(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32, n: usize, what: &str) -> f32 {
    let t = x.t;
    c.text(
        x.m(),
        y + 10.5,
        t.sizes.small,
        Style::Regular,
        t.colors.muted,
        &format!("+ {n} {what}"),
    );
    y + x.row()
}

/// Label / value rows with the label column on the left.
fn kv_rows(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, y: f32, rows: &[(String, Val)]) -> f32 {
    let t = x.t;
    let mut y = y;
    for (label, value) in rows {
        c.text_fit(
            x.m(),
            y + 10.5,
            Ink::new(t.sizes.label, Style::Bold, t.colors.muted),
            label,
            LABEL_W - 8.0,
        );
        draw_val(c, x, x.m() + LABEL_W, y + 10.5, value, x.cw() - LABEL_W);
        y += x.row();
    }
    y
}

fn draw_val(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, px: f32, baseline: f32, v: &Val, max: f32) {
    let t = x.t;
    match v {
        Val::Text(s) => {
            c.text_fit(
                px,
                baseline,
                Ink::new(t.sizes.body, Style::Regular, t.colors.text),
                s,
                max,
            );
        }
        Val::Mono(s) => {
            c.text_fit_middle(
                px,
                baseline,
                Ink::new(t.sizes.mono, Style::Mono, t.colors.text),
                s,
                max,
            );
        }
        Val::Strong(s, color) => {
            c.text_fit(
                px,
                baseline,
                Ink::new(t.sizes.body, Style::Bold, *color),
                s,
                max,
            );
        }
    }
}

fn signer_rows(x: &Ctx<'_>, s: &Signer) -> Vec<(String, Val)> {
    let t = x.t;
    match s.kind {
        SignerKind::Certificate => vec![
            (
                t.labels.signer.clone(),
                Val::Text(s.subject.clone().unwrap_or_else(|| "—".into())),
            ),
            (
                t.labels.signer_cert.clone(),
                Val::Mono(s.cert_sha256.clone().unwrap_or_else(|| "—".into())),
            ),
        ],
        SignerKind::AdHoc => vec![(t.labels.signer.clone(), Val::Text(t.labels.ad_hoc.clone()))],
    }
}

fn footer(c: &mut Canvas<'_, '_>, x: &Ctx<'_>, page: u32) {
    let t = x.t;
    let y = x.h() - x.m() - 36.0;
    c.hline(x.m(), x.m() + x.cw(), y, 0.6, t.colors.rule);
    c.text(
        x.m(),
        y + 12.0,
        t.sizes.small,
        Style::Regular,
        t.colors.muted,
        &t.labels.footer_verify,
    );
    c.text_right(
        x.m() + x.cw(),
        y + 12.0,
        t.sizes.small,
        Style::Regular,
        t.colors.muted,
        &format!("{} {page} {} 2", t.labels.page, t.labels.of),
    );
    let command = format!("fuse verify {} --report {}", x.r.output.name, x.json_name);
    c.text_fit_middle(
        x.m(),
        y + 23.0,
        Ink::new(t.sizes.small, Style::Mono, t.colors.text),
        &command,
        x.cw(),
    );
    let note = if c.replaced {
        &t.labels.replaced
    } else {
        &t.labels.footer_full
    };
    c.text_fit(
        x.m(),
        y + 34.0,
        Ink::new(t.sizes.small, Style::Regular, t.colors.muted),
        note,
        x.cw(),
    );
}

// ---------------------------------------------------------------- words

fn stage_text(s: Stage) -> &'static str {
    match s {
        Stage::Development => "development",
        Stage::Staging => "staging",
        Stage::Production => "production",
    }
}

fn mode_text<'t>(x: &'t Ctx<'_>, m: ProtectionMode) -> &'t str {
    let l = &x.t.labels;
    match m {
        ProtectionMode::Enforcing => &l.mode_enforcing,
        ProtectionMode::DetectionOnly => &l.mode_detection_only,
        ProtectionMode::NonBlocking => &l.mode_non_blocking,
        ProtectionMode::Disabled => &l.mode_disabled,
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Close => "close",
        Action::Alert => "alert",
        Action::Warn => "warn",
        Action::Log => "log",
    }
}

fn action_text<'t>(x: &'t Ctx<'_>, a: Action) -> &'t str {
    let l = &x.t.labels;
    match a {
        Action::Close => &l.action_close,
        Action::Alert => &l.action_alert,
        Action::Warn => &l.action_warn,
        Action::Log => &l.action_log,
    }
}

fn threat_text(x: &Ctx<'_>, e: ThreatEvents) -> String {
    match e {
        ThreatEvents::Off => x.t.labels.off.clone(),
        ThreatEvents::Detection => "detection".into(),
        ThreatEvents::Defense => "defense".into(),
    }
}

fn key_source_text(x: &Ctx<'_>, k: KeyKind) -> String {
    let l = &x.t.labels;
    match k {
        KeyKind::Keystore => l.keystore.clone(),
        KeyKind::KeyFiles => l.key_files.clone(),
        KeyKind::DebugKey => l.debug_key_short.clone(),
        KeyKind::AdHoc => l.ad_hoc_short.clone(),
    }
}

fn join_or(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join(", ")
    }
}

/// `12.4 MB (12,431,822 bytes)`; decimal units, as file managers show them.
fn size_text(bytes: u64, t: &Template) -> String {
    let grouped = group_digits(bytes);
    let human = if bytes >= 1_000_000 {
        format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000)
    } else if bytes >= 1_000 {
        format!("{}.{} kB", bytes / 1_000, bytes % 1_000 / 100)
    } else {
        return format!("{grouped} {}", t.labels.bytes);
    };
    format!("{human} ({grouped} {})", t.labels.bytes)
}

fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `2026-11-23T13:34:00Z` → `2026-11-23 13:34 UTC`.
fn display_time(utc: &str) -> String {
    match (utc.get(..10), utc.get(11..16)) {
        (Some(d), Some(hm)) => format!("{d} {hm} UTC"),
        _ => utc.to_string(),
    }
}

/// `YYYY-MM-DD` (last valid day) → the instant the pins stop applying.
fn expiry_unix(day: &str) -> Option<i64> {
    let y: i64 = day.get(0..4)?.parse().ok()?;
    let m: u8 = day.get(5..7)?.parse().ok()?;
    let d: u8 = day.get(8..10)?.parse().ok()?;
    let days = crate::calendar::days_from_civil(y, m, d);
    Some((days + 1) * crate::calendar::SECONDS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_share_the_page_and_always_fit() {
        let row = 15.0;
        let fits = |flex: f32, d: usize, c: usize| {
            let (dr, cr) = share_rows(flex, row, d, c);
            assert!(dr <= d && cr <= c);
            (dr, cr)
        };
        assert_eq!(fits(1000.0, 0, 10), (0, 10));
        let (dr, cr) = fits(300.0, 40, 80);
        assert!(dr > 3 && cr > 3 && dr.abs_diff(cr) <= 1, "{dr} {cr}");
        assert_eq!(fits(0.0, 40, 80), (0, 0));
    }

    #[test]
    fn sizes_and_digits_read_well() {
        assert_eq!(group_digits(12_431_822), "12,431,822");
        assert_eq!(group_digits(999), "999");
        assert_eq!(display_time("2026-11-23T13:34:00Z"), "2026-11-23 13:34 UTC");
    }

    #[test]
    fn expiry_day_is_the_inverse_of_the_report_date() {
        let e = expiry_unix("2027-06-30").unwrap();
        assert_eq!(crate::report::warnings::last_day(e), "2027-06-30");
        assert_eq!(crate::report::clock::rfc3339(e), "2027-07-01T00:00:00Z");
    }
}
