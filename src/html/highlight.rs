//! Syntax highlighting of fenced code at build time, with syntect. The
//! syntax and theme sets load on the first fence that names a language, so
//! talks without code pay nothing.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::{Theme, ThemeSet};

use super::escape;
use syntect::parsing::SyntaxSet;

const THEME: &str = "InspiredGitHub";

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
