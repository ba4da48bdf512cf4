//! OpenDocument presentations: the template's styles and master pages
//! kept as they are, one `draw:page` per slide on the content or the break
//! master, text in frames where the master's placeholders stand.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::events::Event;

use super::content::{Block, Page, Run};
use super::xml::{cm, text};
use super::{picture, Package, Picture, Rect};
use crate::deck::SlideKind;

const MIMETYPE: &str = "application/vnd.oasis.opendocument.presentation";
/// slidebook's own template's styles.
const OWN_STYLES: &str = include_str!("../../templates/export/odp-styles.xml");

/// A master page of the template.
#[derive(Clone, Debug)]
pub struct Master {
    pub name: String,
    pub display: Option<String>,
    pub title: Option<Placeholder>,
    pub body: Option<Placeholder>,
    pub subtitle: Option<Placeholder>,
    /// The page's size, from its page layout.
    pub page: (f64, f64),
}

#[derive(Clone, Debug)]
pub struct Placeholder {
    pub rect: Rect,
    pub style: Option<String>,
}

impl Master {
    /// How people see it named: both names when they differ.
    pub fn shown(&self) -> String {
        match &self.display {
            Some(d) if *d != self.name => format!("`{}` ({d})", self.name),
            _ => format!("`{}`", self.name),
        }
    }

    fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.display.as_deref() == Some(name)
    }
}

/// A template: its styles part, the files it brings, its masters.
pub struct Template {
    styles: String,
    /// Other parts to carry over (pictures the masters show).
    parts: Vec<(String, Vec<u8>)>,
    pub masters: Vec<Master>,
}

impl Template {
    /// slidebook's own.
    pub fn own() -> Template {
        Template::from_styles(OWN_STYLES.to_string(), Vec::new())
            .expect("the built-in template reads")
    }

    /// The template in an `.odp` (or `.otp`) file's bytes; `Err` says why
    /// it cannot be used.
    pub fn read(bytes: &[u8]) -> Result<Template, String> {
        let mut styles = None;
        let mut parts = Vec::new();
        for (name, data) in super::unpack(bytes, |n| n == "styles.xml" || carried(n))? {
            if name == "styles.xml" {
                styles = Some(
                    String::from_utf8(data).map_err(|_| "styles.xml is not UTF-8".to_string())?,
                );
            } else if carried(&name) {
                parts.push((name, data));
            }
        }
        let styles = styles.ok_or("it has no styles.xml")?;
        Template::from_styles(styles, parts)
    }

    fn from_styles(styles: String, parts: Vec<(String, Vec<u8>)>) -> Result<Template, String> {
        let masters = masters(&styles)?;
        if masters.is_empty() {
            return Err("it has no master pages".into());
        }
        Ok(Template {
            styles,
            parts,
            masters,
        })
    }

    /// The master called `name` (stored or display name); by default the
    /// first whose name says `hint`, else the first (content) or last.
    pub fn master(&self, name: Option<&str>, hints: &[&str], last: bool) -> Option<&Master> {
        match name {
            Some(n) => self.masters.iter().find(|m| m.answers_to(n)),
            None => {
                let says = |m: &&Master| {
                    let names = format!("{} {}", m.name, m.display.as_deref().unwrap_or(""));
                    let names = names.to_lowercase();
                    hints.iter().any(|h| names.contains(h))
                };
                self.masters.iter().find(says).or(if last {
                    self.masters.last()
                } else {
                    self.masters.first()
                })
            }
        }
    }
}

/// Parts of a template carried into the export: all but those the export
/// writes itself, and previews.
fn carried(name: &str) -> bool {
    !matches!(
        name,
        "mimetype"
            | "content.xml"
            | "styles.xml"
            | "meta.xml"
            | "settings.xml"
            | "META-INF/manifest.xml"
    ) && !name.starts_with("Thumbnails/")
        && !name.starts_with("META-INF/")
        && !name.starts_with("Configurations2/")
}

