//! `cargo bench`: each stage of a build, and the whole build, on synthetic
//! talks of 100, 1,000 and 10,000 slides and on the corpus talk (its
//! lightning version), against the floor: two bare pulldown-cmark renders
//! of the same expanded text.
//!
//! Groups, each with one benchmark per talk:
//! - `expand`: reading the sources and expanding the includes (`pipeline::load`);
//! - `split`: slides, notes and references from the expanded text
//!   (`deck::split`, highlighter set-up included);
//! - `render`: the deck and the handout from the templates (`Templates::render`);
//! - `build`: `build::build` into an empty folder, as `slidebook build` does;
//! - `baseline`: `pulldown_cmark::html::push_html` twice over the expanded text.
//!
//! Run one group or talk with a filter: `cargo bench -- build/10000`.
//! The ratio build / baseline per talk is printed at the end from
//! criterion's estimates.

#[path = "support/gen.rs"]
mod gen;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Bencher, BenchmarkId, Criterion, SamplingMode, Throughput};

use slidebook::config::Project;
use slidebook::deck::{self, Cover, Deck};
use slidebook::html::{Highlighter, Markdown, Templates};
use slidebook::pipeline::{self, DeckSpec};

/// A talk ready for every stage: its expanded text and deck are computed
/// once, so each benchmark times only its own stage.
struct Talk {
    label: String,
    project: Project,
    /// What `slidebook build` is given: empty for the book's decks, or the
    /// entry file.
    targets: Vec<String>,
    spec: DeckSpec,
    text: String,
    deck: Deck,
    out: PathBuf,
}

impl Talk {
    fn new(label: &str, root: &Path, targets: Vec<String>, out: PathBuf) -> Talk {
        let project = Project::discover(Some(root)).expect("the talk has a usable book.toml");
        let spec = pipeline::select(&project, &targets)
            .expect("the deck exists")
            .remove(0);
        let loaded =
            pipeline::load(&project, &spec, &[], pipeline::Reading::Talk).expect("the talk loads");
        assert!(
            loaded.expanded.problems.is_empty(),
            "{label}: the talk expands with problems: {:?}",
            loaded.expanded.problems
        );
        let text = loaded.expanded.text.clone();
        let deck = split(&project, &spec, &text);
        Talk {
            label: label.to_string(),
            project,
            targets,
            spec,
            text,
            deck,
            out,
        }
    }

    /// How long criterion should spend on this talk: enough for ten
    /// samples of the slowest stage on two cores.
    fn measurement_time(&self) -> Duration {
        match self.text.len() {
            0..=200_000 => Duration::from_secs(2),
            200_001..=2_000_000 => Duration::from_secs(3),
            _ => Duration::from_secs(8),
        }
    }
}

fn split(project: &Project, spec: &DeckSpec, text: &str) -> Deck {
    let title_known = spec.title.is_some() || project.config.book.title.is_some();
    // A new highlighter each time: a build makes one, and its set-up is
    // part of what a build costs.
    deck::split(
        text,
        project.config.build.slide_level,
        title_known,
        &Markdown {
            highlighter: &Highlighter::new(),
            missing_images: None,
        },
    )
}

/// Two renders, one per output file, as any pulldown-cmark tool needs.
fn baseline(text: &str) -> (String, String) {
    let render = || {
        let mut html = String::new();
        let parser = pulldown_cmark::Parser::new_ext(text, deck::markdown_options());
        pulldown_cmark::html::push_html(&mut html, parser);
        html
    };
    (render(), render())
}

fn talks(work: &Path) -> Vec<Talk> {
    let mut talks = Vec::new();
    let sizes: [(&str, gen::Options); 4] = [
        ("100", gen::Options::new(100)),
        ("1000", gen::Options::new(1_000)),
        ("10000", gen::Options::new(10_000)),
        // The same 1,000 slides with every tenth fence in `sh`, so that
        // syntax highlighting is part of the build.
        (
            "1000-sh",
            gen::Options {
                highlight_every: 10,
                ..gen::Options::new(1_000)
            },
        ),
    ];
    for (label, opts) in sizes {
        let root = work.join(format!("talk-{label}"));
        let sum = gen::generate(&root, &opts).expect("the synthetic talk is written");
        let t = Talk::new(label, &root, Vec::new(), work.join(format!("out-{label}")));
        eprintln!("talk {label}: {}", gen::describe(&sum, t.text.len()));
        talks.push(t);
    }
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/magnum-debugging-101");
    let entry = corpus.join("lightning/main.md");
    if entry.is_file() {
        let entry = entry.to_string_lossy().into_owned();
        let t = Talk::new(
            "lightning",
            &corpus,
            vec![entry],
            work.join("out-lightning"),
        );
        eprintln!(
            "talk lightning: the corpus talk, {} bytes expanded",
            t.text.len()
        );
        talks.push(t);
    } else {
        eprintln!(
            "SKIPPED: the corpus talk: {} not found (it comes with ../shared)",
            entry.display()
        );
    }
    talks
}

