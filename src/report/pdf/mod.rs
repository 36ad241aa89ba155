//! The Certified Secure report as a PDF: the same facts as the JSON, for a person.
//!
//! Rendered with `krilla` (pure Rust; embeds only the glyphs used) from the layout and
//! wording in `templates/report/pdf.json` and the fonts in `templates/fonts/`.
//! Deterministic: the document id and dates come from the report (its build id and
//! time, i.e. `SOURCE_DATE_EPOCH` when set), krilla's instance id is a hash of the
//! content, and nothing else varies — the same report gives the same bytes.

mod canvas;
mod fonts;
mod pages;
mod template;
mod text;

use krilla::Document;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;

use super::Error;
use super::model::Report;
use crate::calendar::civil;

/// Render `report` (signed or not) to PDF bytes. `json_name` is the file name of the JSON
/// report beside it, quoted in the footer's `fuse verify` command.
pub fn render(report: &Report, json_name: &str) -> Result<Vec<u8>, Error> {
    let template = template::Template::load()?;
    let fonts = fonts::Fonts::load()?;
    let ctx = pages::Ctx {
        t: &template,
        r: report,
        json_name,
    };
    let mut document = Document::new();
    document.set_metadata(metadata(report));
    let page_settings = || {
        PageSettings::from_wh(template.page.width, template.page.height).ok_or(Error::Pdf {
            detail: "templates/report/pdf.json has an impossible page size".into(),
        })
    };

    let mut page = document.start_page_with(page_settings()?);
    let mut c = canvas::Canvas::new(page.surface(), &fonts);
    let domains_shown = pages::page_one(&mut c, &ctx);
    c.finish();
    page.finish();

    let mut page = document.start_page_with(page_settings()?);
    let mut c = canvas::Canvas::new(page.surface(), &fonts);
    pages::page_two(&mut c, &ctx, domains_shown);
    c.finish();
    page.finish();

    document.finish().map_err(|e| Error::Pdf {
        detail: format!("{e:?}"),
    })
}

fn metadata(report: &Report) -> Metadata {
    let c = civil(report.time.unix);
    let date = DateTime::new(u16::try_from(c.year).unwrap_or(9999))
        .month(c.month)
        .day(c.day)
        .hour(c.hour)
        .minute(c.minute)
        .second(c.second)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    let mut title = format!("Certified Secure — {}", report.input.package_id);
    if let Some(v) = &report.input.version {
        title.push(' ');
        title.push_str(v);
    }
    Metadata::new()
        .title(title)
        .creator(format!("{} {}", report.tool.name, report.tool.version))
        .creation_date(date)
        .document_id(format!("{}@{}", report.build_id, report.time.utc))
        .language("en".into())
}
