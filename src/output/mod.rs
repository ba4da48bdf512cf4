//! Writing decks: the only place that writes a build's files. Every deck
//! is analyzed first, and only when all are sound, and every deck's
//! folder is one a build may replace ([`place`]), is each one's
//! `index.html`, `handout.html` and files written, into a new folder that
//! then takes the old one's place ([`swap`]).

mod archive;
mod place;
mod swap;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Project;
use crate::error::{count, visible, Diagnostic, Error, Result};
use crate::html::{Highlighter, Page, Templates};
use crate::paths::normalize;
use crate::pipeline::{self, Analyzed};
pub use place::build_dir;

/// Writes `bytes` to `dest` through a temporary file beside it, so that a
/// reader never sees half a file (an exported presentation).
pub fn replace_file(dest: &Path, bytes: &[u8]) -> Result<()> {
    let folder = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(Error::io(&tmp))?;
    std::fs::rename(&tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(dest)(e)
    })
}
use place::Chosen;
use swap::Staging;

/// What a build wrote for one deck.
#[derive(Debug)]
pub struct Built {
    pub name: String,
    /// What the deck lost (missing pictures, say), to be shown before the
    /// summary.
    pub warnings: Vec<Diagnostic>,
    /// Every file the deck was made from, where it really is.
    pub inputs: Vec<PathBuf>,
    pub dir: PathBuf,
    pub slides: usize,
    pub with_notes: usize,
    pub files: usize,
    /// The outlines of the printed deck and handout, when asked for.
    pub outline: Option<Outline>,
    /// The archive the deck was packed into, when asked for.
    pub packed: Option<archive::Packed>,
}

/// What a printed deck and handout are to be marked with.
#[derive(Debug)]
pub struct Outline {
    pub title: String,
    pub authors: String,
    pub slides: Vec<crate::pdf::Mark>,
    pub entries: Vec<crate::pdf::Mark>,
}

impl Built {
    /// What a build prints for the deck: its warnings, then one line.
    pub fn report(&self, project: &Project) -> String {
        let mut s: String = self.warnings.iter().map(Diagnostic::render).collect();
        s.push_str(&self.summary(project));
        s.push('\n');
        if let Some(p) = &self.packed {
            let shown = p.path.strip_prefix(&project.root).unwrap_or(&p.path);
            s.push_str(&format!(
                "packed {} -> {} ({}, {})\n",
                self.name,
                visible(&shown.display().to_string()),
                count(p.files, "file"),
                size(p.bytes)
            ));
        }
        s
    }

    /// The line a build prints for the deck.
    pub fn summary(&self, project: &Project) -> String {
        let shown = self
            .dir
            .strip_prefix(&project.root)
            .unwrap_or(&self.dir)
            .display()
            .to_string();
        format!(
            "built {}: {}, {} with notes, {} copied -> {}/index.html",
            visible(&self.name),
            count(self.slides, "slide"),
            self.with_notes,
            count(self.files, "file"),
            visible(&shown),
        )
    }
}

/// A size as people read it: `812 bytes`, `3.4 KiB`, `12.0 MiB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => count(bytes as usize, "byte"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// Builds the named decks (every deck by default). `out` is the folder
/// for a single deck, or the parent of one folder per deck. Every deck's
/// place is checked before any is written.
pub fn build(project: &Project, targets: &[String], out: Option<&Path>) -> Result<Vec<Built>> {
    Builder::default().build(project, targets, out)
}

/// What builds of one talk can share: the highlighter's syntaxes and the
/// page templates, loaded once for as many rebuilds as `watch` makes.
#[derive(Default)]
pub struct Builder {
    hl: Highlighter,
    templates: Option<Templates>,
    /// What builds keep for the next, when there will be one.
    memory: Option<pipeline::Memory>,
    /// Each deck's outline is wanted (to mark the printed PDFs).
    outline: bool,
    /// Rebuilds while the talk is edited leave `[build] archive` for the
    /// real build.
    live: bool,
}

impl Builder {
    /// A builder for builds that follow one another (`watch`, `serve`):
    /// each keeps what the next can take from it.
    pub fn remembering() -> Builder {
        Builder {
            memory: Some(pipeline::Memory::default()),
            live: true,
            ..Builder::default()
        }
    }

    /// A builder whose builds also give each deck's outline.
    pub fn with_outline(mut self) -> Builder {
        self.outline = true;
        self
    }

    /// Paths that changed since the last build (with `true` for those
    /// created, removed or renamed): what was read from them is read again.
    pub fn forget_files(&self, changed: &[(PathBuf, bool)]) {
        if let Some(memory) = &self.memory {
            memory.files.forget(changed);
        }
    }

