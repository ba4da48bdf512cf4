//! A deck as an editable presentation: OpenDocument (`.odp`) on the talk's
//! own template, or PowerPoint (`.pptx`) on its reference document, with
//! real text, lists, code, tables, pictures and each slide's notes. The slides are read again from their Markdown
//! ([`content`]), laid out in the master's body area, and written as a
//! package whose bytes depend on nothing but the talk.

pub mod content;
pub mod odp;
mod picture;
pub mod pptx;
mod xml;

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::html::Highlighter;
use crate::pipeline::Analyzed;
use content::Block;

/// A rectangle on a page, in centimetres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A picture a slide shows, as it goes into the package.
pub struct Picture {
    /// As the slide names it.
    pub src: String,
    /// Its name in the package.
    pub name: String,
    pub data: Vec<u8>,
    /// Pixels, when its file says.
    pub size: Option<(f64, f64)>,
}

/// What `slidebook export` is asked for.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub template: Option<PathBuf>,
    pub content_master: Option<String>,
    pub break_master: Option<String>,
    pub reference_doc: Option<PathBuf>,
    /// The files book.toml names must be the talk's own (a pull request
    /// must not export someone else's files), unless it allows otherwise;
    /// those typed on the command line may be anywhere.
    pub confined: Confined,
}

/// Which of the chosen files come from book.toml and must stay inside.
#[derive(Clone, Copy, Debug, Default)]
pub struct Confined {
    pub template: bool,
    pub reference_doc: bool,
}

/// Which kind of presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Odp,
    Pptx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Odp => "odp",
            Format::Pptx => "pptx",
        }
    }
}

impl Settings {
    /// As `[export]` in book.toml says.
    pub fn from_config(config: &crate::config::Config) -> Settings {
        let export = &config.export;
        let confined = !config.build.allow_outside_root;
        Settings {
            template: export.template.clone(),
            content_master: export.content_master.clone(),
            break_master: export.break_master.clone(),
            reference_doc: export.reference_doc.clone(),
            confined: Confined {
                template: confined,
                reference_doc: confined,
            },
        }
    }

    /// The template and reference document, where they really are, so
    /// that an export never writes over them.
    pub fn inputs(&self, root: &Path) -> Vec<PathBuf> {
        let files = self.template.iter().chain(&self.reference_doc);
        files
            .filter_map(|p| root.join(p).canonicalize().ok())
            .collect()
    }

    /// Whether book.toml or the command line chose anything for ODP.
    pub fn chosen(&self) -> bool {
        self.template.is_some() || self.content_master.is_some() || self.break_master.is_some()
    }
}

/// An exported deck: the package, and what it could not carry.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub slides: usize,
    pub warnings: Vec<Diagnostic>,
}

impl Exported {
    fn new(bytes: Vec<u8>, pages: &[content::Page], warnings: Vec<Diagnostic>) -> Exported {
        Exported {
            bytes,
            slides: pages.len(),
            warnings,
        }
    }
}

/// The template named in `settings` (slidebook's own when none), and the
/// two masters, checked: what `check` validates without writing.
pub fn odp_template(root: &Path, settings: &Settings) -> Result<odp::Template> {
    let template = match &settings.template {
        None => odp::Template::own(),
        Some(path) => {
            let (bytes, shown) = read_chosen(root, path, "template", settings.confined.template)?;
            odp::Template::read(&bytes)
                .map_err(|why| Error::Usage(format!("cannot use the template `{shown}`: {why}")))?
        }
    };
    masters(&template, settings)?;
    Ok(template)
}

/// Templates are a few megabytes; a bigger file is refused, not read.
const LARGEST_TEMPLATE: u64 = 256 << 20;

