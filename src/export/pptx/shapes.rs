//! A slide's content as DrawingML: paragraphs with bullets and runs,
//! pictures' and tables' frames, in EMUs.

use std::fmt::Write as _;

use super::EMU;
use crate::export::content::{Block, Run};
use crate::export::xml::text;
use crate::export::Rect;

fn emu(cm: f64) -> i64 {
    (cm * EMU).round() as i64
}

pub(super) fn xfrm(r: Rect) -> String {
    format!(
        "<a:xfrm><a:off x=\"{}\" y=\"{}\"/><a:ext cx=\"{}\" cy=\"{}\"/></a:xfrm>",
        emu(r.x),
        emu(r.y),
        emu(r.w),
        emu(r.h)
    )
}

/// Blocks as DrawingML paragraphs; `level` is a list's depth.
pub(super) fn paragraphs(out: &mut String, blocks: &[Block], level: usize) {
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
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| crate::export::content::plain_text(c))
                        .collect();
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
pub(super) fn runs_xml(runs: &[Run], size: Option<u32>) -> String {
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

pub(super) fn table(out: &mut String, rows: &[Vec<Vec<Run>>], r: Rect, id: u32) {
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