    /// The watcher lost track: the next build reads everything again.
    pub fn forget_all(&mut self) {
        if let Some(memory) = &self.memory {
            memory.forget_all();
        }
        self.templates = None;
    }

    /// The talk's templates changed: load them again for the next build.
    pub fn forget_templates(&mut self) {
        self.templates = None;
    }

    /// As [`build`].
    pub fn build(
        &mut self,
        project: &Project,
        targets: &[String],
        out: Option<&Path>,
    ) -> Result<Vec<Built>> {
        if self.templates.is_none() {
            self.templates = Some(Templates::load(&project.root)?);
        }
        let templates = self.templates.as_ref().expect("loaded above");
        let memory = self.memory.as_ref();
        if let Some(m) = memory {
            m.files.begin();
        }
        let built = build_with(
            project,
            targets,
            out,
            (
                &self.hl,
                templates,
                Wanted {
                    outline: self.outline,
                    pack: !self.live,
                },
            ),
            memory,
        );
        if let (Some(m), true) = (memory, built.is_ok()) {
            m.files.end();
        }
        built
    }
}

/// What a build makes besides the deck's folder.
#[derive(Clone, Copy)]
struct Wanted {
    outline: bool,
    pack: bool,
}

fn build_with(
    project: &Project,
    targets: &[String],
    out: Option<&Path>,
    (hl, templates, wanted): (&Highlighter, &Templates, Wanted),
    memory: Option<&pipeline::Memory>,
) -> Result<Vec<Built>> {
    let specs = pipeline::select(project, targets)?;
    let ready = pipeline::analyze_all(project, &specs, hl, memory)?;
    if project.config.build.strict {
        let mut warnings: Vec<Diagnostic> = ready
            .iter()
            .flat_map(|a| a.all_warnings().cloned().map(Diagnostic::as_error))
            .collect();
        pipeline::dedupe(&mut warnings);
        if !warnings.is_empty() {
            return Err(Error::Talk(warnings));
        }
    }
    let single = specs.len() == 1;
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let places = ready
        .iter()
        .map(|a| place_of(project, a, out.map(|o| (cwd.join(o), single))))
        .collect::<Result<Vec<PathBuf>>>()?;
    // Two decks named alike (`a/main.md` and `b/a.md`) would overwrite
    // each other.
    for (i, place) in places.iter().enumerate() {
        if let Some(j) = places[..i].iter().position(|p| p == place) {
            let shown = ready[i].loaded.sources.display(place);
            return Err(Diagnostic::new(format!(
                "decks `{}` and `{}` would both be built into `{shown}`",
                ready[j].spec.source.display(),
                ready[i].spec.source.display()
            ))
            .help("build them one at a time with -o, or give them names of their own in book.toml")
            .into());
        }
    }
    ready
        .into_iter()
        .zip(places)
        .map(|(a, dir)| {
            let built = write_deck(project, &a, templates, &dir, wanted);
            // Freeing a big deck takes a while and nothing waits for it.
            if a.deck.text_len >= crate::par::WORTH_A_THREAD {
                std::thread::spawn(move || drop(a));
            }
            built
        })
        .collect()
}

/// The folder a deck is written to, checked: `out` is `-o`'s folder, made
/// absolute, and whether it is the deck's own (one deck) or a parent of
/// one per deck.
pub fn place_of(project: &Project, a: &Analyzed, out: Option<(PathBuf, bool)>) -> Result<PathBuf> {
    let (dir, chosen) = match out {
        Some((o, true)) => (o, Chosen::CommandLine),
        Some((o, false)) => (o.join(&a.spec.name), Chosen::CommandLine),
        None => (
            project
                .root
                .join(&project.config.build.build_dir)
                .join(&a.spec.name),
            Chosen::BuildDir {
                outside_allowed: project.config.build.allow_build_dir_outside_root,
            },
        ),
    };
    let dir = normalize(&dir);
    let sources: Vec<&Path> = a.inputs().collect();
    let shown = a.loaded.sources.display(&dir);
    let deck = place::Deck {
        name: &a.spec.name,
        copies: a.assets.keys().map(String::as_str).collect(),
    };
    place::check(&dir, &project.root, chosen, &sources, &deck, &shown)?;
    Ok(dir)
}