fn bench(c: &mut Criterion, talks: &[Talk]) {
    // Highlighting is measured in the build group only.
    let plain = || talks.iter().filter(|t| !t.label.ends_with("-sh"));

    run_group(c, "expand", plain(), |b, t| {
        b.iter(|| pipeline::load(&t.project, &t.spec, &[], pipeline::Reading::Talk).expect("loads"))
    });
    run_group(c, "split", plain(), |b, t| {
        b.iter(|| split(&t.project, &t.spec, black_box(&t.text)))
    });
    run_group(c, "render", plain(), |b, t| {
        let templates = Templates::load(&t.project.root).expect("templates load");
        b.iter(|| {
            let (deck, handout) = templates
                .render(
                    &t.project.config,
                    &t.spec.name,
                    &Cover::default(),
                    &t.deck,
                    None,
                )
                .expect("renders");
            // Both pages as they are written, to a sink.
            deck.write_to(&mut std::io::BufWriter::new(std::io::sink()))
                .expect("writes");
            handout
                .write_to(&mut std::io::BufWriter::new(std::io::sink()))
                .expect("writes");
        })
    });
    run_group(c, "build", talks.iter(), |b, t| {
        // Into an empty folder each time, so every file is written.
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(&t.out);
            },
            |()| slidebook::output::build(&t.project, &t.targets, Some(&t.out)).expect("builds"),
            BatchSize::PerIteration,
        )
    });
    let parted = talks
        .iter()
        .filter(|t| t.project.root.join("common/part-0001.md").is_file());
    run_group(c, "rebuild", parted, |b, t| {
        // As `serve` rebuilds after a save: one included file rewritten,
        // the builder told, the deck built again from what it kept.
        let file = t.project.root.join("common/part-0001.md");
        let original = std::fs::read_to_string(&file).expect("the talk has parts");
        let mut builder = slidebook::output::Builder::remembering();
        builder
            .build(&t.project, &t.targets, Some(&t.out))
            .expect("builds");
        let mut n = 0u64;
        b.iter(|| {
            n += 1;
            std::fs::write(&file, format!("{original}\nsaved {n}\n")).expect("writes");
            builder.forget_files(&[(file.clone(), false)]);
            builder
                .build(&t.project, &t.targets, Some(&t.out))
                .expect("builds")
        });
        std::fs::write(&file, &original).expect("writes");
    });
    run_group(c, "baseline", plain(), |b, t| {
        b.iter(|| baseline(black_box(&t.text)))
    });
}

/// One group, `body` measuring each talk, with the settings every group
/// here uses: few samples, as the big talks take a fifth of a second each.
fn run_group<'t>(
    c: &mut Criterion,
    name: &str,
    talks: impl Iterator<Item = &'t Talk>,
    mut body: impl FnMut(&mut Bencher, &Talk),
) {
    let mut g = c.benchmark_group(name);
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1));
    for t in talks {
        g.measurement_time(t.measurement_time());
        g.throughput(Throughput::Bytes(t.text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(&t.label), t, |b, t| body(b, t));
    }
    g.finish();
}

/// Criterion's point estimate (the mean) of one benchmark, in nanoseconds,
/// from the file it keeps under target/criterion.
fn estimate(dir: &Path, group: &str, id: &str) -> Option<f64> {
    let path = dir.join(group).join(id).join("new/estimates.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

/// The figure to watch: build time over the time of two bare renders.
fn print_ratios(talks: &[Talk]) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("criterion");
    let mut lines = Vec::new();
    for t in talks {
        let build = estimate(&dir, "build", &t.label);
        let base = estimate(&dir, "baseline", &t.label);
        if let (Some(build), Some(base)) = (build, base) {
            lines.push(format!(
                "  {:<10} build {:>10.3} ms   two bare renders {:>9.3} ms   ratio {:>5.2}",
                t.label,
                build / 1e6,
                base / 1e6,
                build / base
            ));
        }
    }
    if !lines.is_empty() {
        eprintln!(
            "\nbuild / two bare pulldown-cmark renders (means, from {}):",
            dir.display()
        );
        for l in lines {
            eprintln!("{l}");
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let work = tempfile::tempdir().expect("a temporary folder");
    let talks = talks(work.path());
    bench(&mut c, &talks);
    c.final_summary();
    print_ratios(&talks);
}
