//! `slidebook export --odp | --pptx`: each deck as an OpenDocument
//! presentation on the talk's template, or a PowerPoint one on its
//! reference document (or slidebook's own), beside the built decks or
//! where `-o` says. The package is made in memory and written whole; a
//! file the talk is made of is never written over.

use std::path::{Path, PathBuf};

use crate::config::Project;
use crate::error::{Error, Result};
use crate::export::{self, Format, Settings};
use crate::html::Highlighter;
use crate::pipeline;

pub fn run(
    project: &Project,
    targets: &[String],
    out: Option<&Path>,
    format: Format,
    settings: &Settings,
) -> Result<i32> {
    let specs = pipeline::select(project, targets)?;
    if out.is_some() && specs.len() != 1 {
        let names: Vec<&str> = specs.iter().map(|d| d.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "-o names one file, so `export -o` exports one deck, and {} were chosen: name one of {}",
            specs.len(),
            names.join(", ")
        )));
    }
    let out = match out {
        Some(o) => Some(super::out_file(o, format.extension(), "the presentation")?),
        None => None,
    };
    // The template is checked before any deck is read.
    match format {
        Format::Odp => drop(export::odp_template(&project.root, settings)?),
        Format::Pptx => drop(export::pptx_reference(&project.root, settings)?),
    }
    let hl = Highlighter::new();
    for spec in &specs {
        let a = pipeline::analyze(project, spec, &hl)?;
        for w in a.all_warnings() {
            eprint!("{}", w.render());
        }
        let exported = match format {
            Format::Odp => export::odp(&a, &project.root, settings, &hl)?,
            Format::Pptx => export::pptx(&a, &project.root, settings, &hl)?,
        };
        for w in &exported.warnings {
            eprint!("{}", w.render());
        }
        let dest =
            match &out {
                Some(file) => file.clone(),
                None => crate::output::build_dir(&project.root, &project.config.build)?
                    .join(format!("{}.{}", spec.name, format.extension())),
            };
        let dest = crate::paths::normalize(&dest);
        // Where it really is (through any link to its folder): never one of
        // the talk's files, nor the template.
        let real = dest
            .parent()
            .and_then(|d| d.canonicalize().ok())
            .zip(dest.file_name())
            .map_or(dest.clone(), |(d, n)| d.join(n));
        let used = settings.inputs(&project.root);
        if a.inputs()
            .chain(used.iter().map(PathBuf::as_path))
            .any(|i| i == real || i == dest)
        {
            return Err(Error::Usage(format!(
                "`{}` is a file the talk is made of: export to another file",
                a.loaded.sources.display(&dest)
            )));
        }
        crate::output::replace_file(&dest, &exported.bytes)?;
        eprintln!(
            "exported {}: {} slides -> {} ({:.1} KiB)",
            spec.name,
            exported.slides,
            a.loaded.sources.display(&dest),
            exported.bytes.len() as f64 / 1024.0
        );
    }
    Ok(0)
}
