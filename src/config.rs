//! `book.toml`: what a talk is made of, found from the current folder up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Location, Result};

pub const CONFIG_FILE: &str = "book.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    pub book: BookConfig,
    pub build: BuildConfig,
    pub handout: HandoutConfig,
    pub verify: VerifyConfig,
    pub export: ExportConfig,
    #[serde(rename = "deck")]
    pub decks: Vec<DeckConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct BookConfig {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub date: Option<String>,
    pub language: String,
    /// A line at the foot of every slide.
    pub footer: Option<String>,
    /// A picture in the corner of every slide.
    pub logo: Option<PathBuf>,
}

impl Default for BookConfig {
    fn default() -> Self {
        BookConfig {
            title: None,
            authors: Vec::new(),
            description: None,
            date: None,
            language: "en".into(),
            footer: None,
            logo: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct BuildConfig {
    /// Where decks are written, relative to the root.
    pub build_dir: PathBuf,
    /// Folders searched after the root for includes (m4's `-I`).
    pub include_path: Vec<PathBuf>,
    /// Headings up to this level start a slide.
    #[serde(deserialize_with = "slide_level")]
    pub slide_level: u8,
    pub aspect_ratio: AspectRatio,
    /// Lets includes and references resolve outside the root.
    pub allow_outside_root: bool,
    /// Lets `build-dir` lead outside the root (`-o` always may).
    pub allow_build_dir_outside_root: bool,
    /// Warnings (a missing picture, a comment left open) fail a build.
    pub strict: bool,
    /// A folder or URL with a real reveal.js to use instead of the
    /// built-in runtime.
    pub reveal: Option<String>,
    /// The built-in runtime's look.
    pub theme: Theme,
    /// Stylesheets of the talk's own, read after the theme's rules.
    pub css: Vec<PathBuf>,
    /// Every deck shows its lists an item at a time.
    pub incremental: bool,
    /// Each deck also packed into one file beside its folder.
    pub archive: Option<ArchiveFormat>,
    /// The talk may load pictures, scripts and styles from the network.
    pub allow_remote: bool,
    /// How fast the notes are spoken, for each slide's time.
    pub words_per_minute: u32,
    /// The least time a slide takes, however short its notes.
    pub min_seconds_per_slide: u32,
}

/// The file a deck is packed into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
pub enum ArchiveFormat {
    #[serde(rename = "zip")]
    #[value(name = "zip")]
    Zip,
    #[serde(rename = "tar.gz")]
    #[value(name = "tar.gz")]
    TarGz,
}

impl ArchiveFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::TarGz => "tar.gz",
        }
    }
}

/// The built-in themes: all offline, with the system's fonts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    #[default]
    Light,
    Dark,
    /// Black on white at full strength, large rules: for projectors in
    /// bright rooms.
    HighContrast,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::HighContrast => "high-contrast",
        }
    }
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            build_dir: PathBuf::from("book"),
            include_path: Vec::new(),
            slide_level: 2,
            aspect_ratio: AspectRatio::Wide,
            allow_outside_root: false,
            allow_build_dir_outside_root: false,
            strict: false,
            reveal: None,
            theme: Theme::Light,
            css: Vec::new(),
            incremental: false,
            archive: None,
            allow_remote: false,
            words_per_minute: 130,
            min_seconds_per_slide: 10,
        }
    }
}

/// How `slidebook verify` runs the talk's commands: `[verify]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct VerifyConfig {
    /// Seconds a command may run.
    pub timeout: u64,
    /// Commands not run (by name, `*` for any text): those that need a
    /// cloud, say.
    pub skip: Vec<String>,
    /// What varies from run to run (dates, ids, temporary paths), made
    /// alike in both texts before they are compared.
    pub normalize: Vec<Normalize>,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig {
            timeout: 30,
            skip: Vec::new(),
            normalize: Vec::new(),
        }
    }
}

/// A regular expression, and what stands for each of its matches.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Normalize {
    pub pattern: toml::Spanned<String>,
    #[serde(default)]
    pub replace: String,
}

/// `[export]`: what `slidebook export` builds presentations with; the
/// same settings are its flags.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExportConfig {
    /// The `.odp` whose styles and master pages an ODP export uses.
    pub template: Option<PathBuf>,
    /// Its master for content slides and for section slides, by stored or
    /// display name.
    pub content_master: Option<String>,
    pub break_master: Option<String>,
    /// The `.pptx` whose layouts a PPTX export uses.
    pub reference_doc: Option<PathBuf>,
}