/// A file the talk chose, with how to name it; with `confined`, only a
/// file inside the talk.
fn read_chosen(root: &Path, path: &Path, what: &str, confined: bool) -> Result<(Vec<u8>, String)> {
    let full = root.join(path);
    let shown = full
        .strip_prefix(root)
        .unwrap_or(&full)
        .display()
        .to_string();
    let cannot = |why: String| Error::Usage(format!("cannot read the {what} `{shown}`: {why}"));
    let real = full.canonicalize().map_err(|e| cannot(reason(&e)))?;
    if confined {
        let real_root = root.canonicalize().map_err(Error::io(root))?;
        if !real.starts_with(&real_root) {
            return Err(cannot(
                "it is outside the talk, and book.toml may name only the talk's own files (unless `allow-outside-root = true` under [build])".into(),
            ));
        }
    }
    let size = std::fs::metadata(&real)
        .map_err(|e| cannot(reason(&e)))?
        .len();
    if size > LARGEST_TEMPLATE {
        return Err(cannot(format!("it is over {} MiB", LARGEST_TEMPLATE >> 20)));
    }
    let bytes = std::fs::read(&real).map_err(|e| cannot(reason(&e)))?;
    Ok((bytes, shown))
}

/// The entries of a template package, read with limits: each part at most
/// 64 MiB and all of them together 256 MiB once unpacked (a small file can
/// unpack to gigabytes), names that could not be paths in a package left
/// out. `keep` says which entries are wanted.
pub(crate) fn unpack(
    bytes: &[u8],
    keep: impl Fn(&str) -> bool,
) -> std::result::Result<Vec<(String, Vec<u8>)>, String> {
    use std::io::Read;
    const PART: u64 = 64 << 20;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("it is not a zip package ({e})"))?;
    let mut total = 0u64;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = f.name().to_string();
        let plain = !name.starts_with('/')
            && !name.contains('\\')
            && name
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..");
        if f.is_dir() || !plain || !keep(&name) {
            continue;
        }
        let mut data = Vec::new();
        f.take(PART + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("{name}: {e}"))?;
        total += data.len() as u64;
        if data.len() as u64 > PART || total > LARGEST_TEMPLATE {
            return Err(format!(
                "its part `{name}` unpacks to too much (over 64 MiB, or over 256 MiB in all)"
            ));
        }
        out.push((name, data));
    }
    Ok(out)
}

/// The reference document named in `settings` (slidebook's own when none).
pub fn pptx_reference(root: &Path, settings: &Settings) -> Result<pptx::Reference> {
    match &settings.reference_doc {
        None => Ok(pptx::Reference::own()),
        Some(path) => {
            let confined = settings.confined.reference_doc;
            let (bytes, shown) = read_chosen(root, path, "reference document", confined)?;
            pptx::Reference::read(&bytes).map_err(|why| {
                Error::Usage(format!(
                    "cannot use the reference document `{shown}`: {why}"
                ))
            })
        }
    }
}

/// The deck `a` as a PPTX package.
pub fn pptx(a: &Analyzed, root: &Path, settings: &Settings, hl: &Highlighter) -> Result<Exported> {
    let reference = pptx_reference(root, settings)?;
    let (pages, pictures, mut warnings) = read_pages(a, hl);
    // A layout the reference lacks is said once, with what stands in.
    let mut said: Vec<&str> = Vec::new();
    for page in &pages {
        let (want, fallbacks) = pptx::layout_for(page.kind);
        let (used, missing) = reference.layout(want, fallbacks);
        if missing.is_some() && !said.contains(&want) {
            said.push(want);
            warnings.push(
                Diagnostic::warning(format!(
                    "the reference document has no layout `{want}`: those slides use `{}`",
                    used.name
                ))
                .help("give the reference document a layout of that name"),
            );
        }
    }
    let job = pptx::Job {
        reference: &reference,
        title: &a.cover.title,
        authors: &a.cover.authors,
    };
    let bytes = pptx::write(&job, &pages, &pictures).map_err(Error::Usage)?;
    Ok(Exported::new(bytes, &pages, warnings))
}

