//! Synthetic talks for the benchmarks and for `examples/gen_talk.rs`.
//!
//! A talk of N slides is laid out like a real one: `book.toml` with one
//! deck, `slides/main.md` that includes one part file per 50 slides from
//! `common/`, and slides with bullets, a command and its output included
//! into a fence from `cmd/` and `output/`, an image every third slide, and
//! speaker notes in an HTML comment after each slide. The text comes from
//! a fixed word list and a seeded generator, so the same N always gives
//! the same bytes.
//!
//! This file is shared with `#[path]` by the bench and the example, so it
//! uses nothing but the standard library.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Slides, counting one section slide at the start of each part file
    /// (the deck also gets a title slide from the front matter).
    pub slides: usize,
    /// Slides per included part file.
    pub slides_per_part: usize,
    /// Distinct commands (each a `cmd/` and an `output/` file), shared
    /// round-robin by the slides; 0 means one per two slides.
    pub commands: usize,
    /// Every this many slides, the fence names a language (`sh`), so the
    /// build highlights it; 0 keeps every fence plain, as the corpus talk.
    pub highlight_every: usize,
}

impl Options {
    pub fn new(slides: usize) -> Options {
        Options {
            slides,
            slides_per_part: 50,
            commands: 0,
            highlight_every: 0,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub slides: usize,
    pub parts: usize,
    pub commands: usize,
    /// Text files (book.toml, Markdown, commands, outputs).
    pub text_files: usize,
    pub text_bytes: u64,
    pub images: usize,
    pub image_bytes: u64,
}

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "cluster", "node", "master", "minion", "heat", "stack", "template", "glance", "image",
    "network", "subnet", "router", "floating", "address", "keypair", "flavor", "volume",
    "driver", "conductor", "api", "service", "endpoint", "token", "keystone", "trust",
    "certificate", "etcd", "kubelet", "docker", "registry", "timeout", "status", "reason",
    "failed", "complete", "pending", "retry", "log", "journal", "config", "metadata", "field",
    "value", "label", "resource", "output", "wait", "condition", "signal", "handle", "deploy",
    "scale", "upgrade", "delete", "create", "show", "list", "check", "the", "a", "of", "to",
    "and", "in", "is", "for", "on", "with", "when", "that", "this", "from", "then", "after",
    "before", "every", "each", "our", "its", "not", "fast", "slow", "quick", "simple", "broken",
    "healthy", "stuck", "missing", "wrong", "operator", "user", "client", "server", "request",
    "response", "error", "warning",
];

#[rustfmt::skip]
const FIELDS: &[&str] = &[
    "uuid", "name", "status", "status_reason", "stack_id", "master_count", "node_count",
    "keypair", "create_timeout", "api_address", "coe_version", "discovery_url",
    "cluster_template_id", "flavor_id", "docker_volume_size", "labels", "faults",
];

const TOOLS: &[&str] = &[
    "openstack coe cluster show",
    "openstack coe cluster list",
    "openstack stack resource list",
    "openstack stack event list",
    "openstack server show",
    "journalctl -u heat-container-agent",
    "kubectl get nodes -o wide",
    "systemctl status etcd",
];

/// splitmix64: small, fast and good enough to vary text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.range(0, from.len() - 1)]
    }
}

/// `n` words; with `marks`, now and then one in `*emphasis*` or `code`.
fn words(rng: &mut Rng, out: &mut String, n: usize, marks: bool) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        let w = rng.pick(WORDS);
        match rng.range(0, 19) {
            0 if marks => write!(out, "*{w}*"),
            1 if marks => write!(out, "`{w}`"),
            _ => write!(out, "{w}"),
        }
        .expect("writing to a String");
    }
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let start = out.len();
    let n = rng.range(7, 12);
    words(rng, out, n, true);
    // Capitalize the first letter (a word or a mark before it).
    if let Some(i) = out[start..].find(|c: char| c.is_ascii_lowercase()) {
        let upper = out[start + i..start + i + 1].to_ascii_uppercase();
        out.replace_range(start + i..start + i + 1, &upper);
    }
    out.push('.');
}

