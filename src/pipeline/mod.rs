//! The part every command shares: which decks to work on, their sources
//! read and expanded ([`load`]), split into slides with their files
//! resolved ([`analyze`]). What comes out, [`Analyzed`], is everything a
//! build needs before it writes; `check` stops there.

mod access;
mod assets;
pub mod fit;
mod offline;
mod replay;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::{Config, Project};
use crate::deck::{self, Cover, Deck, SlideKind, TextProblem};
use crate::error::{self, Diagnostic, Error, Result};
use crate::html::{Highlighter, Markdown};
use crate::m4::{self, Expanded, ProblemKind};
pub use crate::source::Reading;
use crate::source::{LoadError, SourceId, Sources};
pub use assets::{local_path, Assets, MARKER, PAGES};

/// One deck to work on: from `book.toml`, or a file named on the command
/// line.
#[derive(Clone, Debug)]
pub struct DeckSpec {
    pub name: String,
    /// The entry file, absolute.
    pub source: PathBuf,
    pub title: Option<String>,
    pub defines: Vec<(String, String)>,
    /// Lists are shown an item at a time.
    pub incremental: bool,
    /// How long the talk may take, when book.toml says.
    pub minutes: Option<u32>,
}

/// The decks the command line names: deck names from `book.toml` or paths
/// of Markdown files; every deck of the book when none is named.
pub fn select(project: &Project, names: &[String]) -> Result<Vec<DeckSpec>> {
    let from_config = |d: &crate::config::DeckConfig| DeckSpec {
        name: d.name.get_ref().clone(),
        source: project.root.join(&d.source),
        title: d.title.clone(),
        defines: d.defines.clone().into_iter().collect(),
        incremental: d.incremental.unwrap_or(project.config.build.incremental),
        minutes: d.minutes,
    };
    if names.is_empty() {
        if project.config.decks.is_empty() {
            let why = match &project.config_file {
                Some(f) => format!("{} has no [[deck]]", f.display()),
                None => format!(
                    "there is no book.toml in {} or above",
                    project.root.display()
                ),
            };
            return Err(Error::Usage(format!(
                "no deck to work on: {why}; name a Markdown file, or run `slidebook init`"
            )));
        }
        return Ok(project.config.decks.iter().map(from_config).collect());
    }
    names
        .iter()
        .map(|n| {
            if let Some(d) = project.deck(n) {
                return Ok(from_config(d));
            }
            let path = Path::new(n);
            // Anything there but a folder is read, so that a pipe or a
            // broken link is named for what it is.
            if path.symlink_metadata().is_ok() && !path.is_dir() {
                let stem = deck_name_for(path);
                return Ok(DeckSpec {
                    name: stem,
                    source: std::env::current_dir().unwrap_or_default().join(path),
                    title: None,
                    defines: Vec::new(),
                    incremental: project.config.build.incremental,
                    minutes: None,
                });
            }
            let decks: Vec<&str> = project
                .config
                .decks
                .iter()
                .map(|d| d.name.get_ref().as_str())
                .collect();
            let known = if decks.is_empty() {
                String::new()
            } else {
                format!(" (decks: {})", decks.join(", "))
            };
            Err(Error::Usage(format!("no deck or file named `{n}`{known}")))
        })
        .collect()
}

/// What builds keep for the next one, so that `watch` and `serve` redo
/// only what a save changed: the files read (until the watcher says they
/// changed), each deck's last expansion, and its slides by the text they
/// came from.
#[derive(Default)]
pub struct Memory {
    pub files: Arc<crate::source::Memory>,
    decks: Mutex<std::collections::HashMap<String, Arc<deck::Memory>>>,
    expansions: Mutex<std::collections::HashMap<String, replay::Kept>>,
}

impl Memory {
    fn deck(&self, name: &str) -> Arc<deck::Memory> {
        let mut decks = self.decks.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(decks.entry(name.to_string()).or_default())
    }