/// Writes a deck into a new folder, then swaps it in for the old one.
fn write_deck(
    project: &Project,
    a: &Analyzed,
    templates: &Templates,
    dest: &Path,
    wanted: Wanted,
) -> Result<Built> {
    let (index, handout) = pages(project, a, templates)?;
    let root = project
        .root
        .canonicalize()
        .map_err(Error::io(&project.root))?;
    let keep: Vec<&Path> = std::iter::once(root.as_path()).chain(a.inputs()).collect();
    let staging = Staging::new(dest, &keep)?;
    let language = &project.config.book.language;
    let written =
        fill(&staging.dir, dest, a, &index, &handout, language).and_then(|()| staging.swap_in());
    if let Err(Error::Io { source, .. }) = written {
        // The path is a temporary folder, gone by now: say what it meant.
        let shown = a.loaded.sources.display(dest);
        return Err(Diagnostic::new(format!("cannot write the deck into `{shown}`: {source}"))
            .help(format!("nothing was changed: `{shown}` still holds the deck built last; mend the cause (free some space, say) and build again"))
            .into());
    }
    written?;
    let packed = match project.config.build.archive {
        Some(format) if wanted.pack => Some(archive::pack(dest, format, pipeline::MARKER, &keep)?),
        _ => None,
    };
    Ok(Built {
        name: a.spec.name.clone(),
        warnings: a.all_warnings().cloned().collect(),
        inputs: a.inputs().map(Path::to_path_buf).collect(),
        dir: dest.to_path_buf(),
        slides: a.deck.slides.len(),
        with_notes: a.deck.notes_count(),
        files: a.assets.len(),
        packed,
        outline: wanted.outline.then(|| {
            let (slides, entries) =
                crate::html::handout::outline(&a.deck, &a.cover, project.config.handout.steps);
            Outline {
                title: a.cover.title.clone(),
                authors: a.cover.authors.join(", "),
                slides,
                entries,
            }
        }),
    })
}

/// Writes a deck into `dir`, an empty folder of the caller's (to look at
/// it in a browser, say): no swap, no copies linked from an older deck.
pub fn write_into(
    project: &Project,
    a: &Analyzed,
    templates: &Templates,
    dir: &Path,
) -> Result<()> {
    let (index, handout) = pages(project, a, templates)?;
    fill(dir, dir, a, &index, &handout, &project.config.book.language)
}

/// A deck's two pages, ready to be written.
fn pages<'a>(
    project: &Project,
    a: &'a Analyzed,
    templates: &'a Templates,
) -> Result<(Page<'a>, Page<'a>)> {
    let deck = &a.deck;
    templates.render(
        &project.config,
        &a.spec.name,
        &a.cover,
        deck,
        a.reveal.as_deref(),
    )
}

/// Writes a deck's files into `dir`, the new folder for `dest`.
fn fill(
    dir: &Path,
    dest: &Path,
    a: &Analyzed,
    index: &Page,
    handout: &Page,
    language: &str,
) -> Result<()> {
    // The pages are large; write them side by side, a transcript with each.
    let big = a.deck.text_len >= crate::par::WORTH_A_THREAD;
    let [index_name, handout_name, md_name, html_name] = pipeline::PAGES;
    // The analysis holds the sources, which stay on this thread.
    let (deck, text, title) = (&a.deck, &a.loaded.expanded.text, &a.cover.title);
    let (handout, index) = crate::par::both(
        big,
        || {
            write_new(&dir.join(handout_name), |w| handout.write_to(w))?;
            let md = deck.transcript(text, true);
            write_new(&dir.join(md_name), |w| w.write_all(md.as_bytes()))
        },
        || {
            write_new(&dir.join(index_name), |w| index.write_to(w))?;
            let html = crate::html::transcript::page(title, language, deck);
            write_new(&dir.join(html_name), |w| w.write_all(html.as_bytes()))
        },
    );
    handout.and(index)?;
    let written = pipeline::PAGES
        .into_iter()
        .map(String::from)
        .chain(a.assets.keys().cloned());
    let marker = place::marker_text(written);
    write_new(&dir.join(place::MARKER), |w| w.write_all(marker.as_bytes()))?;
    for (rel, from) in &a.assets {
        let to = dir.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        // An unchanged copy in the deck being replaced is linked, not
        // copied again: nothing ever writes into a built file.
        let old = dest.join(rel);
        if unchanged(from, &old) && std::fs::hard_link(&old, &to).is_ok() {
            continue;
        }
        let mut source = std::fs::File::open(from).map_err(Error::io(from))?;
        write_new(&to, |w| std::io::copy(&mut source, w).map(drop))?;
    }
    Ok(())
}

/// Whether `to` is a plain file that is already a copy of `from`: as
/// large, and written since.
fn unchanged(from: &Path, to: &Path) -> bool {
    let (Ok(f), Ok(t)) = (std::fs::metadata(from), std::fs::symlink_metadata(to)) else {
        return false;
    };
    t.is_file()
        && f.len() == t.len()
        && matches!((f.modified(), t.modified()), (Ok(fm), Ok(tm)) if tm >= fm)
}

/// Writes a new file, buffered; never one that is already there.
fn write_new(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(Error::io(path))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    fill(&mut w)
        .and_then(|_| w.flush())
        .map_err(Error::io(path))
}