/// The master pages of a styles part, with their placeholders' places.
fn masters(styles: &str) -> Result<Vec<Master>, String> {
    let mut reader = quick_xml::Reader::from_str(styles);
    let mut layouts: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut masters: Vec<(Master, String)> = Vec::new();
    let mut layout: Option<String> = None;
    let mut depth_in_notes = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "styles.xml cannot be read at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.name().as_ref() {
                    "presentation:notes" => depth_in_notes = 0,
                    "style:page-layout" => layout = None,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let attr = |name: &str| -> Option<String> {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == name)
                .and_then(|a| {
                    a.normalized_value(quick_xml::XmlVersion::default())
                        .ok()
                        .map(|v| v.into_owned())
                })
        };
        match e.name().as_ref() {
            "style:page-layout" => layout = attr("style:name"),
            "style:page-layout-properties" => {
                if let (Some(l), Some(w), Some(h)) =
                    (&layout, attr("fo:page-width"), attr("fo:page-height"))
                {
                    if let (Some(w), Some(h)) = (length(&w), length(&h)) {
                        layouts.insert(l.clone(), (w, h));
                    }
                }
            }
            "style:master-page" => {
                let Some(name) = attr("style:name") else {
                    continue;
                };
                let master = Master {
                    name,
                    display: attr("style:display-name"),
                    title: None,
                    body: None,
                    subtitle: None,
                    page: (28.0, 15.75),
                };
                masters.push((master, attr("style:page-layout-name").unwrap_or_default()));
            }
            "presentation:notes" if !empty => depth_in_notes = 1,
            "draw:frame" if depth_in_notes == 0 => {
                let Some((master, _)) = masters.last_mut() else {
                    continue;
                };
                let rect = (|| {
                    Some(Rect {
                        x: length(&attr("svg:x")?)?,
                        y: length(&attr("svg:y")?)?,
                        w: length(&attr("svg:width")?)?,
                        h: length(&attr("svg:height")?)?,
                    })
                })();
                let Some(rect) = rect else { continue };
                let place = Placeholder {
                    rect,
                    style: attr("presentation:style-name"),
                };
                match attr("presentation:class").as_deref() {
                    Some("title") => master.title = Some(place),
                    Some("outline") => master.body = Some(place),
                    Some("subtitle") => master.subtitle = Some(place),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(masters
        .into_iter()
        .map(|(mut m, layout)| {
            if let Some(&size) = layouts.get(&layout) {
                m.page = size;
            }
            m
        })
        .collect())
}

/// An ODF length in centimetres.
fn length(v: &str) -> Option<f64> {
    let v = v.trim();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))?;
    let n: f64 = v[..split].parse().ok()?;
    let per_cm = match &v[split..] {
        "cm" => 1.0,
        "mm" => 10.0,
        "in" => 1.0 / 2.54,
        "pt" => 72.0 / 2.54,
        "pc" => 6.0 / 2.54,
        "px" => 96.0 / 2.54,
        _ => return None,
    };
    Some(n / per_cm)
}

/// Automatic styles for text runs and the frames a page needs, numbered
/// as they are first used so that the same deck gives the same names.
#[derive(Default)]
struct Styles {
    runs: Vec<(bool, bool, bool, Option<[u8; 3]>)>,
}

impl Styles {
    fn run(&mut self, r: &Run) -> Option<String> {
        let key = (r.bold, r.italic, r.code, r.colour);
        if key == (false, false, false, None) {
            return None;
        }
        let i = match self.runs.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                self.runs.push(key);
                self.runs.len() - 1
            }
        };
        Some(format!("T{}", i + 1))
    }

    fn xml(&self) -> String {
        let mut out = String::new();
        for (i, (bold, italic, code, colour)) in self.runs.iter().enumerate() {
            let mut props = String::new();
            if *bold {
                props.push_str(" fo:font-weight=\"bold\"");
            }
            if *italic {
                props.push_str(" fo:font-style=\"italic\"");
            }
            if *code {
                props.push_str(" style:font-name=\"Liberation Mono\" fo:font-family=\"'Liberation Mono'\" style:font-family-generic=\"modern\" style:font-pitch=\"fixed\"");
            }
            if let Some([r, g, b]) = colour {
                let _ = write!(props, " fo:color=\"#{r:02x}{g:02x}{b:02x}\"");
            }
            let _ = write!(
                out,
                "<style:style style:name=\"T{}\" style:family=\"text\"><style:text-properties{props}/></style:style>",
                i + 1
            );
        }
        out
    }
}