    fn expansions(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, replay::Kept>> {
        self.expansions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets everything: the next build reads and walks it all.
    pub fn forget_all(&self) {
        self.files.forget_all();
        self.decks.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.expansions().clear();
    }
}

/// A deck's sources, read and expanded.
pub struct Loaded {
    pub sources: Sources,
    /// Shared with what `watch` keeps for the next build.
    pub expanded: Arc<Expanded>,
}

fn sources_for(
    root: &Path,
    config: &Config,
    extra_includes: &[PathBuf],
    reading: Reading,
) -> Sources {
    let mut dirs = config.build.include_path.clone();
    dirs.extend(extra_includes.iter().cloned());
    m4::sources(root, &dirs, config.build.allow_outside_root, reading)
}

/// Reads and expands a deck, its files read as `reading` says. Errors here are about the entry file itself;
/// problems inside the talk are in `expanded.problems`.
pub fn load(
    project: &Project,
    spec: &DeckSpec,
    extra_includes: &[PathBuf],
    reading: Reading,
) -> Result<Loaded> {
    load_remembering(project, spec, extra_includes, reading, None)
}

/// As [`load`], taking files from `memory` where it still has them.
fn load_remembering(
    project: &Project,
    spec: &DeckSpec,
    extra_includes: &[PathBuf],
    reading: Reading,
    memory: Option<&Memory>,
) -> Result<Loaded> {
    let open = || -> Result<(Sources, SourceId)> {
        let mut sources = sources_for(&project.root, &project.config, extra_includes, reading);
        if let Some(memory) = memory {
            sources = sources.remembering(Arc::clone(&memory.files));
        }
        let entry = load_entry(&mut sources, &spec.source)?;
        Ok((sources, entry))
    };
    let options = m4::Options {
        defines: spec.defines.clone(),
        ..Default::default()
    };
    let (mut sources, mut entry) = open()?;
    let last = memory.and_then(|m| m.expansions().remove(&spec.name));
    if let (Some(memory), Some(last)) = (memory, last) {
        if let Some((expanded, kept)) = last.replay(&mut sources, &options) {
            memory.expansions().insert(spec.name.clone(), kept);
            return Ok(Loaded { sources, expanded });
        }
        // The lookups made for the replay are not this expansion's.
        (sources, entry) = open()?;
    }
    let expanded = Arc::new(m4::expand(&mut sources, entry, &options));
    if let Some(memory) = memory {
        let kept = replay::Kept::new(&sources, &spec.defines, &expanded);
        memory.expansions().insert(spec.name.clone(), kept);
    }
    Ok(Loaded { sources, expanded })
}

fn load_entry(sources: &mut Sources, path: &Path) -> Result<SourceId> {
    let shown = sources.display(path);
    sources.load_entry(path).map_err(|e| {
        let d = match e {
            LoadError::NotFound => Diagnostic::new(format!("cannot read `{shown}`: no such file"))
                .help("check the deck's `source` in book.toml, or the path on the command line"),
            LoadError::IsDirectory => {
                Diagnostic::new(format!("cannot read `{shown}`: it is a folder"))
            }
            other => other.diagnostic(&shown, false),
        };
        d.into()
    })
}

impl Loaded {
    /// The expansion's problems as diagnostics. `strict` is every command
    /// but `expand`: there a comment cut off by the end of the input is
    /// just the last line of the talk, as the include language reads it.
    pub fn problem_diagnostics(&self, strict: bool) -> Vec<Diagnostic> {
        self.expanded
            .problems
            .iter()
            .filter(|p| !(strict && matches!(p.kind, ProblemKind::UnterminatedComment { .. })))
            .map(|p| p.diagnostic(&self.sources, &self.expanded.map))
            .collect()
    }
}

/// A deck read, expanded, split and with its files resolved: everything a
/// build needs before it writes.
pub struct Analyzed {
    pub spec: DeckSpec,
    pub loaded: Loaded,
    pub deck: Deck,
    pub cover: Cover,
    pub assets: Assets,
    /// Slides that surely cannot fit, by estimate (`check --layout`
    /// measures instead).
    pub overflows: Vec<Diagnostic>,
    /// The other problems that lose something the slides show in its
    /// place (a missing picture, a comment left open).
    pub warnings: Vec<Diagnostic>,
    /// Where the page loads reveal.js from, when the talk uses it.
    pub reveal: Option<String>,
}

impl Analyzed {
    /// What a build goes on despite, and `check` fails on: the slides that
    /// cannot fit, then the rest.
    pub fn all_warnings(&self) -> impl Iterator<Item = &Diagnostic> + '_ {
        self.overflows.iter().chain(&self.warnings)
    }

    /// Every file the deck is made from (sources, then copied files),
    /// where it really is.
    pub fn inputs(&self) -> impl Iterator<Item = &Path> + '_ {
        let copies = self.assets.values().map(PathBuf::as_path);
        self.loaded.sources.real_paths().chain(copies)
    }
}

