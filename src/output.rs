//! Writing decks: the only place that writes a build's files. Every deck
//! is analyzed first, and only when all are sound is each one's
//! `index.html`, `handout.html` and files written; never over a source.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::Project;
use crate::error::{count, Diagnostic, Error, Result};
use crate::html::{Highlighter, Templates};
use crate::pipeline::{self, Analyzed};

/// What a build wrote for one deck.
#[derive(Debug)]
pub struct Built {
    pub name: String,
    pub dir: PathBuf,
    pub slides: usize,
    pub with_notes: usize,
    pub files: usize,
}

impl Built {
    /// The line a build prints for the deck.
    pub fn summary(&self, project: &Project) -> String {
        let shown = self
            .dir
            .strip_prefix(&project.root)
            .unwrap_or(&self.dir)
            .display()
            .to_string();
        format!(
            "built {}: {}, {} with notes, {} copied -> {shown}/index.html",
            self.name,
            count(self.slides, "slide"),
            self.with_notes,
            count(self.files, "file"),
        )
    }
}

/// Builds the named decks (every deck by default). `out` is the folder
/// for a single deck, or the parent of one folder per deck.
pub fn build(project: &Project, targets: &[String], out: Option<&Path>) -> Result<Vec<Built>> {
    let specs = pipeline::select(project, targets)?;
    let hl = Highlighter::new();
    let templates = Templates::load(&project.root)?;
    let ready = pipeline::analyze_all(project, &specs, &hl)?;
    let single = specs.len() == 1;
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    ready
        .into_iter()
        .map(|a| {
            let dir = match out {
                Some(o) if single => cwd.join(o),
                Some(o) => cwd.join(o).join(&a.spec.name),
                None => project
                    .root
                    .join(&project.config.build.build_dir)
                    .join(&a.spec.name),
            };
            let built = write_deck(project, &a, &templates, &dir);
            // Freeing a big deck takes a while and nothing waits for it.
            if a.deck.text_len >= crate::par::WORTH_A_THREAD {
                std::thread::spawn(move || drop(a));
            }
            built
        })
        .collect()
}

fn write_deck(project: &Project, a: &Analyzed, templates: &Templates, dir: &Path) -> Result<Built> {
    let (index, handout) = templates.render(&project.config, &a.spec.name, &a.cover, &a.deck)?;
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    // Never write over a file the deck is made from. Sources and assets
    // carry their real paths; the output folder's is asked once.
    let protected: HashSet<&Path> = a
        .loaded
        .sources
        .real_paths()
        .chain(a.assets.values().map(PathBuf::as_path))
        .collect();
    let real_dir = dir.canonicalize().map_err(Error::io(dir))?;
    let target = |rel: &str| Target {
        path: dir.join(rel),
        real: crate::paths::normalize(&real_dir.join(rel)),
        shown: a.loaded.sources.display(&dir.join(rel)),
    };
    // The two pages are large; write them side by side.
    let big = a.deck.text_len >= crate::par::WORTH_A_THREAD;
    let (index_file, handout_file) = (target("index.html"), target("handout.html"));
    let (handout, index) = crate::par::both(
        big,
        || write(handout_file, &protected, |w| handout.write_to(w)),
        || write(index_file, &protected, |w| index.write_to(w)),
    );
    handout.and(index)?;
    for (rel, from) in &a.assets {
        let to = target(rel);
        if to.real == *from || unchanged(from, &to.path) {
            continue;
        }
        if let Some(parent) = to.path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        let mut source = std::fs::File::open(from).map_err(Error::io(from))?;
        write(to, &protected, |w| std::io::copy(&mut source, w).map(drop))?;
    }
    Ok(Built {
        name: a.spec.name.clone(),
        dir: dir.to_path_buf(),
        slides: a.deck.slides.len(),
        with_notes: a.deck.notes_count(),
        files: a.assets.len(),
    })
}

/// Whether `to` is already a copy of `from`: as large, and written since.
fn unchanged(from: &Path, to: &Path) -> bool {
    let (Ok(f), Ok(t)) = (std::fs::metadata(from), std::fs::metadata(to)) else {
        return false;
    };
    f.len() == t.len() && matches!((f.modified(), t.modified()), (Ok(fm), Ok(tm)) if tm >= fm)
}

/// A file to write: its path, where it really is, and how to name it.
struct Target {
    path: PathBuf,
    real: PathBuf,
    shown: String,
}

/// Writes a file, buffered, unless it is one of the talk's own sources.
fn write(
    Target { path, real, shown }: Target,
    protected: &HashSet<&Path>,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    if protected.contains(real.as_path()) {
        return Err(Diagnostic::new(format!(
            "refusing to overwrite `{shown}`: the deck is built from it"
        ))
        .help("choose an output folder outside the talk's sources with -o, or change build-dir in book.toml")
        .into());
    }
    let file = std::fs::File::create(&path).map_err(Error::io(&path))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    fill(&mut w)
        .and_then(|_| std::io::Write::flush(&mut w))
        .map_err(Error::io(&path))
}