/// What the export of one deck is made with.
pub struct Job<'a> {
    pub template: &'a Template,
    pub content: &'a Master,
    pub breaks: &'a Master,
    pub title: &'a str,
    pub authors: &'a [String],
}

/// The package of `pages`.
pub fn write(job: &Job, pages: &[Page], pictures: &[Picture]) -> Result<Vec<u8>, String> {
    let mut styles = Styles::default();
    let mut body = String::new();
    let mut used: Vec<&Picture> = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let master = match page.kind {
            SlideKind::Content => job.content,
            SlideKind::Title | SlideKind::Section => job.breaks,
        };
        let _ = write!(
            body,
            "<draw:page draw:name=\"Slide {}\" draw:style-name=\"dp1\" draw:master-page-name=\"{}\">",
            n + 1,
            text(&master.name)
        );
        let (pw, ph) = master.page;
        let title_place = master.title.clone().unwrap_or(Placeholder {
            rect: Rect {
                x: pw * 0.05,
                y: ph * 0.04,
                w: pw * 0.9,
                h: ph * 0.15,
            },
            style: None,
        });
        frame(
            &mut body,
            "title",
            &title_place,
            |out, _| {
                let _ = write!(out, "<text:p>{}</text:p>", text(&page.title));
            },
            &mut styles,
        );
        let below_title = Rect {
            x: title_place.rect.x,
            y: title_place.rect.y + title_place.rect.h + 0.3,
            w: title_place.rect.w,
            h: (ph - (title_place.rect.y + title_place.rect.h + 0.3) - ph * 0.05).max(1.0),
        };
        if !page.subtitle.is_empty() {
            let place = master.subtitle.clone().unwrap_or(Placeholder {
                rect: below_title,
                style: None,
            });
            frame(
                &mut body,
                "subtitle",
                &place,
                |out, _| {
                    for line in &page.subtitle {
                        let _ = write!(out, "<text:p>{}</text:p>", text(line));
                    }
                },
                &mut styles,
            );
        }
        if !page.body.is_empty() {
            let place = master
                .body
                .clone()
                .or_else(|| master.subtitle.clone())
                .unwrap_or(Placeholder {
                    rect: below_title,
                    style: None,
                });
            let layout = super::lay_out(&page.body, place.rect, pictures);
            if !layout.text.is_empty() {
                let place = Placeholder {
                    rect: layout.text_rect,
                    style: place.style.clone(),
                };
                let class = if master.body.is_some() {
                    "outline"
                } else {
                    "subtitle"
                };
                frame(
                    &mut body,
                    class,
                    &place,
                    |out, styles| {
                        blocks(out, &layout.text, styles);
                    },
                    &mut styles,
                );
            }
            for (block, rect) in &layout.objects {
                match block {
                    Block::Picture { src, alt } => {
                        if let Some(p) = pictures.iter().find(|p| p.src == *src) {
                            if !used.iter().any(|u| u.src == p.src) {
                                used.push(p);
                            }
                            let _ = write!(
                                body,
                                "<draw:frame draw:style-name=\"gr1\" draw:layer=\"layout\" svg:width=\"{}\" svg:height=\"{}\" svg:x=\"{}\" svg:y=\"{}\"><draw:image xlink:href=\"{}\" xlink:type=\"simple\" xlink:show=\"embed\" xlink:actuate=\"onLoad\"><text:p/></draw:image><svg:title>{}</svg:title></draw:frame>",
                                cm(rect.w), cm(rect.h), cm(rect.x), cm(rect.y), text(&p.name), text(alt)
                            );
                        }
                    }
                    Block::Table(rows) => table(&mut body, rows, *rect, &mut styles),
                    _ => {}
                }
            }
        }
        // The notes page: the slide's picture, then its notes.
        body.push_str("<presentation:notes draw:style-name=\"dp1\"><draw:page-thumbnail draw:layer=\"layout\" svg:width=\"16cm\" svg:height=\"9cm\" svg:x=\"2.5cm\" svg:y=\"2cm\" presentation:class=\"page\"/>");
        body.push_str("<draw:frame draw:layer=\"layout\" svg:width=\"17cm\" svg:height=\"15.5cm\" svg:x=\"2cm\" svg:y=\"12.2cm\" presentation:class=\"notes\" presentation:placeholder=\"false\"><draw:text-box>");
        blocks(&mut body, &page.notes, &mut styles);
        body.push_str("</draw:text-box></draw:frame></presentation:notes>");
        body.push_str("</draw:page>");
    }

    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content {NS} office:version=\"1.2\"><office:automatic-styles>{}{}</office:automatic-styles><office:body><office:presentation>{body}</office:presentation></office:body></office:document-content>\n",
        FIXED_STYLES,
        styles.xml()
    );
    let meta = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-meta {NS} office:version=\"1.2\"><office:meta><meta:generator>slidebook</meta:generator><dc:title>{}</dc:title>{}</office:meta></office:document-meta>\n",
        text(job.title),
        if job.authors.is_empty() {
            String::new()
        } else {
            format!("<meta:initial-creator>{}</meta:initial-creator>", text(&job.authors.join(", ")))
        }
    );
    let mut package = Package::default();
    package.stored("mimetype", MIMETYPE.as_bytes().to_vec());
    package.add("content.xml", "text/xml", content.into_bytes());
    package.add(
        "styles.xml",
        "text/xml",
        job.template.styles.clone().into_bytes(),
    );
    package.add("meta.xml", "text/xml", meta.into_bytes());
    // The slides' pictures before the template's files: a name both have
    // is the slide's.
    for p in used {
        package.add(&p.name, picture::media_type(&p.name), p.data.clone());
    }
    for (name, data) in &job.template.parts {
        package.add(name, picture::media_type(name), data.clone());
    }
    let mut manifest = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" manifest:media-type=\"{MIMETYPE}\"/>"
    );
    for (name, media) in package.listed() {
        let _ = write!(
            manifest,
            "<manifest:file-entry manifest:full-path=\"{}\" manifest:media-type=\"{}\"/>",
            text(name),
            media
        );
    }
    manifest.push_str("</manifest:manifest>\n");
    package.add("META-INF/manifest.xml", "", manifest.into_bytes());
    package.bytes()
}