/// The deck's pages and pictures, with what they could not carry.
fn read_pages(
    a: &Analyzed,
    hl: &Highlighter,
) -> (Vec<content::Page>, Vec<Picture>, Vec<Diagnostic>) {
    let text = &a.loaded.expanded.text;
    let pages = content::pages(text, &a.deck.slides, &a.cover, hl);
    let mut warnings = Vec::new();
    let pictures = pictures(a, &pages, &mut warnings);
    for (n, page) in pages.iter().enumerate() {
        if page.flattened.is_empty() {
            continue;
        }
        let what = page.flattened.join(", ");
        let d = Diagnostic::warning(format!(
            "slide {} (\u{201c}{}\u{201d}): its {what} cannot be carried, and are shown as they end",
            n + 1,
            page.title
        ))
        .help("a presentation file shows each slide in its final state");
        warnings.push(at_slide(a, d, page.at));
    }
    (pages, pictures, warnings)
}

/// The content and the break master `settings` name.
fn masters<'t>(
    template: &'t odp::Template,
    settings: &Settings,
) -> Result<(&'t odp::Master, &'t odp::Master)> {
    let find = |name: &Option<String>, hints: &[&str], last: bool, what: &str| {
        template
            .master(name.as_deref(), hints, last)
            .ok_or_else(|| {
                let known: Vec<String> = template.masters.iter().map(odp::Master::shown).collect();
                Error::Usage(format!(
                    "the template has no master page `{}` for {what} slides; it has {}",
                    name.as_deref().unwrap_or(""),
                    known.join(", ")
                ))
            })
    };
    let content = find(&settings.content_master, &["content"], false, "content")?;
    let breaks = find(
        &settings.break_master,
        &["break", "section", "title"],
        true,
        "section",
    )?;
    Ok((content, breaks))
}

/// The deck `a` as an ODP package.
pub fn odp(a: &Analyzed, root: &Path, settings: &Settings, hl: &Highlighter) -> Result<Exported> {
    let template = odp_template(root, settings)?;
    let (content, breaks) = masters(&template, settings)?;
    let (pages, pictures, warnings) = read_pages(a, hl);
    let job = odp::Job {
        template: &template,
        content,
        breaks,
        title: &a.cover.title,
        authors: &a.cover.authors,
    };
    let bytes = odp::write(&job, &pages, &pictures).map_err(Error::Usage)?;
    Ok(Exported::new(bytes, &pages, warnings))
}

/// Why a file could not be read, as people say it.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn at_slide(a: &Analyzed, d: Diagnostic, at: usize) -> Diagnostic {
    let map = &a.loaded.expanded.map;
    match map.origin_at(&a.loaded.expanded.text, at) {
        Some(o) => map.point(&a.loaded.sources, d, o, 1),
        None => d,
    }
}

/// The pictures the pages show, read from the talk; those that cannot be
/// are warned about and left out.
fn pictures(a: &Analyzed, pages: &[content::Page], warnings: &mut Vec<Diagnostic>) -> Vec<Picture> {
    let mut out: Vec<Picture> = Vec::new();
    for src in content::pictures(pages) {
        if out.iter().any(|p| p.src == src) {
            continue;
        }
        let found = if src.contains("://") || src.starts_with("data:") {
            Err("it is not a file of the talk".to_string())
        } else {
            let name = src.split(['?', '#']).next().unwrap_or(&src);
            a.loaded
                .sources
                .resolve_reference(name)
                .map_err(|e| e.diagnostic(name, false).message)
                .and_then(|path| std::fs::read(&path).map_err(|e| reason(&e)))
        };
        match found {
            Ok(data) => {
                let ext = src
                    .rsplit('.')
                    .next()
                    .filter(|e| e.len() <= 4 && e.chars().all(|c| c.is_ascii_alphanumeric()))
                    .unwrap_or("bin")
                    .to_ascii_lowercase();
                // Named apart from any file a template brings.
                let name = format!("Pictures/slidebook-{:04}.{ext}", out.len() + 1);
                let size = picture::size(&src, &data);
                out.push(Picture {
                    src,
                    name,
                    data,
                    size,
                });
            }
            Err(why) => warnings.push(Diagnostic::warning(format!(
                "the picture `{src}` is left out of the export: {why}"
            ))),
        }
    }
    out
}

