//! PowerPoint packages (`.pptx`): slides on the reference document's
//! layouts, chosen by name as pandoc chooses them (*Title Slide*, *Title
//! and Content*, *Section Header*), placeholders left to inherit the
//! layout's geometry, notes in notes slides. Without a reference document,
//! one of slidebook's own, written here.

//!
//! [`reference`] reads a reference document (or makes slidebook's own, in
//! [`own`]); [`shapes`] writes a slide's text, pictures and tables as
//! DrawingML; this module puts the slides, their notes and the
//! reference's parts together as a package.

mod own;
mod reference;
mod shapes;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::content::{Block, Page, Run};
use super::xml::text;
use super::{picture, Package, Picture, Rect};
use crate::deck::SlideKind;
use own::{NOTES_MASTER, THEME};
pub use reference::Reference;
use reference::{rels_of, Ph};
use shapes::{paragraphs, runs_xml, table, xfrm};

/// EMUs in a centimetre.
pub(super) const EMU: f64 = 360_000.0;

pub(super) const NS: &str = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
pub(super) const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(super) const CT: &str = "application/vnd.openxmlformats-officedocument.presentationml";
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
        let (slide, rels_list) = slide(r, page, number, pictures, &mut media);
        let slide_part = format!("ppt/slides/slide{number}.xml");
        let rels_refs: Vec<(&str, &str, &str)> = rels_list
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        extra_parts.push((slide_part.clone(), slide.into_bytes()));
        extra_parts.push((rels_of(&slide_part), rels(&rels_refs).into_bytes()));
        types.insert(slide_part, format!("{CT}.slide+xml"));

        let notes = notes_slide(page);
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

/// Slide `number`: its XML and its relationships (its layout, its notes
/// slide, its pictures, which join `media` the first time they are shown).
fn slide<'p>(
    r: &Reference,
    page: &Page,
    number: usize,
    pictures: &'p [Picture],
    media: &mut Vec<(&'p Picture, String)>,
) -> (String, Vec<(String, String, String)>) {
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
    (slide, rels_list)
}

/// A page's notes as a notes slide.
fn notes_slide(page: &Page) -> String {
    let mut notes_body = String::new();
    paragraphs(&mut notes_body, &page.notes, 0);
    if notes_body.is_empty() {
        notes_body.push_str("<a:p><a:endParaRPr lang=\"en-US\"/></a:p>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<p:notes {NS}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr/></p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>{notes_body}</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>\n"
    )
}

fn file_of(part: &str) -> &str {
    part.rsplit('/').next().unwrap_or(part)
}

pub(super) fn rels(list: &[(&str, &str, &str)]) -> String {
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