const NS: &str = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\" xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\"";

/// The automatic styles every export uses: pages, picture frames, code
/// paragraphs, tables.
const FIXED_STYLES: &str = concat!(
    "<style:style style:name=\"dp1\" style:family=\"drawing-page\"/>",
    "<style:style style:name=\"gr1\" style:family=\"graphic\"><style:graphic-properties draw:stroke=\"none\" draw:fill=\"none\"/></style:style>",
    "<style:style style:name=\"gr2\" style:family=\"graphic\"><style:graphic-properties draw:stroke=\"none\" draw:fill=\"none\"/></style:style>",
    "<style:style style:name=\"Pcode\" style:family=\"paragraph\"><style:paragraph-properties fo:margin-top=\"0cm\" fo:margin-bottom=\"0cm\" fo:line-height=\"100%\"/><style:text-properties style:font-name=\"Liberation Mono\" fo:font-family=\"'Liberation Mono'\" style:font-family-generic=\"modern\" style:font-pitch=\"fixed\" fo:font-size=\"16pt\"/></style:style>",
    "<style:style style:name=\"ce1\" style:family=\"table-cell\"><style:graphic-properties draw:fill=\"none\"/><style:paragraph-properties fo:border=\"0.03cm solid #d9dfe7\"/><style:text-properties fo:font-size=\"18pt\"/></style:style>",
    "<text:list-style style:name=\"Lnum\">",
    "<text:list-level-style-number text:level=\"1\" style:num-suffix=\".\" style:num-format=\"1\"><style:list-level-properties text:space-before=\"0cm\" text:min-label-width=\"0.9cm\"/></text:list-level-style-number>",
    "<text:list-level-style-number text:level=\"2\" style:num-suffix=\".\" style:num-format=\"a\"><style:list-level-properties text:space-before=\"1cm\" text:min-label-width=\"0.8cm\"/></text:list-level-style-number>",
    "<text:list-level-style-number text:level=\"3\" style:num-suffix=\".\" style:num-format=\"i\"><style:list-level-properties text:space-before=\"2cm\" text:min-label-width=\"0.8cm\"/></text:list-level-style-number>",
    "</text:list-style>",
);

