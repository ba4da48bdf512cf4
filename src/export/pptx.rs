//! PowerPoint packages (`.pptx`): slides on the reference document's
//! layouts, chosen by name as pandoc chooses them (*Title Slide*, *Title
//! and Content*, *Section Header*), placeholders left to inherit the
//! layout's geometry, notes in notes slides. Without a reference document,
//! one of slidebook's own, written here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::events::Event;

use super::content::{Block, Page, Run};
use super::xml::text;
use super::{picture, Package, Picture, Rect};
use crate::deck::SlideKind;

/// EMUs in a centimetre.
const EMU: f64 = 360_000.0;

const NS: &str = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CT: &str = "application/vnd.openxmlformats-officedocument.presentationml";

/// A placeholder on a layout: its `type` and `idx`, and where it is.
#[derive(Clone, Debug, Default)]
struct Ph {
    kind: Option<String>,
    idx: Option<String>,
    rect: Option<Rect>,
}

impl Ph {
    fn xml(&self) -> String {
        let mut s = String::from("<p:ph");
        if let Some(k) = &self.kind {
            let _ = write!(s, " type=\"{}\"", text(k));
        }
        if let Some(i) = &self.idx {
            let _ = write!(s, " idx=\"{}\"", text(i));
        }
        s.push_str("/>");
        s
    }

    fn is_title(&self) -> bool {
        matches!(self.kind.as_deref(), Some("title" | "ctrTitle"))
    }

    fn is_body(&self) -> bool {
        self.idx.is_some()
            && matches!(
                self.kind.as_deref(),
                None | Some("body" | "obj" | "subTitle")
            )
    }
}

/// A layout of the reference document.
#[derive(Clone, Debug)]
pub struct Layout {
    pub name: String,
    /// Its part, as `ppt/slideLayouts/slideLayout2.xml`.
    part: String,
    title: Option<Ph>,
    body: Option<Ph>,
}

/// A reference document: its parts, and what the export needs to know of
/// them.
pub struct Reference {
    parts: BTreeMap<String, Vec<u8>>,
    /// Content types of its parts, by part name.
    types: BTreeMap<String, String>,
    pub layouts: Vec<Layout>,
    /// The slide's size, in centimetres.
    size: (f64, f64),
    /// The master's body placeholder, for layouts that do not place theirs.
    master_body: Option<Rect>,
    notes_master: Option<String>,
}

impl Reference {
    pub fn own() -> Reference {
        Reference::from_parts(own_parts()).expect("the built-in reference document reads")
    }

    pub fn read(bytes: &[u8]) -> Result<Reference, String> {
        let parts = super::unpack(bytes, |_| true)?.into_iter().collect();
        Reference::from_parts(parts)
    }

    fn from_parts(mut parts: BTreeMap<String, Vec<u8>>) -> Result<Reference, String> {
        let read = |parts: &BTreeMap<String, Vec<u8>>, name: &str| -> Result<String, String> {
            let data = parts.get(name).ok_or(format!("it has no {name}"))?;
            String::from_utf8(data.clone()).map_err(|_| format!("{name} is not UTF-8"))
        };
        let types = content_types(&read(&parts, "[Content_Types].xml")?)?;
        let presentation = read(&parts, "ppt/presentation.xml")?;
        let size = element_attrs(&presentation, "p:sldSz")?
            .and_then(|a| Some((num(&a, "cx")? / EMU, num(&a, "cy")? / EMU)))
            .unwrap_or((33.867, 19.05));
        let rels = relationships(&read(&parts, "ppt/_rels/presentation.xml.rels")?)?;
        let master = rels
            .iter()
            .find(|r| r.kind.ends_with("/slideMaster"))
            .map(|r| resolve("ppt", &r.target))
            .ok_or("it has no slide master")?;
        let notes_master = rels
            .iter()
            .find(|r| r.kind.ends_with("/notesMaster"))
            .map(|r| resolve("ppt", &r.target));
        let master_xml = read(&parts, &master)?;
        let master_body = placeholders(&master_xml)?
            .into_iter()
            .find(|p| matches!(p.kind.as_deref(), Some("body")) || p.is_body())
            .and_then(|p| p.rect);
        let master_rels = relationships(&read(&parts, &rels_of(&master))?)?;
        let mut layouts = Vec::new();
        for r in master_rels
            .iter()
            .filter(|r| r.kind.ends_with("/slideLayout"))
        {
            let part = resolve(dir_of(&master), &r.target);
            let xml = read(&parts, &part)?;
            let name = element_attrs(&xml, "p:cSld")?
                .and_then(|a| a.get("name").cloned())
                .unwrap_or_default();
            let phs = placeholders(&xml)?;
            layouts.push(Layout {
                name,
                part,
                title: phs.iter().find(|p| p.is_title()).cloned(),
                body: phs.iter().find(|p| p.is_body()).cloned(),
            });
        }
        if layouts.is_empty() {
            return Err("its slide master has no layouts".into());
        }
        // The reference's own slides are not carried over.
        parts.retain(|name, _| {
            !(name.starts_with("ppt/slides/") || name.starts_with("ppt/notesSlides/"))
        });
        Ok(Reference {
            parts,
            types,
            layouts,
            size,
            master_body,
            notes_master,
        })
    }

