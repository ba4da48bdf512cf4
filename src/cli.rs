//! The command line: one `Cli`, one `Command` per job; parsing and
//! dispatch to [`crate::commands`], nothing else.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands::{self, Format};
use crate::config::{ArchiveFormat, HandoutConfig, NotesPlace, Paper, Project, Steps};
use crate::error::Result;

/// Build technical talks from plain text: m4-style includes, an offline
/// slide deck, and a handout with every slide beside its notes.
#[derive(Debug, Parser)]
#[command(name = "slidebook", version)]
pub struct Cli {
    /// The talk's root folder (default: the folder of the nearest book.toml
    /// above the current one, else the current folder)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Treat warnings (a missing picture, a comment left open) as errors:
    /// nothing is written (as `strict = true` under [build] in book.toml)
    #[arg(long, global = true)]
    pub deny_warnings: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a file with its includes expanded, exactly as GNU m4 would
    Expand {
        /// The Markdown file to expand
        file: PathBuf,
        /// Search this folder for includes after the root (like m4 -I)
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Define a macro before reading (like m4 -D NAME[=VALUE])
        #[arg(short = 'D', long = "define", value_name = "NAME[=VALUE]")]
        define: Vec<String>,
    },
    /// Check decks for broken includes, images and links; write nothing
    Check {
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
        /// How to print what is found
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Measure every slide in a headless Chromium, rather than flag
        /// only what surely does not fit
        #[arg(long)]
        layout: bool,
        /// Also list the files under cmd/, output/, common/ and img/ that
        /// no deck checked reads (as notes: they do not fail the check)
        #[arg(long)]
        unused: bool,
    },
    /// Build decks: index.html (the slides), handout.html and their files
    Build {
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
        /// Write here instead of the build folder (one deck: this folder;
        /// several: a folder per deck inside it)
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also pack each deck into one file beside its folder, to hand
        /// out or put on a web server: DECK.zip (the default) or DECK.tar.gz
        #[arg(long, value_enum, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "zip")]
        archive: Option<ArchiveFormat>,
        #[command(flatten)]
        handout: HandoutArgs,
    },
    /// Build, then rebuild whenever a file of the talk changes
    Watch {
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
    },
    /// Watch, and serve the decks on localhost; open pages follow each rebuild
    Serve {
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
        /// The port (0 picks a free one)
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on: 0.0.0.0 (or ::) to present from
        /// another device; anyone who can reach it may read the decks
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Build, then print each deck and its handout to PDF with Chromium
    Pdf {
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
        /// Write the PDF here (one deck; the handout goes beside it as
        /// NAME-handout.pdf, unless only the handout is printed)
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print only the slides
        #[arg(long, conflicts_with = "handout_only")]
        slides: bool,
        /// Print only the handout
        #[arg(long = "handout", id = "handout_only")]
        handout_only: bool,
        #[command(flatten)]
        handout: HandoutArgs,
    },
    /// Export each deck as an editable presentation, with its notes:
    /// OpenDocument (.odp) on the talk's template, or PowerPoint (.pptx) on
    /// its reference document
    Export {
        /// Write an OpenDocument presentation
        #[arg(long, required_unless_present = "pptx", conflicts_with = "pptx")]
        odp: bool,
        /// Write a PowerPoint presentation
        #[arg(long)]
        pptx: bool,
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
        /// Write the presentation here (one deck; default: BUILD_DIR/NAME.odp)
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
        /// The .odp whose styles and master pages to use (default: `template`
        /// under [export], else slidebook's own)
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
        /// The template's master page for content slides, by name
        #[arg(long, value_name = "NAME")]
        content_master: Option<String>,
        /// The template's master page for section slides, by name
        #[arg(long, value_name = "NAME")]
        break_master: Option<String>,
        /// The .pptx whose layouts to use (default: `reference-doc` under
        /// [export], else slidebook's own)
        #[arg(long, value_name = "FILE")]
        reference_doc: Option<PathBuf>,
    },
    /// Run the commands the talk shows (cmd/NAME.sh) and compare what each
    /// prints with what the talk says it prints (output/NAME)
    Verify {
        /// Commands to run, by NAME (default: every cmd/NAME.sh with an
        /// output/NAME)
        names: Vec<String>,
        /// Rewrite each output that differs with what its command prints now
        #[arg(long)]
        bless: bool,
        /// Seconds a command may run (default: `timeout` under [verify], else 30)
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
        timeout: Option<u64>,
        /// How to print what is found
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print a deck's speaker notes, in order, as Markdown
    Notes {
        /// Deck names from book.toml, or Markdown files (default: every deck)
        targets: Vec<String>,
        /// Put each slide's number and title above its notes
        #[arg(long)]
        titles: bool,
        /// Print instead each slide's time by its notes, and the deck's
        #[arg(long, conflicts_with = "titles")]
        timing: bool,
    },
    /// Start a new talk: book.toml, a deck, a shared slide, a command and its
    /// output, a picture; never overwrites a file
    Init {
        /// Where to create it (default: the current folder)
        dir: Option<PathBuf>,
        /// Write the built-in templates into DIR/templates/ instead, as a
        /// starting point for a talk's own look
        #[arg(long)]
        templates: bool,
    },
}

/// The handout's layout, over what `[handout]` in book.toml says.
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Handout")]
pub struct HandoutArgs {
    /// Handout entries on a printed page, 1 to 6 (default: 3 with the notes
    /// beside the slide, 2 with them below)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=6))]
    pub slides_per_page: Option<u8>,
    /// Where each slide's notes go in the handout
    #[arg(long, value_enum, value_name = "WHERE")]
    pub notes: Option<NotesPlace>,
    /// The handout's paper size
    #[arg(long, value_enum)]
    pub paper: Option<Paper>,
    /// One handout entry per step of a slide built up in steps, instead of
    /// one entry showing its last step
    #[arg(long)]
    pub every_step: bool,
}

impl HandoutArgs {
    fn apply(&self, config: &mut HandoutConfig) {
        if let Some(n) = self.slides_per_page {
            config.slides_per_page = Some(n);
        }
        if let Some(notes) = self.notes {
            config.notes = notes;
        }
        if let Some(paper) = self.paper {
            config.paper = paper;
        }
        if self.every_step {
            config.steps = Steps::Every;
        }
    }
}

/// Runs a command; the number is the exit code when nothing failed hard.
pub fn run(cli: Cli) -> Result<i32> {
    // A new talk needs no existing one (nor a sound book.toml above it).
    if let Command::Init { dir, templates } = &cli.command {
        return match templates {
            true => commands::init::templates(dir.as_deref()),
            false => commands::init::run(dir.as_deref()),
        };
    }
    let mut project = Project::discover(cli.root.as_deref())?;
    project.config.build.strict |= cli.deny_warnings;
    match cli.command {
        Command::Expand {
            file,
            include,
            define,
        } => commands::expand::run(&project, &file, &include, &define),
        Command::Check {
            targets,
            format,
            layout,
            unused,
        } => commands::check::run(&project, &targets, format, layout, unused),
        Command::Build {
            targets,
            out,
            archive,
            handout,
        } => {
            handout.apply(&mut project.config.handout);
            if archive.is_some() {
                project.config.build.archive = archive;
            }
            commands::build::run(&project, &targets, out.as_deref())
        }
        Command::Export {
            odp: _,
            pptx,
            targets,
            out,
            template,
            content_master,
            break_master,
            reference_doc,
        } => {
            let mut settings = crate::export::Settings::from_config(&project.config);
            // A path typed on the command line is from where it is typed.
            let cwd = std::env::current_dir().map_err(crate::error::Error::io("."))?;
            if let Some(t) = template {
                settings.template = Some(cwd.join(t));
                settings.confined.template = false;
            }
            if let Some(r) = reference_doc {
                settings.reference_doc = Some(cwd.join(r));
                settings.confined.reference_doc = false;
            }
            settings.content_master = content_master.or(settings.content_master);
            settings.break_master = break_master.or(settings.break_master);
            let format = match pptx {
                true => crate::export::Format::Pptx,
                false => crate::export::Format::Odp,
            };
            commands::export::run(&project, &targets, out.as_deref(), format, &settings)
        }
        Command::Verify {
            names,
            bless,
            timeout,
            format,
        } => commands::verify::run(&project, &names, bless, timeout, format),
        Command::Notes {
            targets,
            titles,
            timing,
        } => commands::notes::run(&project, &targets, titles, timing),
        Command::Pdf {
            targets,
            out,
            slides,
            handout_only,
            handout,
        } => {
            handout.apply(&mut project.config.handout);
            let which = commands::pdf::Which {
                slides: !handout_only,
                handout: !slides,
            };
            commands::pdf::run(&project, &targets, out.as_deref(), which)
        }
        Command::Watch { targets } => {
            commands::watch::run(cli.root.as_deref(), &targets, cli.deny_warnings)
        }
        Command::Serve {
            targets,
            port,
            bind,
        } => commands::serve::run(cli.root.as_deref(), &targets, bind, port, cli.deny_warnings),
        Command::Init { .. } => unreachable!("handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