const IMAGES: &[&str] = &[
    "img/fig-0.png",
    "img/fig-1.png",
    "img/fig-2.png",
    "img/fig-3.png",
    "img/diagram-0.svg",
    "img/diagram-1.svg",
];

/// Writes a talk of `opts.slides` slides into `dir` (created if needed;
/// files already there with the same names are replaced).
pub fn generate(dir: &Path, opts: &Options) -> io::Result<Summary> {
    let mut sum = Summary {
        slides: opts.slides,
        ..Summary::default()
    };
    for sub in ["slides", "common", "cmd", "output", "img"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    let mut text_file = |rel: &str, text: &str| -> io::Result<()> {
        fs::write(dir.join(rel), text)?;
        sum.text_files += 1;
        sum.text_bytes += text.len() as u64;
        Ok(())
    };

    text_file(
        "book.toml",
        "[book]\ntitle = \"Synthetic talk\"\nauthors = [\"Ann Example\", \"Bob Example\"]\n\
         description = \"Generated for benchmarks\"\n\n[[deck]]\nname = \"main\"\n\
         source = \"slides/main.md\"\n",
    )?;

    let commands = if opts.commands == 0 {
        opts.slides.div_ceil(2).max(1)
    } else {
        opts.commands
    };
    sum.commands = commands;
    for c in 0..commands {
        let mut rng = Rng::new(1_000_000 + c as u64);
        let cmd = format!(
            "{} k8s-{c:04} --format value -c {}\n",
            rng.pick(TOOLS),
            rng.pick(FIELDS)
        );
        text_file(&format!("cmd/c{c:05}.sh"), &cmd)?;
        let mut out =
            String::from("+--------------------+--------------------------------------+\n");
        for _ in 0..rng.range(1, 3) {
            let mut value = String::new();
            words(&mut rng, &mut value, 3, false);
            writeln!(out, "| {:<18} | {:<36.36} |", rng.pick(FIELDS), value).expect("String");
        }
        out.push_str("+--------------------+--------------------------------------+\n");
        text_file(&format!("output/c{c:05}"), &out)?;
    }

    let per_part = opts.slides_per_part.max(1);
    let parts = opts.slides.div_ceil(per_part);
    sum.parts = parts;
    let mut main = String::from(
        "---\ntitle: \"Synthetic talk\"\nauthor: [Ann Example, Bob Example]\ndate: 2026-01-01\n---\n\n",
    );
    for p in 0..parts {
        writeln!(main, "include(common/part-{p:04}.md)").expect("String");
        let mut part = String::new();
        let first = p * per_part;
        for s in first..(first + per_part).min(opts.slides) {
            slide(&mut part, s, s == first, commands, opts);
        }
        text_file(&format!("common/part-{p:04}.md"), &part)?;
    }
    text_file("slides/main.md", &main)?;

    for (i, rel) in IMAGES.iter().enumerate() {
        let bytes = if rel.ends_with(".png") {
            png(16, 9, COLOURS[i % COLOURS.len()])
        } else {
            svg(i).into_bytes()
        };
        fs::write(dir.join(rel), &bytes)?;
        sum.images += 1;
        sum.image_bytes += bytes.len() as u64;
    }
    Ok(sum)
}

/// One slide, then its notes.
fn slide(out: &mut String, s: usize, section: bool, commands: usize, opts: &Options) {
    let mut rng = Rng::new(s as u64);
    let w = |out: &mut String, args: std::fmt::Arguments| out.write_fmt(args).expect("String");
    if section {
        w(
            out,
            format_args!("# Part {}: ", s / opts.slides_per_part.max(1) + 1),
        );
        words(&mut rng, out, 4, false);
        out.push_str("\n\n");
        sentence(&mut rng, out);
        out.push_str("\n\n<!--\n\n");
        sentence(&mut rng, out);
        out.push_str("\n\n-->\n\n");
        return;
    }
    let c = s % commands;
    w(out, format_args!("## {}. ", s + 1));
    let n = rng.range(3, 6);
    words(&mut rng, out, n, false);
    out.push_str("\n\n");
    for b in 0..3 {
        out.push_str("* ");
        if b == 2 && s.is_multiple_of(4) {
            // A command quoted inline, as talks do in their bullets.
            w(out, format_args!("Run `include(cmd/c{c:05}.sh)`\n"));
            continue;
        }
        let n = rng.range(5, 8);
        words(&mut rng, out, n, true);
        out.push('\n');
    }
    out.push('\n');
    let lang = if opts.highlight_every > 0 && s.is_multiple_of(opts.highlight_every) {
        "sh"
    } else {
        ""
    };
    w(
        out,
        format_args!("```{lang}\n$ include(cmd/c{c:05}.sh)include(output/c{c:05})```\n\n"),
    );
    if s.is_multiple_of(3) {
        let img = IMAGES[s / 3 % IMAGES.len()];
        out.push_str("![");
        words(&mut rng, out, 3, false);
        w(out, format_args!("]({img})\n\n"));
    }
    out.push_str("<!--\n\n");
    for _ in 0..rng.range(1, 2) {
        sentence(&mut rng, out);
        out.push(' ');
    }
    sentence(&mut rng, out);
    out.push('\n');
    if s.is_multiple_of(10) {
        let img = IMAGES[s / 10 % IMAGES.len()];
        w(out, format_args!("\n![The same, larger]({img})\n"));
    }
    out.push_str("\n-->\n\n");
}

const COLOURS: &[[u8; 3]] = &[
    [0x2b, 0x6c, 0xb0],
    [0xd0, 0x4a, 0x3c],
    [0x3c, 0xa0, 0x5a],
    [0xe0, 0xb0, 0x30],
];

/// A real PNG: `w`×`h` pixels of one colour, stored without compression.
fn png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    // Each row: filter type 0 (none), then the pixels.
    let mut row = vec![0u8];
    for _ in 0..w {
        row.extend_from_slice(&rgb);
    }
    let raw = row.repeat(h as usize);
    // zlib: header, one stored deflate block (raw is far below 64 KiB), Adler-32.
    let mut z = vec![0x78, 0x01, 0x01];
    let len = raw.len() as u16;
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&(!len).to_le_bytes());
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", &ihdr), (b"IDAT", &z), (b"IEND", &Vec::new())] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn svg(i: usize) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"90\" viewBox=\"0 0 160 90\">\n\
         <rect width=\"160\" height=\"90\" fill=\"#f4f4f4\"/>\n\
         <rect x=\"10\" y=\"30\" width=\"50\" height=\"30\" fill=\"#2b6cb0\"/>\n\
         <rect x=\"100\" y=\"30\" width=\"50\" height=\"30\" fill=\"#3ca05a\"/>\n\
         <path d=\"M60 45 H100\" stroke=\"#333\" stroke-width=\"2\"/>\n\
         <text x=\"80\" y=\"80\" font-size=\"10\" text-anchor=\"middle\">diagram {i}</text>\n\
         </svg>\n"
    )
}

/// Sizes of the generated sources vs the expanded text, for reports.
pub fn describe(sum: &Summary, expanded_bytes: usize) -> String {
    format!(
        "{} slides in {} parts, {} commands; {} text files, {:.2} MB of sources; \
         {} images, {} bytes; {:.2} MB expanded",
        sum.slides,
        sum.parts,
        sum.commands,
        sum.text_files,
        sum.text_bytes as f64 / 1e6,
        sum.images,
        sum.image_bytes,
        expanded_bytes as f64 / 1e6
    )
}