    /// The layout named `want` (in any case), else the first of
    /// `fallbacks` there is, else the first; with what was missing.
    pub fn layout(&self, want: &str, fallbacks: &[&str]) -> (&Layout, Option<String>) {
        let find = |n: &str| self.layouts.iter().find(|l| l.name.eq_ignore_ascii_case(n));
        if let Some(l) = find(want) {
            return (l, None);
        }
        let l = fallbacks
            .iter()
            .find_map(|n| find(n))
            .unwrap_or(&self.layouts[0]);
        (l, Some(want.to_string()))
    }
}

struct Rel {
    kind: String,
    target: String,
}

/// The attributes of the first `element` in `xml`.
fn element_attrs(xml: &str, element: &str) -> Result<Option<BTreeMap<String, String>>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == element => {
                return Ok(Some(attrs(&e)));
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

fn attrs(e: &quick_xml::events::BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            let v = a.normalized_value(quick_xml::XmlVersion::default()).ok()?;
            Some((a.key.as_ref().to_string(), v.into_owned()))
        })
        .collect()
}

fn num(a: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    a.get(key)?.parse().ok()
}

fn relationships(xml: &str) -> Result<Vec<Rel>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "Relationship" => {
                let a = attrs(&e);
                if let (Some(kind), Some(target)) = (a.get("Type"), a.get("Target")) {
                    out.push(Rel {
                        kind: kind.clone(),
                        target: target.clone(),
                    });
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Content types: by part name (overrides), and by extension (defaults,
/// keyed `.ext`).
fn content_types(xml: &str) -> Result<BTreeMap<String, String>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = BTreeMap::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => {
                let a = attrs(&e);
                let key = match e.name().as_ref() {
                    "Override" => a
                        .get("PartName")
                        .map(|p| p.trim_start_matches('/').to_string()),
                    "Default" => a
                        .get("Extension")
                        .map(|x| format!(".{}", x.to_ascii_lowercase())),
                    _ => None,
                };
                if let (Some(key), Some(ct)) = (key, a.get("ContentType")) {
                    out.insert(key, ct.clone());
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The placeholders of a master or layout, in order.
fn placeholders(xml: &str) -> Result<Vec<Ph>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<Ph> = None;
    let mut in_xfrm = false;
    let mut off = (0.0, 0.0);
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "p:sp" => current = Some(Ph::default()),
                "p:ph" => {
                    if let Some(ph) = &mut current {
                        let a = attrs(e);
                        ph.kind = a.get("type").cloned();
                        ph.idx = a.get("idx").cloned();
                        // A placeholder without a type is a body.
                        if ph.kind.is_none() && ph.idx.is_none() {
                            ph.idx = Some("0".into());
                        }
                    }
                }
                "a:xfrm" => in_xfrm = matches!(event, Event::Start(_)),
                "a:off" if in_xfrm => {
                    let a = attrs(e);
                    off = (num(&a, "x").unwrap_or(0.0), num(&a, "y").unwrap_or(0.0));
                }
                "a:ext" if in_xfrm => {
                    let a = attrs(e);
                    if let (Some(ph), Some(cx), Some(cy)) =
                        (&mut current, num(&a, "cx"), num(&a, "cy"))
                    {
                        ph.rect = Some(Rect {
                            x: off.0 / EMU,
                            y: off.1 / EMU,
                            w: cx / EMU,
                            h: cy / EMU,
                        });
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "a:xfrm" => in_xfrm = false,
                "p:sp" => {
                    if let Some(ph) = current.take() {
                        if ph.kind.is_some() || ph.idx.is_some() {
                            out.push(ph);
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

fn dir_of(part: &str) -> &str {
    part.rsplit_once('/').map_or("", |(d, _)| d)
}

fn rels_of(part: &str) -> String {
    let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
    format!("{dir}/_rels/{file}.rels")
}

/// A relationship's target, from the folder of the part that has it.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// What the export of one deck is made with.
pub struct Job<'a> {
    pub reference: &'a Reference,
    pub title: &'a str,
    pub authors: &'a [String],
}

/// The layouts a page goes on, by what kind of slide it is: the name
/// pandoc uses, and what stands in when the reference has no such layout.
pub fn layout_for(kind: SlideKind) -> (&'static str, &'static [&'static str]) {
    match kind {
        SlideKind::Title => ("Title Slide", &["Section Header", "Title and Content"]),
        SlideKind::Section => (
            "Section Header",
            &["Title Slide", "Title Only", "Title and Content"],
        ),
        SlideKind::Content => ("Title and Content", &["Title and Text", "Two Content"]),
    }
}

pub fn write(job: &Job, pages: &[Page], pictures: &[Picture]) -> Result<Vec<u8>, String> {
    let r = job.reference;
    let mut package = Package::default();
    let mut types: BTreeMap<String, String> = r.types.clone();
    let mut slide_rels = String::new();
    let mut slide_ids = String::new();
    let mut media: Vec<(&Picture, String)> = Vec::new();
    let (notes_master, mut extra_parts) = match &r.notes_master {
        Some(n) => (n.clone(), Vec::new()),
        // A reference without a notes master gets slidebook's.
        None => {
            let parts = vec![
                (
                    "ppt/notesMasters/notesMaster1.xml".to_string(),
                    NOTES_MASTER.as_bytes().to_vec(),
                ),
                (
                    "ppt/notesMasters/_rels/notesMaster1.xml.rels".to_string(),
                    rels(&[("rId1", "theme", "../theme/themeNotes.xml")]).into_bytes(),
                ),
                (
                    "ppt/theme/themeNotes.xml".to_string(),
                    THEME.as_bytes().to_vec(),
                ),
            ];
            types.insert(
                "ppt/notesMasters/notesMaster1.xml".into(),
                format!("{CT}.notesMaster+xml"),
            );
            types.insert(
                "ppt/theme/themeNotes.xml".into(),
                "application/vnd.openxmlformats-officedocument.theme+xml".into(),
            );
            ("ppt/notesMasters/notesMaster1.xml".to_string(), parts)
        }
    };
    for (n, page) in pages.iter().enumerate() {
        let number = n + 1;
        let (want, fallbacks) = layout_for(page.kind);
        let (layout, _) = r.layout(want, fallbacks);
        let mut ids = 1u32;
        let mut next_id = || {
            ids += 1;
            ids
        };
        let mut tree = String::new();
        let mut rels_list: Vec<(String, String, String)> = vec![
            (
                "rId1".into(),
                "slideLayout".into(),
                format!("../slideLayouts/{}", file_of(&layout.part)),
            ),
            (
                "rId2".into(),
                "notesSlide".into(),
                format!("../notesSlides/notesSlide{number}.xml"),
            ),
        ];
        let title_ph = layout.title.clone().unwrap_or(Ph {
            kind: Some("title".into()),
            ..Ph::default()
        });
        let _ = write!(
            tree,
            "<p:sp><p:nvSpPr><p:cNvPr id=\"{}\" name=\"Title\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>{}</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/><a:p>{}</a:p></p:txBody></p:sp>",
            next_id(),
            title_ph.xml(),
            runs_xml(&[Run { text: page.title.clone(), ..Run::default() }], None)
        );
        let body_ph = layout.body.clone();
        let area = body_ph
            .as_ref()
            .and_then(|p| p.rect)
            .or(r.master_body)
            .unwrap_or(Rect {
                x: r.size.0 * 0.06,
                y: r.size.1 * 0.22,
                w: r.size.0 * 0.88,
                h: r.size.1 * 0.7,
            });
        let mut body_xml = String::new();
        let mut text_rect = None;
        let mut objects = Vec::new();
        if !page.subtitle.is_empty() {
            for line in &page.subtitle {
                let _ = write!(
                    body_xml,
                    "<a:p>{}</a:p>",
                    runs_xml(
                        &[Run {
                            text: line.clone(),
                            ..Run::default()
                        }],
                        None
                    )
                );
            }
        } else if !page.body.is_empty() {
            let laid = super::lay_out(&page.body, area, pictures);
            paragraphs(&mut body_xml, &laid.text, 0);
            if !laid.objects.is_empty() {
                text_rect = Some(laid.text_rect);
            }
            objects = laid.objects;
        }
        if !body_xml.is_empty() {
            let ph = body_ph.clone().unwrap_or(Ph {
                idx: Some("1".into()),
                ..Ph::default()
            });
            // The layout's geometry, unless pictures share the area.
            let sp_pr = match text_rect {
                Some(t) => format!("<p:spPr>{}</p:spPr>", xfrm(t)),
                None => "<p:spPr/>".to_string(),
            };
            let _ = write!(
                tree,
                "<p:sp><p:nvSpPr><p:cNvPr id=\"{}\" name=\"Content\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>{}</p:nvPr></p:nvSpPr>{sp_pr}<p:txBody><a:bodyPr><a:normAutofit/></a:bodyPr><a:lstStyle/>{body_xml}</p:txBody></p:sp>",
                next_id(),
                ph.xml()
            );
        }
        for (block, rect) in objects {
            match block {
                Block::Picture { src, alt } => {
                    let Some(p) = pictures.iter().find(|p| p.src == *src) else {
                        continue;
                    };
                    let target = match media.iter().find(|(m, _)| m.src == p.src) {
                        Some((_, t)) => t.clone(),
                        None => {
                            let ext = p.name.rsplit('.').next().unwrap_or("bin");
                            let t = format!("media/slidebook{}.{ext}", media.len() + 1);
                            media.push((p, t.clone()));
                            t
                        }
                    };
                    let rid = format!("rId{}", rels_list.len() + 1);
                    rels_list.push((rid.clone(), "image".into(), format!("../{target}")));
                    let id = next_id();
                    let _ = write!(
                        tree,
                        "<p:pic><p:nvPicPr><p:cNvPr id=\"{id}\" name=\"Picture {id}\" descr=\"{}\"/><p:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr></p:pic>",
                        text(alt),
                        xfrm(rect)
                    );
                }
                Block::Table(rows) => table(&mut tree, rows, rect, next_id()),
                _ => {}
            }
        }
        let slide = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<p:sld {NS}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{tree}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>\n"
        );
        let slide_part = format!("ppt/slides/slide{number}.xml");
        let rels_refs: Vec<(&str, &str, &str)> = rels_list
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        extra_parts.push((slide_part.clone(), slide.into_bytes()));
        extra_parts.push((rels_of(&slide_part), rels(&rels_refs).into_bytes()));
        types.insert(slide_part, format!("{CT}.slide+xml"));

        let mut notes_body = String::new();
        paragraphs(&mut notes_body, &page.notes, 0);
        if notes_body.is_empty() {
            notes_body.push_str("<a:p><a:endParaRPr lang=\"en-US\"/></a:p>");
        }
        let notes = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<p:notes {NS}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr/></p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>{notes_body}</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>\n"
        );
        let notes_part = format!("ppt/notesSlides/notesSlide{number}.xml");
        let notes_rels = rels(&[
            (
                "rId1",
                "notesMaster",
                &format!("../notesMasters/{}", file_of(&notes_master)),
            ),
            ("rId2", "slide", &format!("../slides/slide{number}.xml")),
        ]);
        extra_parts.push((notes_part.clone(), notes.into_bytes()));
        extra_parts.push((rels_of(&notes_part), notes_rels.into_bytes()));
        types.insert(notes_part, format!("{CT}.notesSlide+xml"));

        let _ = write!(slide_rels, "<Relationship Id=\"rIdSb{number}\" Type=\"{REL}/slide\" Target=\"slides/slide{number}.xml\"/>");
        let _ = write!(
            slide_ids,
            "<p:sldId id=\"{}\" r:id=\"rIdSb{number}\"/>",
            255 + number
        );
    }

    // The presentation part lists these slides, and the notes master.
    let presentation = String::from_utf8(
        r.parts
            .get("ppt/presentation.xml")
            .cloned()
            .unwrap_or_default(),
    )
    .map_err(|_| "ppt/presentation.xml is not UTF-8")?;
    let presentation = with_slides(&presentation, &slide_ids, r.notes_master.is_none());
    let pres_rels = String::from_utf8(
        r.parts
            .get("ppt/_rels/presentation.xml.rels")
            .cloned()
            .unwrap_or_default(),
    )
    .map_err(|_| "the presentation's relationships are not UTF-8")?;
    let mut extra_rels = slide_rels;
    if r.notes_master.is_none() {
        let _ = write!(extra_rels, "<Relationship Id=\"rIdSbNotes\" Type=\"{REL}/notesMaster\" Target=\"notesMasters/notesMaster1.xml\"/>");
    }
    let pres_rels = without_slide_rels(&pres_rels)
        .replace("</Relationships>", &format!("{extra_rels}</Relationships>"));

    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>\n",
        text(job.title),
        text(&job.authors.join(", "))
    );
    types.insert(
        "docProps/core.xml".into(),
        "application/vnd.openxmlformats-package.core-properties+xml".into(),
    );
    let mut root_rels = String::from_utf8(r.parts.get("_rels/.rels").cloned().unwrap_or_default())
        .unwrap_or_default();
    if !root_rels.contains("</Relationships>") || !root_rels.contains("ppt/presentation.xml") {
        root_rels = rels(&[("rId1", "officeDocument", "ppt/presentation.xml")]);
    }
    if !root_rels.contains("docProps/core.xml") {
        root_rels = root_rels.replace(
            "</Relationships>",
            "<Relationship Id=\"rIdSbCore\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>",
        );
    }

    let mut all: BTreeMap<String, Vec<u8>> = r.parts.clone();
    all.remove("[Content_Types].xml");
    all.insert("ppt/presentation.xml".into(), presentation.into_bytes());
    all.insert(
        "ppt/_rels/presentation.xml.rels".into(),
        pres_rels.into_bytes(),
    );
    all.insert("docProps/core.xml".into(), core.into_bytes());
    all.insert("_rels/.rels".into(), root_rels.into_bytes());
    for (name, data) in extra_parts {
        all.insert(name, data);
    }
    for (p, target) in &media {
        all.insert(format!("ppt/{target}"), p.data.clone());
    }
    // Each part listed once: by its own override, or by its extension.
    let mut defaults: BTreeMap<String, String> = BTreeMap::new();
    defaults.insert(
        "rels".into(),
        "application/vnd.openxmlformats-package.relationships+xml".into(),
    );
    defaults.insert("xml".into(), "application/xml".into());
    for name in all.keys() {
        let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        if !types.contains_key(name) && !defaults.contains_key(&ext) {
            // The reference's own type for the extension, else the
            // picture's.
            let known = types.get(&format!(".{ext}")).cloned();
            defaults.insert(
                ext.clone(),
                known.unwrap_or_else(|| picture::media_type(name).into()),
            );
        }
    }
    let mut ct = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">");
    for (ext, t) in &defaults {
        let _ = write!(
            ct,
            "<Default Extension=\"{}\" ContentType=\"{t}\"/>",
            text(ext)
        );
    }
    for (name, t) in types.iter().filter(|(n, _)| !n.starts_with('.')) {
        if all.contains_key(name) {
            let _ = write!(
                ct,
                "<Override PartName=\"/{}\" ContentType=\"{}\"/>",
                text(name),
                text(t)
            );
        }
    }
    ct.push_str("</Types>\n");
    package.add("[Content_Types].xml", "", ct.into_bytes());
    for (name, data) in all {
        package.add(&name, "", data);
    }
    package.bytes()
}

fn file_of(part: &str) -> &str {
    part.rsplit('/').next().unwrap_or(part)
}

fn rels(list: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for (id, kind, target) in list {
        let _ = write!(
            s,
            "<Relationship Id=\"{id}\" Type=\"{REL}/{kind}\" Target=\"{}\"/>",
            text(target)
        );
    }
    s.push_str("</Relationships>\n");
    s
}

/// The presentation part with `ids` as its list of slides (and a notes
/// master listed, when `notes` asks).
fn with_slides(xml: &str, ids: &str, notes: bool) -> String {
    let mut xml = match (xml.find("<p:sldIdLst"), xml.find("</p:sldIdLst>")) {
        (Some(a), Some(b)) => format!("{}{}", &xml[..a], &xml[b + "</p:sldIdLst>".len()..]),
        _ => match xml.find("<p:sldIdLst/>") {
            Some(a) => format!("{}{}", &xml[..a], &xml[a + "<p:sldIdLst/>".len()..]),
            None => xml.to_string(),
        },
    };
    let mut insert = String::new();
    if notes && !xml.contains("<p:notesMasterIdLst") {
        insert.push_str(
            "<p:notesMasterIdLst><p:notesMasterId r:id=\"rIdSbNotes\"/></p:notesMasterIdLst>",
        );
    }
    let _ = write!(insert, "<p:sldIdLst>{ids}</p:sldIdLst>");
    // After the masters' lists, as the schema orders them.
    let after = [
        "</p:handoutMasterIdLst>",
        "</p:notesMasterIdLst>",
        "</p:sldMasterIdLst>",
    ]
    .iter()
    .find_map(|t| xml.find(t).map(|i| i + t.len()));
    if let Some(at) = after {
        xml.insert_str(at, &insert);
    }
    xml
}

fn without_slide_rels(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(a) = rest.find("<Relationship ") {
        let end = rest[a..].find("/>").map_or(rest.len(), |e| a + e + 2);
        out.push_str(&rest[..a]);
        let rel = &rest[a..end];
        let slide = ["/relationships/slide\"", "/relationships/slide'"];
        if !slide.iter().any(|s| rel.contains(s)) {
            out.push_str(rel);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn emu(cm: f64) -> i64 {
    (cm * EMU).round() as i64
}

fn xfrm(r: Rect) -> String {
    format!(
        "<a:xfrm><a:off x=\"{}\" y=\"{}\"/><a:ext cx=\"{}\" cy=\"{}\"/></a:xfrm>",
        emu(r.x),
        emu(r.y),
        emu(r.w),
        emu(r.h)
    )
}

/// Blocks as DrawingML paragraphs; `level` is a list's depth.
fn paragraphs(out: &mut String, blocks: &[Block], level: usize) {
    for b in blocks {
        match b {
            Block::Paragraph(runs) => {
                let _ = write!(
                    out,
                    "<a:p><a:pPr marL=\"0\" indent=\"0\"><a:buNone/></a:pPr>{}</a:p>",
                    runs_xml(runs, None)
                );
            }
            Block::List { ordered, items } => {
                for item in items {
                    // Every item has its bullet, on its text or on a line
                    // of its own above what it holds.
                    if !matches!(item.first(), Some(Block::Paragraph(_))) {
                        let bullet = if *ordered {
                            "<a:buAutoNum type=\"arabicPeriod\"/>"
                        } else {
                            ""
                        };
                        let _ = write!(out, "<a:p><a:pPr lvl=\"{}\">{bullet}</a:pPr><a:endParaRPr lang=\"en-US\"/></a:p>", level.min(8));
                    }
                    for (i, b) in item.iter().enumerate() {
                        match b {
                            Block::Paragraph(runs) if i == 0 => {
                                let bullet = if *ordered {
                                    "<a:buAutoNum type=\"arabicPeriod\"/>"
                                } else {
                                    ""
                                };
                                let _ = write!(
                                    out,
                                    "<a:p><a:pPr lvl=\"{}\">{bullet}</a:pPr>{}</a:p>",
                                    level.min(8),
                                    runs_xml(runs, None)
                                );
                            }
                            other => paragraphs(out, std::slice::from_ref(other), level + 1),
                        }
                    }
                }
            }
            Block::Code(lines) => {
                for line in lines {
                    let _ = write!(
                        out,
                        "<a:p><a:pPr marL=\"0\" indent=\"0\"><a:buNone/></a:pPr>{}</a:p>",
                        runs_xml(line, Some(1600))
                    );
                }
            }
            Block::Table(rows) => {
                for row in rows {
                    let cells: Vec<String> =
                        row.iter().map(|c| super::content::plain_text(c)).collect();
                    let _ = write!(
                        out,
                        "<a:p><a:pPr marL=\"0\" indent=\"0\"><a:buNone/></a:pPr>{}</a:p>",
                        runs_xml(
                            &[Run {
                                text: cells.join("\t"),
                                ..Run::default()
                            }],
                            None
                        )
                    );
                }
            }
            Block::Picture { alt, .. } => {
                let _ = write!(
                    out,
                    "<a:p><a:pPr marL=\"0\" indent=\"0\"><a:buNone/></a:pPr>{}</a:p>",
                    runs_xml(
                        &[Run {
                            text: format!("[{alt}]"),
                            ..Run::default()
                        }],
                        None
                    )
                );
            }
        }
    }
}

/// Runs as DrawingML runs; `size` in hundredths of a point for code.
fn runs_xml(runs: &[Run], size: Option<u32>) -> String {
    let mut out = String::new();
    for r in runs {
        for (i, piece) in r.text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<a:br/>");
            }
            if piece.is_empty() {
                continue;
            }
            let mut props = String::from("<a:rPr lang=\"en-US\"");
            if let Some(sz) = size.or(r.code.then_some(0)).filter(|s| *s > 0) {
                let _ = write!(props, " sz=\"{sz}\"");
            }
            if r.bold {
                props.push_str(" b=\"1\"");
            }
            if r.italic {
                props.push_str(" i=\"1\"");
            }
            props.push('>');
            if let Some([red, g, b]) = r.colour {
                let _ = write!(
                    props,
                    "<a:solidFill><a:srgbClr val=\"{red:02X}{g:02X}{b:02X}\"/></a:solidFill>"
                );
            }
            if r.code {
                props.push_str(
                    "<a:latin typeface=\"Liberation Mono\"/><a:cs typeface=\"Liberation Mono\"/>",
                );
            }
            props.push_str("</a:rPr>");
            let _ = write!(out, "<a:r>{props}<a:t>{}</a:t></a:r>", text(piece));
        }
    }
    if out.is_empty() {
        out.push_str("<a:endParaRPr lang=\"en-US\"/>");
    }
    out
}

fn table(out: &mut String, rows: &[Vec<Vec<Run>>], r: Rect, id: u32) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let col = emu(r.w) / columns as i64;
    let row_h = emu(r.h) / rows.len().max(1) as i64;
    let _ = write!(
        out,
        "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{id}\" name=\"Table {id}\"/><p:cNvGraphicFramePr><a:graphicFrameLocks noGrp=\"1\"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x=\"{}\" y=\"{}\"/><a:ext cx=\"{}\" cy=\"{}\"/></p:xfrm><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/table\"><a:tbl><a:tblPr firstRow=\"1\" bandRow=\"1\"/><a:tblGrid>",
        emu(r.x),
        emu(r.y),
        col * columns as i64,
        emu(r.h)
    );
    for _ in 0..columns {
        let _ = write!(out, "<a:gridCol w=\"{col}\"/>");
    }
    out.push_str("</a:tblGrid>");
    for (i, row) in rows.iter().enumerate() {
        let _ = write!(out, "<a:tr h=\"{row_h}\">");
        for c in 0..columns {
            let runs: Vec<Run> = row
                .get(c)
                .map(|cell| {
                    cell.iter()
                        .map(|r| Run {
                            bold: r.bold || i == 0,
                            ..r.clone()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p>{}</a:p></a:txBody><a:tcPr/></a:tc>",
                runs_xml(&runs, Some(1600))
            );
        }
        out.push_str("</a:tr>");
    }
    out.push_str("</a:tbl></a:graphicData></a:graphic></p:graphicFrame>");
}

const THEME: &str = include_str!("../../templates/export/pptx/theme.xml");
const NOTES_MASTER: &str = include_str!("../../templates/export/pptx/notesMaster.xml");

/// slidebook's own reference document, part by part.
fn own_parts() -> BTreeMap<String, Vec<u8>> {
    let mut parts = BTreeMap::new();
    let mut put = |name: &str, text: String| {
        parts.insert(name.to_string(), text.into_bytes());
    };
    put("[Content_Types].xml", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/ppt/presentation.xml\" ContentType=\"{CT}.presentation.main+xml\"/><Override PartName=\"/ppt/slideMasters/slideMaster1.xml\" ContentType=\"{CT}.slideMaster+xml\"/><Override PartName=\"/ppt/slideLayouts/slideLayout1.xml\" ContentType=\"{CT}.slideLayout+xml\"/><Override PartName=\"/ppt/slideLayouts/slideLayout2.xml\" ContentType=\"{CT}.slideLayout+xml\"/><Override PartName=\"/ppt/slideLayouts/slideLayout3.xml\" ContentType=\"{CT}.slideLayout+xml\"/><Override PartName=\"/ppt/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/></Types>\n"
    ));
    put(
        "_rels/.rels",
        rels(&[("rId1", "officeDocument", "ppt/presentation.xml")]),
    );
    put("ppt/presentation.xml", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<p:presentation {NS}><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst><p:sldSz cx=\"12192000\" cy=\"6858000\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/></p:presentation>\n"
    ));
    put(
        "ppt/_rels/presentation.xml.rels",
        rels(&[
            ("rId1", "slideMaster", "slideMasters/slideMaster1.xml"),
            ("rId2", "theme", "theme/theme1.xml"),
        ]),
    );
    put("ppt/theme/theme1.xml", THEME.to_string());
    put(
        "ppt/slideMasters/slideMaster1.xml",
        include_str!("../../templates/export/pptx/slideMaster.xml").to_string(),
    );
    put(
        "ppt/slideMasters/_rels/slideMaster1.xml.rels",
        rels(&[
            ("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml"),
            ("rId2", "slideLayout", "../slideLayouts/slideLayout2.xml"),
            ("rId3", "slideLayout", "../slideLayouts/slideLayout3.xml"),
            ("rId4", "theme", "../theme/theme1.xml"),
        ]),
    );
    let layouts = [
        (
            "Title Slide",
            "ctrTitle",
            "<p:ph type=\"subTitle\" idx=\"1\"/>",
            (1.5, 5.5, 30.8, 4.0),
            (1.5, 10.0, 30.8, 3.5),
        ),
        (
            "Title and Content",
            "title",
            "<p:ph idx=\"1\"/>",
            (1.2, 0.6, 31.4, 2.6),
            (1.2, 3.6, 31.4, 14.4),
        ),
        (
            "Section Header",
            "title",
            "<p:ph type=\"body\" idx=\"1\"/>",
            (1.5, 5.5, 30.8, 4.0),
            (1.5, 10.0, 30.8, 3.5),
        ),
    ];
    for (i, (name, title, body, t, b)) in layouts.iter().enumerate() {
        let n = i + 1;
        let r = |(x, y, w, h): (f64, f64, f64, f64)| xfrm(Rect { x, y, w, h });
        let dark = *name != "Title and Content";
        let bg = if dark {
            "<p:bg><p:bgPr><a:solidFill><a:srgbClr val=\"173F7D\"/></a:solidFill><a:effectLst/></p:bgPr></p:bg>"
        } else {
            ""
        };
        // Title and section slides: a bigger title, light on dark.
        let size = if dark { " sz=\"4000\"" } else { "" };
        let colour = if dark {
            "<a:solidFill><a:srgbClr val=\"FFFFFF\"/></a:solidFill>"
        } else {
            ""
        };
        put(&format!("ppt/slideLayouts/slideLayout{n}.xml"), format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<p:sldLayout {NS} preserve=\"1\"><p:cSld name=\"{name}\">{bg}<p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Title\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"{title}\"/></p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr><p:txBody><a:bodyPr/><a:lstStyle><a:lvl1pPr><a:defRPr{size}>{colour}</a:defRPr></a:lvl1pPr></a:lstStyle><a:p><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Body\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>{body}</p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr><p:txBody><a:bodyPr/><a:lstStyle>{}</a:lstStyle><a:p><a:endParaRPr lang=\"en-US\"/></a:p></p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>\n",
            r(*t),
            r(*b),
            if dark { "<a:lvl1pPr marL=\"0\" indent=\"0\"><a:buNone/><a:defRPr><a:solidFill><a:srgbClr val=\"D9DFE7\"/></a:solidFill></a:defRPr></a:lvl1pPr>" } else { "" }
        ));
        put(
            &format!("ppt/slideLayouts/_rels/slideLayout{n}.xml.rels"),
            rels(&[("rId1", "slideMaster", "../slideMasters/slideMaster1.xml")]),
        );
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_reference_has_the_layouts_pandoc_names() {
        let r = Reference::own();
        let names: Vec<&str> = r.layouts.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["Title Slide", "Title and Content", "Section Header"]
        );
        let (l, missing) = r.layout("Two Content", &["Title and Content"]);
        assert_eq!(
            (l.name.as_str(), missing.as_deref()),
            ("Title and Content", Some("Two Content"))
        );
        let body = r.layouts[1].body.as_ref().unwrap();
        assert_eq!(body.idx.as_deref(), Some("1"));
        assert!(body.rect.is_some());
    }

    #[test]
    fn targets_resolve_from_their_part() {
        assert_eq!(
            resolve("ppt/slideMasters", "../slideLayouts/slideLayout1.xml"),
            "ppt/slideLayouts/slideLayout1.xml"
        );
        assert_eq!(
            resolve("ppt", "/ppt/theme/theme1.xml"),
            "ppt/theme/theme1.xml"
        );
    }
}