/// Runs the pipeline up to writing. Any problem in the talk fails it, with
/// every problem found.
pub fn analyze(project: &Project, spec: &DeckSpec, hl: &Highlighter) -> Result<Analyzed> {
    analyze_remembering(project, spec, hl, None)
}

/// As [`analyze`], taking from `memory` what earlier builds did and
/// keeping there what this one does.
fn analyze_remembering(
    project: &Project,
    spec: &DeckSpec,
    hl: &Highlighter,
    memory: Option<&Memory>,
) -> Result<Analyzed> {
    let loaded = load_remembering(project, spec, &[], Reading::Talk, memory)?;
    let slides_kept = memory.map(|m| m.deck(&spec.name));
    let mut problems = loaded.problem_diagnostics(true);
    let book = &project.config.book;
    let title_known = spec.title.is_some() || book.title.is_some();
    let split = |missing_images| {
        let markdown = Markdown {
            highlighter: hl,
            missing_images,
        };
        let level = project.config.build.slide_level;
        // Boxes for missing pictures are rare: those slides are not kept.
        let kept = slides_kept.as_deref().filter(|_| missing_images.is_none());
        deck::split_remembering(&loaded.expanded.text, level, title_known, &markdown, kept)
    };
    let mut deck = split(None);
    let mut warnings = Vec::new();
    // A formula that cannot be shown is an error; the rest lose little.
    for p in &deck.text_problems {
        match p {
            TextProblem::Formula { .. } => problems.push(text_problem(&loaded, p)),
            _ => warnings.push(text_problem(&loaded, p)),
        }
    }
    warnings.extend(dead_anchors(&loaded, &deck));
    warnings.extend(offline::remote_loads(project, &loaded, &deck));
    // The estimate knows the built-in stylesheet only: a talk's own
    // stylesheet may set other sizes (`check --layout` measures those).
    let own_css = !project.config.build.css.is_empty();
    let overflows = if own_css || project.root.join("templates/deck.css").is_file() {
        Vec::new()
    } else {
        sure_overflows(&loaded, &deck)
    };
    let mut resolved = assets::resolve(&loaded, &deck);
    problems.extend(resolved.problems);
    let css = &project.config.build.css;
    problems.extend(assets::book_files(
        &loaded,
        css,
        "stylesheet",
        "[build] css",
        &mut resolved.assets,
    ));
    let logo: Vec<PathBuf> = project.config.book.logo.iter().cloned().collect();
    problems.extend(assets::book_files(
        &loaded,
        &logo,
        "logo",
        "[book] logo",
        &mut resolved.assets,
    ));
    let reveal = project.config.build.reveal.as_deref();
    let reveal = assets::reveal(&loaded, reveal, &mut resolved.assets, &mut problems);
    warnings.extend(resolved.missing);
    if !problems.is_empty() {
        // Every problem is told, the lesser ones as what they are.
        problems.extend(overflows.into_iter().chain(warnings));
        return Err(Error::Talk(problems));
    }
    // Missing pictures show as boxes that name them: rarely needed, so the
    // deck is split again only then.
    if !resolved.missing_images.is_empty() {
        deck = split(Some(&resolved.missing_images));
    }
    deck.reveal_lists(spec.incremental, &loaded.expanded.text);
    let build = &project.config.build;
    deck.pace(
        &loaded.expanded.text,
        build.words_per_minute,
        build.min_seconds_per_slide,
    );
    let assets = resolved.assets;
    Ok(Analyzed {
        cover: cover(project, spec, &deck),
        spec: spec.clone(),
        loaded,
        deck,
        assets,
        overflows,
        warnings,
        reveal,
    })
}

/// `m:ss` (or `h:mm:ss`) for a number of seconds.
pub fn clock(seconds: u64) -> String {
    match seconds {
        0..3600 => format!("{}:{:02}", seconds / 60, seconds % 60),
        _ => format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        ),
    }
}

/// What is worth saying of an analysed deck but never fails a run: it
/// takes longer than its `minutes`; what makes it harder to follow (a
/// picture without a text, a slide without a title). Only `check` asks,
/// so builds and rebuilds do not pay for it.
pub fn advice(project: &Project, a: &Analyzed) -> Vec<Diagnostic> {
    let mut advice: Vec<Diagnostic> = over_time(project, &a.spec, &a.deck).into_iter().collect();
    advice.extend(access::lint(project, &a.loaded, &a.deck));
    advice
}

