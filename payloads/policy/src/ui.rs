//! Dialog texts for the device language: the exact tag, then its primary subtag, then
//! the default — field by field, so a `pt-br` entry that only changes the message still
//! gets the `pt` title.

use alloc::vec::Vec;

use crate::model::{LocalizedUi, Ui};

impl Ui {
    /// `(title, message, button labels)` for a device language such as `de`, `pt-BR`
    /// or Android's `pt_BR` (case and `_`/`-` do not matter).
    pub fn for_language(&self, language: &str) -> (&str, &str, Vec<&str>) {
        let primary = language.split(['-', '_']).next().unwrap_or(language);
        let exact = self.find(language);
        let base = if primary.len() < language.len() {
            self.find(primary)
        } else {
            None
        };
        let candidates = [exact, base];
        let title = candidates
            .iter()
            .flatten()
            .find_map(|l| l.title.as_deref())
            .unwrap_or(&self.title);
        let message = candidates
            .iter()
            .flatten()
            .find_map(|l| l.message.as_deref())
            .unwrap_or(&self.message);
        let labels = candidates
            .iter()
            .flatten()
            .find(|l| l.buttons.len() == self.buttons.len() && !l.buttons.is_empty())
            .map(|l| l.buttons.iter().map(|s| s.as_str()).collect())
            .unwrap_or_else(|| self.buttons.iter().map(|b| b.label.as_str()).collect());
        (title, message, labels)
    }

    fn find(&self, tag: &str) -> Option<&LocalizedUi> {
        if tag.is_empty() {
            return None;
        }
        self.localized.iter().find(|l| same_tag(&l.language, tag))
    }
}

/// Case-insensitive, `_` equal to `-`.
fn same_tag(stored: &str, asked: &str) -> bool {
    stored.len() == asked.len()
        && stored.bytes().zip(asked.bytes()).all(|(a, b)| {
            let norm = |c: u8| {
                if c == b'_' {
                    b'-'
                } else {
                    c.to_ascii_lowercase()
                }
            };
            norm(a) == norm(b)
        })
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec;

    use super::*;
    use crate::model::{Button, ButtonAction};

    fn ui() -> Ui {
        Ui {
            title: "Connection not secure".into(),
            message: "The app will close.".into(),
            buttons: vec![
                Button {
                    label: "Close".into(),
                    action: ButtonAction::Close,
                },
                Button {
                    label: "Help".into(),
                    action: ButtonAction::Redirect("https://example.test/help".into()),
                },
            ],
            localized: vec![
                LocalizedUi {
                    language: "de".into(),
                    title: Some("Verbindung nicht sicher".into()),
                    message: Some("Die App wird beendet.".into()),
                    buttons: vec!["Schließen".into(), "Hilfe".into()],
                },
                LocalizedUi {
                    language: "pt".into(),
                    title: Some("Conexão não segura".into()),
                    message: None,
                    buttons: vec![],
                },
                LocalizedUi {
                    language: "pt-br".into(),
                    title: None,
                    message: Some("O app será fechado.".into()),
                    buttons: vec!["Fechar".into(), "Ajuda".into()],
                },
            ],
        }
    }

    fn owned(t: (&str, &str, Vec<&str>)) -> (String, String, Vec<String>) {
        (
            t.0.into(),
            t.1.into(),
            t.2.into_iter().map(String::from).collect(),
        )
    }

    #[test]
    fn exact_tag_wins() {
        let ui = ui();
        let (t, m, b) = owned(ui.for_language("de"));
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("Verbindung nicht sicher", "Die App wird beendet.")
        );
        assert_eq!(b, ["Schließen", "Hilfe"]);
    }

    #[test]
    fn exact_then_primary_subtag_then_default_field_by_field() {
        let ui = ui();
        for tag in ["pt-BR", "pt_br", "PT-br"] {
            let (t, m, b) = owned(ui.for_language(tag));
            assert_eq!(t, "Conexão não segura", "{tag}: title from pt");
            assert_eq!(m, "O app será fechado.", "{tag}: message from pt-br");
            assert_eq!(b, ["Fechar", "Ajuda"]);
        }
        // pt-PT has no entry: primary `pt`, message and labels from the default.
        let (t, m, b) = owned(ui.for_language("pt-PT"));
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("Conexão não segura", "The app will close.")
        );
        assert_eq!(b, ["Close", "Help"]);
        // de-AT falls back to de.
        assert_eq!(ui.for_language("de-AT").0, "Verbindung nicht sicher");
    }

    #[test]
    fn unknown_or_empty_language_gets_the_default() {
        let ui = ui();
        for tag in ["fr", "", "-", "_", "dE-"] {
            let (t, m, b) = ui.for_language(tag);
            if tag == "dE-" {
                assert_eq!(t, "Verbindung nicht sicher");
                continue;
            }
            assert_eq!(
                (t, m),
                ("Connection not secure", "The app will close."),
                "{tag:?}"
            );
            assert_eq!(b, ["Close", "Help"]);
        }
    }
}