/// A frame of class `class` at `place`, its text written by `fill`.
fn frame(
    out: &mut String,
    class: &str,
    place: &Placeholder,
    fill: impl FnOnce(&mut String, &mut Styles),
    styles: &mut Styles,
) {
    let r = place.rect;
    let style = place
        .style
        .as_ref()
        .map(|s| format!(" presentation:style-name=\"{}\"", text(s)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<draw:frame{style} draw:layer=\"layout\" svg:width=\"{}\" svg:height=\"{}\" svg:x=\"{}\" svg:y=\"{}\" presentation:class=\"{class}\" presentation:user-transformed=\"true\"><draw:text-box>",
        cm(r.w), cm(r.h), cm(r.x), cm(r.y)
    );
    fill(out, styles);
    out.push_str("</draw:text-box></draw:frame>");
}

/// Text blocks as ODF paragraphs and lists.
fn blocks(out: &mut String, blocks_: &[Block], styles: &mut Styles) {
    for b in blocks_ {
        match b {
            Block::Paragraph(runs) => {
                out.push_str("<text:p>");
                runs_xml(out, runs, styles);
                out.push_str("</text:p>");
            }
            Block::List { ordered, items } => {
                // A numbered list has its own style; bullets are the
                // master's.
                out.push_str(match ordered {
                    true => "<text:list text:style-name=\"Lnum\">",
                    false => "<text:list>",
                });
                for item in items {
                    out.push_str("<text:list-item>");
                    if item.is_empty() {
                        out.push_str("<text:p/>");
                    }
                    blocks(out, item, styles);
                    out.push_str("</text:list-item>");
                }
                out.push_str("</text:list>");
            }
            Block::Code(lines) => {
                for line in lines {
                    out.push_str("<text:p text:style-name=\"Pcode\">");
                    runs_xml(out, line, styles);
                    out.push_str("</text:p>");
                }
            }
            // In notes (and wherever a table cannot be a frame), rows of
            // text.
            Block::Table(rows) => {
                for row in rows {
                    out.push_str("<text:p>");
                    for (i, cell) in row.iter().enumerate() {
                        if i > 0 {
                            out.push_str("<text:tab/>");
                        }
                        runs_xml(out, cell, styles);
                    }
                    out.push_str("</text:p>");
                }
            }
            Block::Picture { alt, .. } => {
                let _ = write!(out, "<text:p>[{}]</text:p>", text(alt));
            }
        }
    }
}

/// Runs as spans, white space kept as ODF keeps it.
fn runs_xml(out: &mut String, runs: &[Run], styles: &mut Styles) {
    // ODF drops white space only at a paragraph's start.
    let mut at_start = true;
    for r in runs {
        let style = styles.run(r);
        if let Some(s) = &style {
            let _ = write!(out, "<text:span text:style-name=\"{s}\">");
        }
        spaced(out, &r.text, &mut at_start);
        if style.is_some() {
            out.push_str("</text:span>");
        }
    }
}

/// Text with runs of spaces, tabs and line breaks as ODF elements (a
/// plain run of spaces would collapse to one); `at_start` says whether
/// nothing of the paragraph is written yet.
fn spaced(out: &mut String, s: &str, at_start: &mut bool) {
    let mut spaces = 0usize;
    let flush = |out: &mut String, spaces: &mut usize, at_start: bool| {
        match (*spaces, at_start) {
            (0, _) => {}
            (1, false) => out.push(' '),
            (n, false) => {
                let _ = write!(out, " <text:s text:c=\"{}\"/>", n - 1);
            }
            (n, true) => {
                let _ = write!(out, "<text:s text:c=\"{n}\"/>");
            }
        }
        *spaces = 0;
    };
    for c in s.chars() {
        match c {
            ' ' => spaces += 1,
            '\t' => {
                flush(out, &mut spaces, *at_start);
                out.push_str("<text:tab/>");
                *at_start = false;
            }
            '\n' => {
                flush(out, &mut spaces, *at_start);
                out.push_str("<text:line-break/>");
                *at_start = true;
            }
            c => {
                flush(out, &mut spaces, *at_start);
                let mut buf = [0u8; 4];
                out.push_str(&text(c.encode_utf8(&mut buf)));
                *at_start = false;
            }
        }
    }
    flush(out, &mut spaces, *at_start);
}

/// A table frame.
fn table(out: &mut String, rows: &[Vec<Vec<Run>>], r: Rect, styles: &mut Styles) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let _ = write!(
        out,
        "<draw:frame draw:style-name=\"gr2\" draw:layer=\"layout\" svg:width=\"{}\" svg:height=\"{}\" svg:x=\"{}\" svg:y=\"{}\"><table:table><table:table-column table:number-columns-repeated=\"{columns}\"/>",
        cm(r.w), cm(r.h), cm(r.x), cm(r.y)
    );
    for (i, row) in rows.iter().enumerate() {
        out.push_str("<table:table-row>");
        for c in 0..columns {
            out.push_str("<table:table-cell table:style-name=\"ce1\"><text:p>");
            if let Some(cell) = row.get(c) {
                if i == 0 {
                    let bold: Vec<Run> = cell
                        .iter()
                        .map(|r| Run {
                            bold: true,
                            ..r.clone()
                        })
                        .collect();
                    runs_xml(out, &bold, styles);
                } else {
                    runs_xml(out, cell, styles);
                }
            }
            out.push_str("</text:p></table:table-cell>");
        }
        out.push_str("</table:table-row>");
    }
    out.push_str("</table:table></draw:frame>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_template_has_a_content_and_a_break_master() {
        let t = Template::own();
        let names: Vec<String> = t.masters.iter().map(Master::shown).collect();
        assert_eq!(names, ["`Content`", "`Break` (Section break)"]);
        let content = t.master(None, &["content"], false).unwrap();
        assert_eq!(content.name, "Content");
        let r = content.body.as_ref().unwrap().rect;
        assert_eq!((r.x, r.y, r.w, r.h), (1.3, 3.2, 25.4, 11.8));
        assert_eq!(content.page, (28.0, 15.75));
        let breaks = t.master(Some("Section break"), &[], true).unwrap();
        assert_eq!(breaks.name, "Break");
    }

    #[test]
    fn lengths_read_in_any_unit() {
        assert_eq!(length("2.54cm"), Some(2.54));
        assert_eq!(length("1in"), Some(2.54));
        assert_eq!(length("25.4mm"), Some(2.54));
        assert_eq!(length("10"), None);
    }

    #[test]
    fn spaces_are_kept() {
        let mut out = String::new();
        let mut at_start = true;
        spaced(&mut out, "  a  b\tc", &mut at_start);
        spaced(&mut out, " d", &mut at_start);
        assert_eq!(
            out,
            "<text:s text:c=\"2\"/>a <text:s text:c=\"1\"/>b<text:tab/>c d"
        );
    }
}