/// A deck whose notes take more than a tenth longer than its `minutes`.
fn over_time(project: &Project, spec: &DeckSpec, deck: &Deck) -> Option<Diagnostic> {
    let minutes = u64::from(spec.minutes?);
    let takes = deck.seconds();
    if takes * 10 <= minutes * 60 * 11 {
        return None;
    }
    let wpm = project.config.build.words_per_minute;
    Some(
        Diagnostic::warning(format!(
            "deck `{}` takes about {} by its notes, {}% over its {}",
            spec.name,
            clock(takes),
            (takes * 100).div_ceil(minutes.max(1) * 60).saturating_sub(100),
            error::count(minutes as usize, "minute")
        ))
        .help(format!(
            "shorten the notes or the deck, or give it more minutes; the notes are read at {wpm} words a minute (`words-per-minute` under [build]), each slide {} s at least",
            project.config.build.min_seconds_per_slide
        )),
    )
}

/// Slides whose content surely does not fit, at their headings.
fn sure_overflows(loaded: &Loaded, deck: &Deck) -> Vec<Diagnostic> {
    deck.slides
        .iter()
        .filter_map(|s| fit::sure_overflow(s).map(|why| (s, why)))
        .map(|(s, why)| {
            let d = Diagnostic::warning(format!("this slide does not fit: {why}"))
                .help("split it into two slides, or shorten what it shows");
            slide_diagnostic(loaded, s, d)
        })
        .collect()
}

/// `d` pointed at the heading (or first line) of `slide`.
pub fn slide_diagnostic(loaded: &Loaded, slide: &deck::Slide, d: Diagnostic) -> Diagnostic {
    let (text, map) = (&loaded.expanded.text, &loaded.expanded.map);
    let line = text[slide.at..].split('\n').next().unwrap_or("");
    match map.origin_at(text, slide.at) {
        Some(o) => map.point(&loaded.sources, d, o, line.trim_end().chars().count()),
        None => d,
    }
}

/// Links within the deck to a slide it does not have: `#/N` (slides
/// counted from 0, as the address counts them) or `#id`.
fn dead_anchors(loaded: &Loaded, deck: &Deck) -> Vec<Diagnostic> {
    let (text, map) = (&loaded.expanded.text, &loaded.expanded.map);
    let mut found = Vec::new();
    for r in deck.refs.iter().filter(|r| r.kind == deck::RefKind::Link) {
        let Some(anchor) = r.url.strip_prefix('#') else {
            continue;
        };
        let (message, help) = if let Some(n) = anchor.strip_prefix('/') {
            let n = n.split('/').next().unwrap_or("");
            match n.parse::<usize>() {
                Ok(n) if n < deck.slides.len() => continue,
                _ => (
                    format!(
                        "link to slide `#/{n}`, but the deck has {}",
                        error::count(deck.slides.len(), "slide")
                    ),
                    format!(
                        "slides are counted from 0 in the address: `#/0` to `#/{}`",
                        deck.slides.len().saturating_sub(1)
                    ),
                ),
            }
        } else {
            let id_attr = format!("id=\"{anchor}\"");
            let known = anchor.is_empty()
                || deck.slides.iter().any(|s| {
                    s.id == anchor
                        || s.body_html.contains(&id_attr)
                        || s.notes_html.contains(&id_attr)
                });
            if known {
                continue;
            }
            let ids = deck.slides.iter().map(|s| s.id.as_str());
            let help = match crate::suggest::closest(anchor, ids) {
                Some(near) => format!("did you mean `#{near}`?"),
                None => {
                    "a slide's id is its title in lower case, with dashes for spaces".to_string()
                }
            };
            (
                format!("link to `#{anchor}`, but no slide has that id"),
                help,
            )
        };
        let d = Diagnostic::warning(message).help(help);
        found.push(match map.origin_at(text, r.at) {
            Some(o) => {
                let width = text[r.at..]
                    .find(')')
                    .map_or(1, |i| text[r.at..r.at + i + 1].chars().count());
                map.point(&loaded.sources, d, o, width.min(80))
            }
            None => d,
        });
    }
    found
}