/// A slide's body laid out in `area`: the text (paragraphs, lists, code)
/// in one frame, pictures and tables beside or below it.
pub struct Layout<'a> {
    pub text: Vec<Block>,
    pub text_rect: Rect,
    pub objects: Vec<(&'a Block, Rect)>,
}

/// Centimetres a line of body text takes, and one of code.
const LINE: f64 = 1.0;
const CODE_LINE: f64 = 0.56;
/// Centimetres a character of body text takes across, on average.
const CHAR: f64 = 0.42;

pub fn lay_out<'a>(body: &'a [Block], area: Rect, pictures: &[Picture]) -> Layout<'a> {
    // Pictures left out of the export (warned about) take no place.
    let exported = |b: &&Block| match b {
        Block::Picture { src, .. } => pictures.iter().any(|p| p.src == *src),
        _ => true,
    };
    let (objects, text): (Vec<&Block>, Vec<&Block>) = body
        .iter()
        .filter(exported)
        .partition(|b| matches!(b, Block::Picture { .. } | Block::Table(_)));
    let text: Vec<Block> = text.into_iter().cloned().collect();
    if objects.is_empty() {
        return Layout {
            text,
            text_rect: area,
            objects: Vec::new(),
        };
    }
    let per_line = (area.w / CHAR).max(10.0);
    let tall = height(&text, per_line);
    let gap = 0.3;
    let (text_rect, room, across) = if text.is_empty() {
        (area, area, true)
    } else if tall <= area.h * 0.55 {
        let t = Rect { h: tall, ..area };
        let room = Rect {
            y: area.y + tall + gap,
            h: (area.h - tall - gap).max(1.0),
            ..area
        };
        (t, room, true)
    } else {
        let w = area.w * 0.55;
        let t = Rect { w, ..area };
        let room = Rect {
            x: area.x + w + gap,
            w: (area.w - w - gap).max(1.0),
            ..area
        };
        (t, room, false)
    };
    let n = objects.len() as f64;
    // Many objects share the room with narrower gaps, never less than none.
    let span = if across { room.w } else { room.h };
    let gap = if n > 1.0 {
        gap.min(span * 0.2 / (n - 1.0))
    } else {
        0.0
    };
    let cells = (0..objects.len()).map(|i| {
        let i = i as f64;
        if across {
            let w = (room.w - gap * (n - 1.0)) / n;
            Rect {
                x: room.x + i * (w + gap),
                w,
                ..room
            }
        } else {
            let h = (room.h - gap * (n - 1.0)) / n;
            Rect {
                y: room.y + i * (h + gap),
                h,
                ..room
            }
        }
    });
    let placed = objects
        .into_iter()
        .zip(cells)
        .map(|(b, cell)| {
            let rect = match b {
                Block::Picture { src, .. } => {
                    let size = pictures.iter().find(|p| p.src == *src).and_then(|p| p.size);
                    fit(size, cell)
                }
                Block::Table(rows) => Rect {
                    h: (rows.len() as f64 * 0.9).min(cell.h),
                    ..cell
                },
                _ => cell,
            };
            (b, rect)
        })
        .collect();
    Layout {
        text,
        text_rect,
        objects: placed,
    }
}

/// The height text blocks take, by estimate.
fn height(blocks: &[Block], per_line: f64) -> f64 {
    blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(runs) => {
                let chars = content::plain_text(runs).chars().count() as f64;
                (chars / per_line).ceil().max(1.0) * LINE
            }
            Block::List { items, .. } => items.iter().map(|i| height(i, per_line - 3.0)).sum(),
            Block::Code(lines) => lines.len() as f64 * CODE_LINE + 0.3,
            _ => LINE,
        })
        .sum()
}

