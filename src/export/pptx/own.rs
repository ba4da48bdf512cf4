//! slidebook's own reference document, written here: a theme in the
//! default colours, a master, the three layouts pandoc names, and a notes
//! master for references that lack one.

use std::collections::BTreeMap;

use super::shapes::xfrm;
use super::{rels, CT, NS};
use crate::export::Rect;

pub(super) const THEME: &str = include_str!("../../../templates/export/pptx/theme.xml");
pub(super) const NOTES_MASTER: &str =
    include_str!("../../../templates/export/pptx/notesMaster.xml");

/// slidebook's own reference document, part by part.
pub(super) fn own_parts() -> BTreeMap<String, Vec<u8>> {
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
        include_str!("../../../templates/export/pptx/slideMaster.xml").to_string(),
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