/// A comment written wrongly, as a warning that names both its lines.
fn text_problem(loaded: &Loaded, problem: &TextProblem) -> Diagnostic {
    let (text, map) = (&loaded.expanded.text, &loaded.expanded.map);
    let place = |at: usize| map.origin_at(text, at);
    let (d, at, width) = match *problem {
        TextProblem::Formula { at, ref why } => (
            Diagnostic::new(format!("this formula cannot be read: {why}")).help(
                "write it in LaTeX as MathML can show it (a `$` meant as money is written `\\$`)",
            ),
            at,
            1,
        ),
        TextProblem::Unclosed { at } => (
            Diagnostic::warning("this comment is never closed: `<!--` without `-->`")
                .help("speaker notes are HTML comments; close it with `-->`"),
            at,
            4,
        ),
        TextProblem::Reopened { at, opened } => {
            let opened = match place(opened) {
                Some(o) => {
                    let l = map.location(&loaded.sources, o);
                    format!("{}:{}", l.file, l.line)
                }
                None => "above".into(),
            };
            (
                Diagnostic::warning(format!(
                    "the comment opened at {opened} is still open here"
                ))
                .help("close it with `-->` before this `<!--` (until then, its note runs to the next heading)"),
                at,
                4,
            )
        }
        TextProblem::StrayClose { at } => (
            Diagnostic::warning("`-->` outside any comment").help(
                "a note starts with `<!--`: add it where the note begins, or remove this `-->`",
            ),
            at,
            3,
        ),
    };
    match place(at) {
        Some(o) => map.point(&loaded.sources, d, o, width),
        None => d,
    }
}

/// The title rule, decided here once: the deck's title in `book.toml`,
/// then the front matter's, then the book's, then the deck's name.
/// Authors and date come from the front matter, else from the book.
fn cover(project: &Project, spec: &DeckSpec, deck: &Deck) -> Cover {
    let book = &project.config.book;
    Cover {
        title: spec
            .title
            .clone()
            .or_else(|| deck.meta.title.clone())
            .or_else(|| book.title.clone())
            // A talk with no title anywhere is called by its first part.
            .or_else(|| {
                let first = deck.slides.iter().find(|s| s.kind == SlideKind::Section);
                first.map(|s| s.title.clone()).filter(|t| !t.is_empty())
            })
            .unwrap_or_else(|| spec.name.clone()),
        authors: if deck.meta.authors.is_empty() {
            book.authors.clone()
        } else {
            deck.meta.authors.clone()
        },
        date: deck
            .meta
            .date
            .clone()
            .or_else(|| book.date.clone())
            .unwrap_or_default(),
        footer: book.footer.clone().unwrap_or_default(),
        logo: book
            .logo
            .as_ref()
            .map(|l| crate::paths::normalize(l).to_string_lossy().into_owned()),
    }
}

/// Analyzes every deck named; fails with the problems of all of them.
pub fn analyze_all(
    project: &Project,
    specs: &[DeckSpec],
    hl: &Highlighter,
    memory: Option<&Memory>,
) -> Result<Vec<Analyzed>> {
    let mut ready = Vec::new();
    let mut problems = Vec::new();
    for spec in specs {
        match analyze_remembering(project, spec, hl, memory) {
            Ok(a) => ready.push(a),
            Err(Error::Talk(ds)) => problems.extend(ds),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        dedupe(&mut problems);
        return Err(Error::Talk(problems));
    }
    Ok(ready)
}

/// Keeps the first report of each problem: a file shared by several decks
/// is reported once, through the first deck that reads it.
pub fn dedupe(all: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    all.retain(|d| seen.insert((d.message.clone(), d.at.clone())));
}

/// A deck name for a bare file: its stem, or its folder's name for entry
/// files called `main.md` or `index.md` (as in `lightning/main.md`) unless
/// that folder is a generic `src/` or `slides/`. Made a plain folder name:
/// no separators, control characters or leading dots.
fn deck_name_for(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let folder = std::env::current_dir()
        .unwrap_or_default()
        .join(path)
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned());
    let name = match (stem.as_deref(), folder.as_deref()) {
        (Some("main" | "index"), Some(folder)) if !matches!(folder, "src" | "slides") => folder,
        (Some(stem), _) => stem,
        (None, _) => "",
    };
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c == '/' || c == '\\' {
                '-'
            } else {
                c
            }
        })
        .collect();
    match plain.trim_start_matches('.') {
        "" => "deck".to_string(),
        plain => plain.to_string(),
    }
}