/// A picture of `size` pixels at its largest in `cell`, its proportions
/// kept, centred across and at the top.
fn fit(size: Option<(f64, f64)>, cell: Rect) -> Rect {
    let Some((w, h)) = size else { return cell };
    let scale = (cell.w / w).min(cell.h / h);
    let (pw, ph) = (w * scale, h * scale);
    Rect {
        x: cell.x + (cell.w - pw) / 2.0,
        y: cell.y,
        w: pw,
        h: ph,
    }
}

/// A package's files, in the order they are written.
#[derive(Default)]
pub struct Package {
    entries: Vec<(crate::zip::Entry, &'static str)>,
    names: std::collections::HashSet<String>,
}

impl Package {
    /// The first entry, stored as it is (`mimetype`).
    pub fn stored(&mut self, name: &str, data: Vec<u8>) {
        self.push(name, "", data, true);
    }

    pub fn add(&mut self, name: &str, media: &'static str, data: Vec<u8>) {
        self.push(name, media, data, false);
    }

    fn push(&mut self, name: &str, media: &'static str, data: Vec<u8>, store: bool) {
        // Each name once: a later file of the same name replaces nothing.
        if !self.names.insert(name.to_string()) {
            return;
        }
        let entry = crate::zip::Entry {
            name: name.to_string(),
            data,
            store,
        };
        self.entries.push((entry, media));
    }

    /// Every entry but the stored one, with its media type.
    pub fn listed(&self) -> impl Iterator<Item = (&str, &'static str)> + '_ {
        self.entries
            .iter()
            .filter(|(e, _)| !e.store)
            .map(|(e, m)| (e.name.as_str(), *m))
    }

    /// The archive, every entry dated 1980-01-01 so that the same talk
    /// gives the same bytes.
    pub fn bytes(self) -> std::result::Result<Vec<u8>, String> {
        let entries: Vec<crate::zip::Entry> = self.entries.into_iter().map(|(e, _)| e).collect();
        crate::zip::write(&entries, 0, b"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template's parts are read within limits, and only under names a
    /// package can hold.
    #[test]
    fn templates_unpack_within_limits() {
        use std::io::Write;
        let zip_of = |entries: &[(&str, Vec<u8>)]| {
            let mut out = std::io::Cursor::new(Vec::new());
            let mut zip = zip::ZipWriter::new(&mut out);
            let deflate = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, data) in entries {
                zip.start_file(*name, deflate).unwrap();
                zip.write_all(data).unwrap();
            }
            zip.finish().unwrap();
            out.into_inner()
        };
        let parts = zip_of(&[
            ("../evil.txt", b"x".to_vec()),
            ("/abs.txt", b"x".to_vec()),
            ("a//b.txt", b"x".to_vec()),
            ("Pictures/ok.png", b"x".to_vec()),
        ]);
        let names: Vec<String> = unpack(&parts, |_| true)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["Pictures/ok.png"]);
        // A part that unpacks to more than 64 MiB: refused, not read whole.
        let bomb = zip_of(&[("styles.xml", vec![0; (64 << 20) + 1])]);
        assert!(bomb.len() < 1 << 20);
        let why = unpack(&bomb, |_| true).unwrap_err();
        assert_eq!(
            why,
            "its part `styles.xml` unpacks to too much (over 64 MiB, or over 256 MiB in all)"
        );
        assert_eq!(
            unpack(b"not a zip", |_| true)
                .unwrap_err()
                .split(' ')
                .take(5)
                .collect::<Vec<_>>(),
            ["it", "is", "not", "a", "zip"]
        );
    }

    #[test]
    fn pictures_keep_their_proportions_inside_their_place() {
        let cell = Rect {
            x: 1.0,
            y: 2.0,
            w: 10.0,
            h: 5.0,
        };
        assert_eq!(
            fit(Some((400.0, 100.0)), cell),
            Rect {
                x: 1.0,
                y: 2.0,
                w: 10.0,
                h: 2.5
            }
        );
        assert_eq!(
            fit(Some((100.0, 100.0)), cell),
            Rect {
                x: 3.5,
                y: 2.0,
                w: 5.0,
                h: 5.0
            }
        );
        assert_eq!(fit(None, cell), cell);
    }
}
