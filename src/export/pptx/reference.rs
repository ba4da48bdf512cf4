//! A reference document read: its parts and content types, the layouts of
//! its first slide master with their placeholders, its slide size.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::events::Event;

use super::own::own_parts;
use super::EMU;
use crate::export::xml::text;
use crate::export::Rect;

/// A placeholder on a layout: its `type` and `idx`, and where it is.
#[derive(Clone, Debug, Default)]
pub(super) struct Ph {
    pub(super) kind: Option<String>,
    pub(super) idx: Option<String>,
    pub(super) rect: Option<Rect>,
}

impl Ph {
    pub(super) fn xml(&self) -> String {
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
    pub(super) part: String,
    pub(super) title: Option<Ph>,
    pub(super) body: Option<Ph>,
}

/// A reference document: its parts, and what the export needs to know of
/// them.
pub struct Reference {
    pub(super) parts: BTreeMap<String, Vec<u8>>,
    /// Content types of its parts, by part name.
    pub(super) types: BTreeMap<String, String>,
    pub layouts: Vec<Layout>,
    /// The slide's size, in centimetres.
    pub(super) size: (f64, f64),
    /// The master's body placeholder, for layouts that do not place theirs.
    pub(super) master_body: Option<Rect>,
    pub(super) notes_master: Option<String>,
}

impl Reference {
    pub fn own() -> Reference {
        Reference::from_parts(own_parts()).expect("the built-in reference document reads")
    }

    pub fn read(bytes: &[u8]) -> Result<Reference, String> {
        let parts = crate::export::unpack(bytes, |_| true)?
            .into_iter()
            .collect();
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

pub(super) fn rels_of(part: &str) -> String {
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
