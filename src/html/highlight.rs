//! Syntax highlighting of fenced code at build time, with syntect. The
//! syntax and theme sets load on the first fence that names a language, so
//! talks without code pay nothing.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::{Theme, ThemeSet};

use super::escape;
use syntect::parsing::SyntaxSet;

const THEME: &str = "InspiredGitHub";

/// Highlighted text in one style.
pub struct Styled {
    pub text: String,
    pub colour: Option<[u8; 3]>,
    pub bold: bool,
    pub italic: bool,
}

#[derive(Default)]
pub struct Highlighter {
    loaded: OnceLock<(SyntaxSet, Theme)>,
    /// Talks show the same code again and again (a slide built up step by
    /// step, a command on several slides): highlight each once.
    done: Mutex<HashMap<(String, String), String>>,
}

impl Highlighter {
    pub fn new() -> Highlighter {
        Highlighter::default()
    }

    fn sets(&self) -> &(SyntaxSet, Theme) {
        self.loaded.get_or_init(|| {
            let syntaxes = SyntaxSet::load_defaults_newlines();
            let mut themes = ThemeSet::load_defaults();
            let theme = themes
                .themes
                .remove(THEME)
                .expect("syntect ships this theme");
            (syntaxes, theme)
        })
    }

    /// Whether `lang` (a fence's info word: `rust`, `sh`, `yaml`…) is known.
    pub fn knows(&self, lang: &str) -> bool {
        self.sets().0.find_syntax_by_token(lang).is_some()
    }

    /// The code as a `<pre>` with inline colours.
    pub fn highlight(&self, lang: &str, code: &str) -> String {
        let key = (lang.to_string(), code.to_string());
        if let Some(html) = self.done.lock().expect("not poisoned").get(&key) {
            return html.clone();
        }
        let html = self.highlight_uncached(lang, code);
        self.done
            .lock()
            .expect("not poisoned")
            .insert(key, html.clone());
        html
    }

    /// Each line of `code` as runs of text with their colour (none where
    /// `lang` is not known), bold and italic: the deck's colours, for
    /// formats that are not HTML.
    pub fn runs(&self, lang: &str, code: &str) -> Vec<Vec<Styled>> {
        use syntect::easy::HighlightLines;
        use syntect::highlighting::FontStyle;
        use syntect::util::LinesWithEndings;
        let plain = |line: &str| {
            vec![Styled {
                text: line.to_string(),
                colour: None,
                bold: false,
                italic: false,
            }]
        };
        if lang.is_empty() || !self.knows(lang) {
            return code.split('\n').map(plain).collect();
        }
        let (syntaxes, theme) = self.sets();
        let syntax = syntaxes
            .find_syntax_by_token(lang)
            .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
        let mut h = HighlightLines::new(syntax, theme);
        let mut lines = Vec::new();
        for line in LinesWithEndings::from(code) {
            let text = line.strip_suffix('\n').unwrap_or(line);
            let runs = match h.highlight_line(line, syntaxes) {
                Ok(regions) => regions
                    .into_iter()
                    .map(|(style, t)| {
                        let c = style.foreground;
                        Styled {
                            text: t.strip_suffix('\n').unwrap_or(t).to_string(),
                            colour: Some([c.r, c.g, c.b]),
                            bold: style.font_style.contains(FontStyle::BOLD),
                            italic: style.font_style.contains(FontStyle::ITALIC),
                        }
                    })
                    .filter(|r| !r.text.is_empty())
                    .collect(),
                Err(_) => plain(text),
            };
            lines.push(runs);
        }
        if code.ends_with('\n') || code.is_empty() {
            lines.push(Vec::new());
        }
        lines
    }

    /// The code with each line in its own `<span class="line">`: those in
    /// `marked` (line numbers from 1) also `hl`, and numbered when
    /// `numbers`. `lang` colours it when known.
    pub fn highlight_lines(
        &self,
        lang: &str,
        code: &str,
        marked: &[std::ops::RangeInclusive<usize>],
        numbers: bool,
    ) -> String {
        use syntect::easy::HighlightLines;
        use syntect::html::{styled_line_to_highlighted_html, IncludeBackground};
        use syntect::util::LinesWithEndings;
        let known = !lang.is_empty() && self.knows(lang);
        let (syntaxes, theme) = self.sets();
        let bg = theme
            .settings
            .background
            .unwrap_or(syntect::highlighting::Color::WHITE);
        let mut colours = known.then(|| {
            let syntax = syntaxes
                .find_syntax_by_token(lang)
                .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
            HighlightLines::new(syntax, theme)
        });
        let mut class = String::from("code sb-lines");
        if !lang.is_empty() {
            class.push_str(&format!(" language-{}", escape(lang)));
        }
        if numbers {
            class.push_str(" sb-numbered");
        }
        let mut html = format!(
            "<pre class=\"{class}\" style=\"background-color:#{:02x}{:02x}{:02x};\"><code>",
            bg.r, bg.g, bg.b
        );
        for (i, line) in LinesWithEndings::from(code).enumerate() {
            let n = i + 1;
            let text = line.strip_suffix('\n').unwrap_or(line);
            let inner = match colours.as_mut() {
                Some(h) => h
                    .highlight_line(line, syntaxes)
                    .ok()
                    .and_then(|regions| {
                        // The line's end stays outside its span.
                        let regions: Vec<_> = regions
                            .into_iter()
                            .map(|(style, t)| (style, t.strip_suffix('\n').unwrap_or(t)))
                            .collect();
                        styled_line_to_highlighted_html(
                            &regions,
                            IncludeBackground::IfDifferent(bg),
                        )
                        .ok()
                    })
                    .unwrap_or_else(|| escape(text).into_owned()),
                None => escape(text).into_owned(),
            };
            let hl = if marked.iter().any(|r| r.contains(&n)) {
                " hl"
            } else {
                ""
            };
            html.push_str(&format!(
                "<span class=\"line{hl}\" data-line=\"{n}\">{inner}</span>\n"
            ));
        }
        html.push_str("</code></pre>\n");
        html
    }

    fn highlight_uncached(&self, lang: &str, code: &str) -> String {
        let (syntaxes, theme) = self.sets();
        let syntax = syntaxes
            .find_syntax_by_token(lang)
            .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
        match syntect::html::highlighted_html_for_string(code, syntaxes, syntax, theme) {
            Ok(html) => html.replacen(
                "<pre ",
                &format!("<pre class=\"code language-{}\" ", escape(lang)),
                1,
            ),
            Err(_) => format!("<pre><code>{}</code></pre>\n", escape(code)),
        }
    }
}