/// How the handout is laid out on paper: `[handout]` in `book.toml`, or
/// the flags of `build` and `pdf`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct HandoutConfig {
    /// Entries on a printed page (1 to 6); unset: 3 with the notes beside
    /// the slide, 2 with the notes below it.
    #[serde(deserialize_with = "per_page")]
    pub slides_per_page: Option<u8>,
    pub notes: NotesPlace,
    pub paper: Paper,
    /// A slide built up over several steps (the same title, each step
    /// extending the one before) is one entry, or one entry per step.
    pub steps: Steps,
}

impl HandoutConfig {
    pub fn per_page(&self) -> u8 {
        self.slides_per_page.unwrap_or(match self.notes {
            NotesPlace::Beside => 3,
            NotesPlace::Below => 2,
        })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum NotesPlace {
    #[default]
    Beside,
    Below,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Width and height in millimetres.
    pub fn size_mm(self) -> (f64, f64) {
        match self {
            Paper::A4 => (210.0, 297.0),
            Paper::Letter => (215.9, 279.4),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Steps {
    /// One entry per built-up slide: its last step, with every step's notes.
    #[default]
    Last,
    /// One entry per step, as in the deck.
    Every,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum AspectRatio {
    #[default]
    #[serde(rename = "16:9")]
    Wide,
    #[serde(rename = "4:3")]
    Standard,
}

impl AspectRatio {
    /// The logical slide size in CSS pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            AspectRatio::Wide => (1280, 720),
            AspectRatio::Standard => (1024, 768),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AspectRatio::Wide => "16:9",
            AspectRatio::Standard => "4:3",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DeckConfig {
    /// With its place in `book.toml`, for problems found across decks.
    pub name: toml::Spanned<String>,
    pub source: PathBuf,
    #[serde(default)]
    pub title: Option<String>,
    /// Macros defined before the source is read (m4's `-D`).
    #[serde(default)]
    pub defines: BTreeMap<String, String>,
    /// Lists are shown an item at a time (`[build] incremental` when unset).
    #[serde(default)]
    pub incremental: Option<bool>,
    /// How long the talk may take: `check` warns when its notes take
    /// longer.
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// A talk: its root folder and its configuration.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    /// The `book.toml` read, if there was one.
    pub config_file: Option<PathBuf>,
    pub config: Config,
}

impl Project {
    /// The talk around the current folder: the folder of the nearest
    /// `book.toml` above it, else the folder itself; `root` overrides.
    pub fn discover(root: Option<&Path>) -> Result<Project> {
        let cwd = std::env::current_dir().map_err(Error::io("."))?;
        let root = match root {
            Some(r) => {
                let r = cwd.join(r);
                if !r.is_dir() {
                    return Err(Error::Usage(format!(
                        "--root {}: no such folder",
                        r.display()
                    )));
                }
                r
            }
            None => cwd
                .ancestors()
                .find(|d| d.join(CONFIG_FILE).is_file())
                .unwrap_or(&cwd)
                .to_path_buf(),
        };
        let root = crate::paths::normalize(&root);
        let file = root.join(CONFIG_FILE);
        if !file.is_file() {
            return Ok(Project {
                root,
                config_file: None,
                config: Config::default(),
            });
        }
        let text = std::fs::read_to_string(&file).map_err(Error::io(&file))?;
        let config = parse(&text, CONFIG_FILE)?;
        Ok(Project {
            root,
            config_file: Some(file),
            config,
        })
    }

    pub fn deck(&self, name: &str) -> Option<&DeckConfig> {
        self.config.decks.iter().find(|d| d.name.get_ref() == name)
    }
}

/// Parses and checks `book.toml` text; `shown` names the file in errors.
pub fn parse(text: &str, shown: &str) -> Result<Config> {
    let at = |span: std::ops::Range<usize>| (location(text, shown, span.start), span.len());
    // Syntax first, and every unknown key at once, before serde stops at
    // the first problem it meets.
    let table = toml::de::DeTable::parse(text).map_err(|e| {
        let (place, width) = at(e.span().unwrap_or(0..1));
        Diagnostic::new(format!(
            "{shown} is not valid TOML: {}",
            e.message().trim_end()
        ))
        .at(place, width)
        .help("check the quotes, brackets and `=` on this line")
    })?;
    let unknown = unknown_keys(table.get_ref());
    if !unknown.is_empty() {
        let problems = unknown
            .into_iter()
            .map(|(key, span, section, known)| {
                let (place, width) = at(span);
                let help = match crate::suggest::closest(&key, known.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("{section} takes {}", known.join(", ")),
                };
                Diagnostic::new(format!("{shown}: unknown key `{key}` in {section}"))
                    .at(place, width)
                    .help(help)
            })
            .collect();
        return Err(Error::Talk(problems));
    }
    let config: Config = toml::from_str(text).map_err(|e| {
        let (place, width) = at(e.span().unwrap_or(0..1));
        let message = e.message().trim_end().to_string();
        Diagnostic::new(format!("{shown}: {message}"))
            .at(place, width)
            .help("see the README for the keys book.toml accepts")
    })?;
    validate(&config, text, shown)?;
    Ok(config)
}

/// The keys each table takes; a test holds them against the structs.
const TOP_KEYS: &[&str] = &["book", "build", "handout", "verify", "export", "deck"];
const BOOK_KEYS: &[&str] = &[
    "title",
    "authors",
    "description",
    "date",
    "language",
    "footer",
    "logo",
];
const BUILD_KEYS: &[&str] = &[
    "build-dir",
    "include-path",
    "slide-level",
    "aspect-ratio",
    "allow-outside-root",
    "allow-build-dir-outside-root",
    "strict",
    "reveal",
    "theme",
    "css",
    "incremental",
    "archive",
    "allow-remote",
    "words-per-minute",
    "min-seconds-per-slide",
];
const HANDOUT_KEYS: &[&str] = &["slides-per-page", "notes", "paper", "steps"];
const VERIFY_KEYS: &[&str] = &["timeout", "skip", "normalize"];
const EXPORT_KEYS: &[&str] = &[
    "template",
    "content-master",
    "break-master",
    "reference-doc",
];
const DECK_KEYS: &[&str] = &[
    "name",
    "source",
    "title",
    "defines",
    "incremental",
    "minutes",
];

/// Every key of the document that no table takes: the key, where it is,
/// its table, and the keys that table does take.
fn unknown_keys(
    doc: &toml::de::DeTable<'_>,
) -> Vec<(
    String,
    std::ops::Range<usize>,
    &'static str,
    &'static [&'static str],
)> {
    let mut found = Vec::new();
    let mut check =
        |table: &toml::de::DeTable<'_>, section: &'static str, known: &'static [&'static str]| {
            for key in table.keys() {
                if !known.contains(&key.get_ref().as_ref()) {
                    found.push((key.get_ref().to_string(), key.span(), section, known));
                }
            }
        };
    check(doc, "book.toml", TOP_KEYS);
    for (key, value) in doc {
        let value = value.get_ref();
        match key.get_ref().as_ref() {
            "book" => value
                .as_table()
                .into_iter()
                .for_each(|t| check(t, "[book]", BOOK_KEYS)),
            "build" => value
                .as_table()
                .into_iter()
                .for_each(|t| check(t, "[build]", BUILD_KEYS)),
            "handout" => value
                .as_table()
                .into_iter()
                .for_each(|t| check(t, "[handout]", HANDOUT_KEYS)),
            "verify" => value
                .as_table()
                .into_iter()
                .for_each(|t| check(t, "[verify]", VERIFY_KEYS)),
            "export" => value
                .as_table()
                .into_iter()
                .for_each(|t| check(t, "[export]", EXPORT_KEYS)),
            "deck" => {
                for deck in value.as_array().into_iter().flat_map(|a| a.iter()) {
                    if let Some(t) = deck.get_ref().as_table() {
                        check(t, "[[deck]]", DECK_KEYS);
                    }
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|(_, span, _, _)| span.start);
    found
}

/// `slide-level`, refused outside 1 to 6 while the parser still knows
/// where the value stands.
fn slide_level<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<u8, D::Error> {
    let level = i64::deserialize(d)?;
    match u8::try_from(level) {
        Ok(l @ 1..=6) => Ok(l),
        _ => Err(serde::de::Error::custom(format!(
            "slide-level must be between 1 and 6, not {level}"
        ))),
    }
}

fn per_page<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<u8>, D::Error> {
    let n = i64::deserialize(d)?;
    match u8::try_from(n) {
        Ok(n @ 1..=6) => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!(
            "slides-per-page must be between 1 and 6, not {n}"
        ))),
    }
}

/// What the parser cannot see in one value: each deck's name, and that no
/// two decks share one.
fn validate(config: &Config, text: &str, shown: &str) -> Result<()> {
    // The build folder is served as it is: it may not be the talk itself.
    let build_dir = crate::paths::normalize(&config.build.build_dir);
    if build_dir.as_os_str().is_empty() {
        let at = text.find("build-dir").unwrap_or(0);
        return Err(Diagnostic::new(format!(
            "{shown}: build-dir `{}` is the talk's own folder",
            config.build.build_dir.display()
        ))
        .at(location(text, shown, at), "build-dir".len())
        .help("name a folder for the decks, such as \"book\"")
        .into());
    }
    for n in &config.verify.normalize {
        if let Err(e) = regex::Regex::new(n.pattern.get_ref()) {
            let why = e.to_string();
            let why = why
                .lines()
                .last()
                .unwrap_or("")
                .trim_start_matches("error: ");
            let span = n.pattern.span();
            return Err(Diagnostic::new(format!(
                "{shown}: normalize pattern {} is not a regular expression: {why}",
                &text[span.clone()]
            ))
            .at(location(text, shown, span.start), span.len())
            .help("patterns are Rust regular expressions (the regex crate's syntax)")
            .into());
        }
    }
    let zero = |key: &str, value: Option<u32>| -> Result<()> {
        if value != Some(0) {
            return Ok(());
        }
        let at = text
            .find(&format!("{key} "))
            .or(text.find(key))
            .unwrap_or(0);
        Err(
            Diagnostic::new(format!("{shown}: {key} must be at least 1"))
                .at(location(text, shown, at), key.len())
                .into(),
        )
    };
    zero("words-per-minute", Some(config.build.words_per_minute))?;
    for deck in &config.decks {
        zero("minutes", deck.minutes)?;
    }
    if config.verify.timeout == 0 {
        let at = text.find("timeout").unwrap_or(0);
        return Err(Diagnostic::new(format!(
            "{shown}: the [verify] timeout must be at least 1 second"
        ))
        .at(location(text, shown, at), "timeout".len())
        .into());
    }
    let mut seen: Vec<&str> = Vec::new();
    for deck in &config.decks {
        let name = deck.name.get_ref().as_str();
        let problem = if name.is_empty()
            || name.starts_with('.')
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control)
        {
            format!("deck name `{name}` is not a plain folder name")
        } else if seen.contains(&name) {
            format!("deck name `{name}` is used by an earlier [[deck]]")
        } else {
            seen.push(name);
            continue;
        };
        let span = deck.name.span();
        return Err(Diagnostic::new(format!("{shown}: {problem}"))
            .at(location(text, shown, span.start), span.len())
            .help("each [[deck]] needs a name of its own, without `/` or a leading `.`; it becomes the deck's folder under the build folder")
            .into());
    }
    Ok(())
}

fn location(text: &str, file: &str, offset: usize) -> Location {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_text = text[line_start..].lines().next().unwrap_or("");
    let col = text[line_start..offset].chars().count() as u32 + 1;
    Location::in_file(file, line, col, line_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_what_is_missing() {
        let c = parse("[book]\ntitle = \"T\"\n", "book.toml").unwrap();
        assert_eq!(c.build.build_dir, PathBuf::from("book"));
        assert_eq!(c.build.slide_level, 2);
        assert_eq!(c.build.aspect_ratio, AspectRatio::Wide);
        assert!(c.decks.is_empty());
    }

    #[test]
    fn decks_with_defines() {
        let c = parse(
            "[[deck]]\nname = \"short\"\nsource = \"slides/short.md\"\ndefines = { SHORT = \"1\" }\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(c.decks[0].defines["SHORT"], "1");
    }

    #[test]
    fn unknown_keys_are_named_all_at_once_with_a_near_one() {
        let text = "[book]\ntitel = \"x\"\ncolour = 1\n[[deck]]\nname = \"a\"\nsorce = \"a.md\"\n";
        let Err(Error::Talk(d)) = parse(text, "book.toml") else {
            panic!("expected an error");
        };
        let got: Vec<(&str, u32, Option<&str>)> = d
            .iter()
            .map(|d| {
                (
                    d.message.as_str(),
                    d.at.as_ref().unwrap().line,
                    d.help.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "book.toml: unknown key `titel` in [book]",
                    2,
                    Some("did you mean `title`?")
                ),
                (
                    "book.toml: unknown key `colour` in [book]",
                    3,
                    Some("[book] takes title, authors, description, date, language, footer, logo")
                ),
                (
                    "book.toml: unknown key `sorce` in [[deck]]",
                    6,
                    Some("did you mean `source`?")
                ),
            ]
        );
    }

    /// The key lists are the structs' own fields: serde, told of a key no
    /// table has, lists the ones it expects.
    #[test]
    fn the_key_lists_match_the_structs() {
        for (section, known) in [
            ("[book]", BOOK_KEYS),
            ("[build]", BUILD_KEYS),
            ("[handout]", HANDOUT_KEYS),
            ("[verify]", VERIFY_KEYS),
            ("[export]", EXPORT_KEYS),
            ("[[deck]]", DECK_KEYS),
        ] {
            let text = format!("{section}\nzzz = 1\n");
            let e = toml::from_str::<Config>(&text).unwrap_err();
            let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            assert!(
                e.message().contains(&expected.join(", ")),
                "{section}: {}",
                e.message()
            );
        }
    }
}
