//! `slidebook expand` against GNU m4 on random talks.
//!
//! Each case is a small tree of Markdown files written in the include
//! language: nested includes in sub-folders, user macros with arguments,
//! comments, code, `dnl`, quotes switched on and off, missing files,
//! `-D` definitions. The tree is expanded by `slidebook expand main.md` and
//! by `m4` on `changequote(,)dnl` + `main.md`, in the same folder; stdout
//! and the exit code must agree.
//!
//! Besides random text, some pieces are always there to be picked: files
//! whose last bytes run on into the including file (a comment, `dnl`, half
//! a name, half a call; see `SEAMS`), a macro whose expansion opens a call
//! that the file closes, a macro that includes the file defining it, and a
//! path given with `-D`.
//!
//! The cases come from a fixed sequence of seeds, so a run is repeatable:
//! `SLIDEBOOK_DIFF_CASES=N` runs more of them, `SLIDEBOOK_DIFF_SEED=S`
//! starts the sequence elsewhere. A failure prints the seed to rerun and
//! leaves the tree under the target folder; `SLIDEBOOK_DIFF_KEEP=1` keeps
//! every tree there, to read what the generator makes.
//!
//! What is generated never makes m4 loop, by construction:
//!
//! - files are ordered and a file includes only files after it, so there
//!   are no include cycles; "leaf" files at the end mention no macro;
//! - user macros have ranks (their index in `MACROS`), and a macro's body
//!   mentions only macros of lower rank and includes only leaf files. With
//!   quoting off a body is expanded when it is defined, so this holds for
//!   what is stored too;
//! - a body starts with punctuation, so when a later `define(NAME, …)`
//!   finds NAME defined and expands it, the name it defines is junk that
//!   can never be called (and never a word the talk uses);
//! - `#` comments and `dnl` always end inside the text they belong to, and
//!   parentheses outside comments and quotes are balanced, so an argument
//!   never swallows more than was generated for it;
//! - no other m4 builtin name is ever written (slidebook leaves those as
//!   text on purpose).
//!
//! m4 still runs under a time limit, in case that reasoning has a hole.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::harness::{m4, m4_expand_within, run_in_within, Talk};

/// Cases in a default run.
const DEFAULT_CASES: u64 = 400;
const DEFAULT_SEED: u64 = 1;
/// Generous: a loaded CI machine runs a debug build slowly.
const LIMIT: Duration = Duration::from_secs(60);

/// User macros, by rank: a body mentions only macros before its own.
const MACROS: [&str; 7] = ["greet", "Title", "m1", "x_y", "NOTE", "box2", "_u"];
/// Names defined only with `-D`, mentioned anywhere but never `define`d.
const CLI_NAMES: [&str; 5] = ["VER", "WHO", "INC", "BOX", "LEAFP"];
const WORDS: [&str; 17] = [
    "Hello", "world", "slide", "notes", "foo", "bar", "the", "code", "a1", "speaker", "demo", "x",
    "y", "Z9", "café", "naïve", "→",
];
/// Near misses of builtin names: plain words to m4.
const TRICKY: [&str; 13] = [
    "Include",
    "INCLUDE",
    "xinclude",
    "include_x",
    "fooinclude",
    "defined",
    "undefined",
    "ifdefs",
    "dnlx",
    "_include",
    "include2",
    "Define",
    "changequotes",
];
/// Builtins that are plain words unless `(` follows at once.
const BARE: [&str; 6] = [
    "include", "sinclude", "define", "undefine", "ifdef", "ifelse",
];
// NUL included: m4 drops it, and cuts a comment or quoted string at it.
const PUNCT: [&str; 25] = [
    ".", "!", "?", ":", ";", "-", "*", "<", ">", "=", "+", "/", "'", "\"", "@", "%", "&", "~", "|",
    "[", "]", "{", "}", "`", "\0",
];
/// What a body starts with (see the module comment).
const MARKERS: [&str; 6] = [".", "!", ":", "<", "=", "~"];

/// Files whose last bytes run on into the file that includes them, each
/// with the line that includes it (always a whole line at the top of a
/// file, so whatever runs on ends with that line).
const SEAMS: [(&str, &str, &str); 7] = [
    // A comment that ends in the including file.
    (
        "seams/comment.md",
        "seam # a comment (runs on",
        "include(seams/comment.md) eaten, (\n",
    ),
    // `dnl` that eats the rest of the including line.
    (
        "seams/dnl.md",
        "before dnl",
        "include(seams/dnl.md) eaten ( too\n",
    ),
    // Half a name: the other half is in the including file.
    (
        "seams/word.md",
        "gre",
        "include(seams/word.md)et(x, y) include(seams/word.md)etings\n",
    ),
    // A builtin name whose `(` is in the including file.
    (
        "seams/call.md",
        "sinclude",
        "include(seams/call.md)(nosuch.md) include(seams/call.md) (x)\n",
    ),
    // A call whose arguments start in one file and end in the other;
    // the whitespace after the comma is skipped across the boundary.
    (
        "seams/open.md",
        "greet(a,",
        "include(seams/open.md)  \n\t b, c) after\n",
    ),
    (
        "seams/open2.md",
        "m1(",
        "include(seams/open2.md)\n  x) after\n",
    ),
    // Whitespace from an include at the start of an argument is kept.
    (
        "seams/ws.md",
        "  \n\t",
        "greet(include(seams/ws.md)x, y) NOTE(include(seams/ws.md))\n",
    ),
];

/// m4 builtins slidebook deliberately leaves alone: never generated.
const OTHER_BUILTINS: [&str; 38] = [
    "index",
    "len",
    "substr",
    "eval",
    "divert",
    "undivert",
    "format",
    "translit",
    "syscmd",
    "esyscmd",
    "changecom",
    "__file__",
    "__line__",
    "incr",
    "decr",
    "shift",
    "defn",
    "pushdef",
    "popdef",
    "indir",
    "builtin",
    "m4exit",
    "m4wrap",
    "errprint",
    "dumpdef",
    "traceon",
    "traceoff",
    "debugmode",
    "debugfile",
    "maketemp",
    "mkstemp",
    "patsubst",
    "regexp",
    "sysval",
    "divnum",
    "__gnu__",
    "__unix__",
    "__program__",
];

#[test]
fn random_talks_expand_exactly_as_m4_does() {
    let Some(m4) = m4() else {
        return;
    };
    let cases = env_number("SLIDEBOOK_DIFF_CASES").unwrap_or(DEFAULT_CASES);
    let first = env_number("SLIDEBOOK_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let mut stats = Stats::default();
    for seed in first..first + cases {
        let case = Case::generate(seed);
        if std::env::var_os("SLIDEBOOK_DIFF_KEEP").is_some() {
            case.keep();
        }
        if let Err(why) = case.compare(&m4, &mut stats) {
            let kept = case.keep();
            panic!(
                "seed {seed}: {why}\n\
                 rerun with SLIDEBOOK_DIFF_SEED={seed} SLIDEBOOK_DIFF_CASES=1; \
                 the tree is kept in {}\n{}",
                kept.display(),
                case.dump()
            );
        }
    }
    eprintln!(
        "differential: {cases} cases from seed {first} agree with m4 \
         ({} exited 1; {} bytes of input and {} of output in all)",
        stats.failed, stats.input, stats.output
    );
}

#[test]
fn generated_text_never_names_another_m4_builtin() {
    for seed in 0..200 {
        let case = Case::generate(seed);
        let mut texts: Vec<(String, String)> = case
            .files
            .iter()
            .map(|(path, bytes)| (path.clone(), String::from_utf8_lossy(bytes).into_owned()))
            .collect();
        texts.push(("the -D definitions".into(), case.defines.join("\n")));
        for (path, text) in &texts {
            for word in words_of(text) {
                assert!(
                    !OTHER_BUILTINS.contains(&word),
                    "seed {seed}: {path} names the m4 builtin `{word}`"
                );
            }
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
    )
}

fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// xorshift64*: small, fast and good enough to pick fragments.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 once, so neighbouring seeds start far apart.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 33) % n as u64) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// What the cases amounted to, to see that they are not all trivial.
#[derive(Default)]
struct Stats {
    failed: usize,
    input: usize,
    output: usize,
}

/// One generated talk: its files (the first is `main.md`) and the `-D`
/// definitions given to both programs.
struct Case {
    seed: u64,
    files: Vec<(String, Vec<u8>)>,
    defines: Vec<String>,
}

impl Case {
    fn generate(seed: u64) -> Case {
        Gen::new(seed).case()
    }

    /// Expands the talk with both programs; `Err` says how they differ.
    fn compare(&self, m4: &Path, stats: &mut Stats) -> Result<(), String> {
        let mut talk = Talk::new();
        for (path, bytes) in &self.files {
            talk = talk.file(path, bytes);
        }
        let m4_args: Vec<String> = self.defines.iter().map(|d| format!("-D{d}")).collect();
        let m4_args: Vec<&str> = m4_args.iter().map(String::as_str).collect();
        let mut args = vec!["expand"];
        for d in &self.defines {
            args.extend(["-D", d.as_str()]);
        }
        args.push("main.md");
        let Some(expected) = m4_expand_within(m4, talk.path(), "main.md", &m4_args, LIMIT) else {
            return Err(format!(
                "m4 did not finish within {LIMIT:?}: the generator made a loop"
            ));
        };
        let Some(got) = run_in_within(talk.path(), &args, LIMIT) else {
            return Err(format!("slidebook did not finish within {LIMIT:?}"));
        };
        stats.failed += usize::from(expected.code != 0);
        stats.input += self.files.iter().map(|(_, b)| b.len()).sum::<usize>();
        stats.output += expected.stdout.len();
        if got.stderr.contains("panicked") {
            return Err(format!("slidebook panicked:\n{}", got.stderr));
        }
        if got.stdout != expected.stdout || got.code != expected.code {
            return Err(format!(
                "outputs differ\n\
                 m4 exit {}, stdout:\n{}\nm4 stderr:\n{}\n\
                 slidebook exit {}, stdout:\n{}\nslidebook stderr:\n{}\n\
                 first difference at byte {}",
                expected.code,
                show(&expected.stdout),
                expected.stderr,
                got.code,
                show(&got.stdout),
                got.stderr,
                first_difference(&expected.stdout, &got.stdout),
            ));
        }
        Ok(())
    }

    /// Every file, escaped, and the command lines to reproduce by hand.
    fn dump(&self) -> String {
        let mut s = String::new();
        let defines: String = self.defines.iter().map(|d| format!(" -D{d:?}")).collect();
        let _ = writeln!(
            s,
            "reproduce: (printf 'changequote(,)dnl\\n'; cat main.md) | m4{defines}\n\
             versus:    slidebook expand{} main.md",
            self.defines
                .iter()
                .map(|d| format!(" -D {d:?}"))
                .collect::<String>()
        );
        for (path, bytes) in &self.files {
            let _ = writeln!(s, "--- {path}\n{}", show(bytes));
        }
        s
    }

    /// Writes the tree where it outlives the test, and says where.
    fn keep(&self) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("differential")
            .join(format!("seed-{}", self.seed));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, bytes) in &self.files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, bytes).unwrap();
        }
        let _ = std::fs::write(dir.join("DEFINES"), self.defines.join("\n"));
        dir
    }
}

/// Bytes shown with escapes, one source line per line.
fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split_inclusive('\n')
        .map(|l| format!("  | {}\n", l.escape_debug()))
        .collect()
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// Where a fragment of text is being written, which limits what it may
/// contain (see the module comment).
#[derive(Clone, Copy)]
struct Ctx {
    /// The file being written, by index: it may include only later ones.
    file: usize,
    /// Inside the body of the macro of this rank.
    body: Option<usize>,
    /// In a leaf file: no macro names at all, no includes of real files.
    leaf: bool,
    /// Calls nested around this text.
    depth: u32,
}

impl Ctx {
    /// Macro names this text may mention.
    fn names(&self) -> Vec<&'static str> {
        if self.leaf {
            return Vec::new();
        }
        let ranks = self.body.unwrap_or(MACROS.len());
        MACROS[..ranks].iter().chain(&CLI_NAMES).copied().collect()
    }

    fn nested(self) -> Ctx {
        Ctx {
            depth: self.depth + 1,
            ..self
        }
    }
}

struct Gen {
    rng: Rng,
    seed: u64,
    /// Paths by index; `main.md` first, leaf files last.
    paths: Vec<String>,
    first_leaf: usize,
    /// Includes of existing files still allowed per file, which bounds how
    /// many times the deepest file is read.
    includes_left: Vec<u32>,
    /// Text left to write in this case, roughly, so cases stay small.
    budget: i64,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = Rng::new(seed);
        let mut inner = vec![
            "a.md",
            "intro.md",
            "sub/b.md",
            "sub/deep/c.md",
            "sub/deep/er/d.md",
            "parts/p1.md",
            "parts/p 2.md",
            "sub/e.md",
        ];
        let mut leaves = vec![
            "leaf.md",
            "sub/leaf.md",
            "snippets/code.txt",
            "sub/deep/l.md",
        ];
        shuffle(&mut rng, &mut inner);
        shuffle(&mut rng, &mut leaves);
        let n_inner = rng.range(1, 5);
        let n_leaves = rng.range(1, 2);
        let mut paths = vec!["main.md".to_string()];
        paths.extend(inner[..n_inner].iter().map(|s| s.to_string()));
        let first_leaf = paths.len();
        paths.extend(leaves[..n_leaves].iter().map(|s| s.to_string()));
        let includes_left = vec![3; paths.len()];
        Gen {
            rng,
            seed,
            paths,
            first_leaf,
            includes_left,
            budget: 0,
        }
    }

    fn case(mut self) -> Case {
        let defines = self.defines();
        let mut files = Vec::new();
        for i in 0..self.paths.len() {
            let cx = Ctx {
                file: i,
                body: None,
                leaf: i >= self.first_leaf,
                depth: 0,
            };
            self.budget = self.rng.range(150, 900) as i64;
            let text = match self.rng.below(40) {
                0 => String::new(),
                1 => " \n\n".into(),
                _ => {
                    let mut text = self.file_text(cx);
                    self.line_ending(i, &mut text);
                    text
                }
            };
            files.push((self.paths[i].clone(), text.into_bytes()));
        }
        for (path, text, _) in SEAMS {
            files.push((path.to_string(), text.as_bytes().to_vec()));
        }
        // A folder that is not a file, for `include(sub)`.
        if !self.paths.iter().any(|p| p.starts_with("sub/")) {
            files.push(("sub/keep.txt".into(), b"kept\n".to_vec()));
        }
        Case {
            seed: self.seed,
            files,
            defines,
        }
    }

    fn defines(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        if self.rng.chance(40) {
            return out;
        }
        let leaf = self.paths[self.rng.range(self.first_leaf, self.paths.len() - 1)].clone();
        let include = format!("include({leaf})");
        let choices: Vec<(&str, Vec<&str>)> = vec![
            ("VER", vec!["1.0", "2.3-rc1", ""]),
            ("WHO", vec!["Jane Doe", "Ann, Bob", "(the team)"]),
            (
                "INC",
                vec![
                    include.as_str(),
                    "include(nosuch.md)",
                    "sinclude(nosuch.md)",
                ],
            ),
            ("BOX", vec!["<$1>", "[$1|$2]", "($#: $*)", "$@!", "x$0"]),
            ("greet", vec![".hi", "!$1!"]),
            // The path of a leaf file, for `include(LEAFP)`.
            ("LEAFP", vec![leaf.as_str(), "nosuch.md"]),
        ];
        for (name, values) in choices {
            if self.rng.chance(50) {
                let value = self.rng.pick(&values);
                if value.is_empty() && self.rng.chance(50) {
                    out.push(name.to_string());
                } else {
                    out.push(format!("{name}={value}"));
                }
            }
        }
        out
    }

    /// Drops the final newline of some files and makes others CRLF.
    fn line_ending(&mut self, file: usize, text: &mut String) {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        if self.rng.chance(25) {
            text.pop();
            if file > 0 {
                // An included file's last line runs on into the including
                // file: let it end in a plain word or punctuation, never
                // inside a comment, a `dnl` or a call name.
                let last = text.rsplit('\n').next().unwrap_or("");
                if last.contains('#') || last.contains("dnl") {
                    text.push('\n');
                }
                text.push_str(self.rng.pick(&[" the end", " end.", " tail", " (end)"]));
            }
        }
        if self.rng.chance(15) {
            *text = text.replace('\n', "\r\n");
        }
    }

    fn file_text(&mut self, cx: Ctx) -> String {
        let mut s = String::new();
        if cx.leaf {
            // Starts with punctuation, like a body: a leaf's text can end
            // up as the name in a `define`.
            s.push_str("Snippet: ");
        }
        while self.budget > 0 {
            s.push_str(&self.line(cx));
        }
        s
    }

    fn line(&mut self, cx: Ctx) -> String {
        match self.rng.below(20) {
            0 => {
                // A heading: a comment to m4, whatever it holds.
                let mut s = String::from(self.rng.pick(&["# ", "## ", "### ", "#"]));
                s.push_str(&self.comment_text(cx));
                s.push('\n');
                s
            }
            1 => self.code_block(cx),
            2 => "\n".into(),
            3 if cx.depth == 0 && cx.body.is_none() && !cx.leaf => {
                self.rng.pick(&SEAMS.map(|(_, _, line)| line)).into()
            }
            4 if cx.depth == 0 && cx.body.is_none() && !cx.leaf => {
                // An expansion that ends inside `greet(`: the arguments go
                // on in the file, after whitespace that is skipped.
                "changequote([,])define([Open],[greet(])changequote(,)Open  \n x, y) \
                 changequote([,])undefine([Open])changequote(,)\n"
                    .into()
            }
            5 if cx.depth == 0 && cx.body.is_none() && !cx.leaf => {
                // A macro that includes the file it is defined in, called
                // only from main.md (never included itself), so after the
                // file is done: no cycle, m4 reads the file again.
                if cx.file == 0 {
                    "Again\n".into()
                } else {
                    let path = &self.paths[cx.file];
                    format!("changequote([,])define([Again],[include({path})])changequote(,)\n")
                }
            }
            _ => {
                let mut s = String::new();
                let n = self.rng.range(1, 5);
                for _ in 0..n {
                    let f = self.fragment(cx);
                    self.join(&mut s, &f);
                }
                if !s.ends_with('\n') {
                    s.push('\n');
                }
                s
            }
        }
    }

    /// Appends `f` to `s` with a separator, sometimes none.
    fn join(&mut self, s: &mut String, f: &str) {
        if !s.is_empty() && !s.ends_with('\n') {
            let sep = self.rng.pick(&[" ", " ", " ", ", ", "", "\t", " - "]);
            s.push_str(if sep.is_empty() && !may_glue(s, f) {
                " "
            } else {
                sep
            });
        }
        s.push_str(f);
    }

    fn code_block(&mut self, cx: Ctx) -> String {
        let fence = self.rng.pick(&["```", "```sh", "~~~", "```markdown"]);
        let mut s = format!("{fence}\n");
        for _ in 0..self.rng.range(1, 3) {
            s.push_str(&self.line(cx));
        }
        s.push_str(&fence[..3]);
        s.push('\n');
        s
    }

    /// One piece of text: words, or a call, or something m4 treats
    /// specially. Never leaves a parenthesis open, a comment or a `dnl`
    /// unfinished.
    fn fragment(&mut self, cx: Ctx) -> String {
        self.budget -= 8;
        // Calls nest, but mostly the text of a talk is at the top.
        let deep = cx.depth >= 3 || self.budget < 0 || (cx.depth > 0 && self.rng.chance(55));
        let kind = if deep {
            self.rng.below(6)
        } else {
            self.rng.below(30)
        };
        match kind {
            0 | 1 => self.words(),
            2 => self.rng.pick(&TRICKY).into(),
            3 => format!(
                "{} {}",
                self.rng.pick(&["the", "an", "use", "no"]),
                self.rng.pick(&BARE)
            ),
            4 => self.rng.pick(&PUNCT).into(),
            5 => format!("({})", self.words()),
            6 | 7 => self.include_call(cx),
            8 | 9 => self.macro_use(cx),
            10 | 11 if cx.body.is_none() && !cx.leaf => self.define_call(cx),
            12 if cx.body.is_none() && !cx.leaf => self.undefine_call(cx),
            13 | 14 => self.ifdef_call(cx),
            15 | 16 => self.ifelse_call(cx),
            17 => format!("`{}`", self.inline(cx)),
            18 => format!("<!-- {} -->", self.inline(cx)),
            19 => self.quotes(cx),
            20 => format!("dnl {}\n", self.comment_text(cx)),
            21 => format!("# {}\n", self.comment_text(cx)),
            22 => {
                // A call spread over lines, with a comment inside it.
                let name = if cx.leaf {
                    "ifelse"
                } else {
                    self.rng.pick(&cx.names())
                };
                let a = self.arg(cx.nested());
                format!("{name}(\n  {a} # note ({}\n)", self.comment_text(cx))
            }
            23 => {
                let w = self.rng.pick(&WORDS);
                format!("{w}, {}, ({})", self.words(), self.words())
            }
            24 => format!("the {} directive", self.rng.pick(&BARE)),
            25 => format!("{} (x)", self.rng.pick(&BARE)),
            _ => self.words(),
        }
    }

    fn words(&mut self) -> String {
        let n = self.rng.range(1, 4);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(self.rng.pick(&WORDS));
        }
        self.budget -= s.len() as i64;
        s
    }

    /// Fragments without line breaks of their own (inline code, HTML
    /// comments); a nested call may still spread over lines.
    fn inline(&mut self, cx: Ctx) -> String {
        let mut s = String::new();
        for _ in 0..self.rng.range(1, 3) {
            let f = loop {
                let f = self.fragment(cx);
                if !f.ends_with('\n') {
                    break f;
                }
            };
            self.join(&mut s, &f);
        }
        s
    }

    /// The text of a comment or a `dnl` line: anything at all but a
    /// newline, and no `$` in a body (an argument put there could hold a
    /// newline that ends the comment early). Its `define` would be
    /// harmless even if it ran.
    fn comment_text(&mut self, cx: Ctx) -> String {
        let mut s = String::new();
        for _ in 0..self.rng.range(0, 4) {
            let piece = match self.rng.below(8) {
                0 => "include(a.md".to_string(),
                1 => format!("{}(", self.rng.pick(&MACROS)),
                2 => ")".into(),
                3 => ",".into(),
                4 => "define(x y)".into(),
                5 if cx.body.is_none() => "$1 $#".into(),
                _ => self.words(),
            };
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&piece);
        }
        s
    }

    fn include_target(&mut self, cx: Ctx) -> String {
        let real = |g: &mut Gen, lo: usize| -> Option<String> {
            if lo >= g.paths.len() || g.includes_left[cx.file] == 0 {
                return None;
            }
            g.includes_left[cx.file] -= 1;
            // Prefer the next file, so chains of includes get deep.
            let i = if g.rng.chance(50) {
                lo
            } else {
                g.rng.range(lo, g.paths.len() - 1)
            };
            Some(g.paths[i].clone())
        };
        let found = if cx.leaf || self.rng.chance(20) {
            None
        } else if cx.body.is_some() {
            real(self, self.first_leaf)
        } else {
            real(self, cx.file + 1)
        };
        if !cx.leaf && self.rng.chance(8) {
            // A path that is a macro's expansion (a leaf, or missing).
            return "LEAFP".into();
        }
        match found {
            Some(p) => match self.rng.below(10) {
                0 => format!("./{p}"),
                1 if p.contains('/') => format!("sub/../{p}"),
                _ => p,
            },
            None => self
                .rng
                .pick(&["nosuch.md", "sub/missing.md", "sub", "", "missing dir/x.md"])
                .into(),
        }
    }

    fn include_call(&mut self, cx: Ctx) -> String {
        let name = if self.rng.chance(25) {
            "sinclude"
        } else {
            "include"
        };
        let target = self.include_target(cx);
        let lead = self
            .rng
            .pick(&["", "", "", "", " ", "\n  ", "\t", " \r\n ", "\x0b\x0c"]);
        // m4 keeps trailing whitespace, so these name another file.
        let trail = if self.rng.chance(12) {
            self.rng.pick(&[" ", "\n", "\t"])
        } else {
            ""
        };
        let extra = if self.rng.chance(10) { ", extra" } else { "" };
        format!("{name}({lead}{target}{trail}{extra})")
    }

    /// A use of a macro: bare, with empty parentheses, or with arguments.
    fn macro_use(&mut self, cx: Ctx) -> String {
        let names = cx.names();
        if names.is_empty() {
            return self.words();
        }
        let name = self.rng.pick(&names);
        match self.rng.below(8) {
            0 | 1 => name.into(),
            2 => format!("{name}()"),
            3 => format!("{name} ({})", self.words()),
            4 => format!("{name}."),
            _ => {
                let n = self.rng.range(1, 7);
                let args = self.args(cx.nested(), n);
                format!("{name}({args})")
            }
        }
    }

    fn args(&mut self, cx: Ctx, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&self.arg(cx));
        }
        s
    }

    /// One argument: text with balanced parentheses, maybe padded with
    /// whitespace (dropped in front, kept behind).
    fn arg(&mut self, cx: Ctx) -> String {
        let lead = self
            .rng
            .pick(&["", "", " ", " ", "\n  ", "\t", "\r\n", "\x0c", " \x0b"]);
        let trail = self.rng.pick(&["", "", "", " ", "\n"]);
        let mut s = String::from(lead);
        let mut body = String::new();
        let n = if self.rng.chance(10) {
            0
        } else {
            self.rng.range(1, 3)
        };
        for _ in 0..n {
            let f = if cx.body.is_some() && self.rng.chance(30) {
                self.dollar()
            } else {
                self.fragment(cx)
            };
            self.join(&mut body, &f);
        }
        s.push_str(&body);
        s.push_str(trail);
        s
    }

    /// A reference to the arguments, as written in a macro body.
    fn dollar(&mut self) -> String {
        self.rng
            .pick(&[
                "$1", "$2", "$3", "$7", "$9", "$10", "$*", "$@", "x$0", "$#\n", "$", "$$1", "$1$2",
                "$2$1",
            ])
            .into()
    }

    fn define_call(&mut self, cx: Ctx) -> String {
        let rank = self.rng.below(MACROS.len());
        let name = MACROS[rank];
        let bcx = Ctx {
            body: Some(rank),
            ..cx.nested()
        };
        let mut body = String::from(self.rng.pick(&MARKERS));
        let pieces = self.rng.range(0, 4);
        for _ in 0..pieces {
            let f = if self.rng.chance(45) {
                self.dollar()
            } else {
                self.fragment(bcx)
            };
            self.join(&mut body, &f);
        }
        match self.rng.below(8) {
            0 => format!("define({name})"),
            1 => format!("define(\n  {name},\n  {body})"),
            2 => format!("define({name},{body}, ignored)"),
            3 => format!("define( {name} , {body})"),
            _ => format!("define({name}, {body})"),
        }
    }

    fn undefine_call(&mut self, cx: Ctx) -> String {
        let mut names = cx.names();
        names.push("nothing");
        let a = self.rng.pick(&names);
        if self.rng.chance(20) {
            let b = self.rng.pick(&names);
            format!("undefine({a}, {b})")
        } else {
            format!("undefine({a})")
        }
    }

    fn ifdef_call(&mut self, cx: Ctx) -> String {
        let mut names = cx.names();
        // Builtin names as plain arguments (`dnl` would eat the line).
        names.extend(["nothing", "include", "define"]);
        let name = self.rng.pick(&names);
        let n = self.rng.range(0, 3);
        let rest = self.args(cx.nested(), n);
        if n == 0 {
            format!("ifdef({name})")
        } else {
            format!("ifdef({name},{rest})")
        }
    }

    fn ifelse_call(&mut self, cx: Ctx) -> String {
        let n = self.rng.range(1, 7);
        let mut args: Vec<String> = Vec::new();
        for i in 0..n {
            // Make the pairs equal now and then, so branches are taken.
            let a = if i % 3 == 1 && self.rng.chance(40) {
                args[i - 1].trim_start().to_string()
            } else {
                self.arg(cx.nested())
            };
            args.push(a);
        }
        format!("ifelse({})", args.join(","))
    }

    /// Quoting switched on and off again within the fragment.
    fn quotes(&mut self, cx: Ctx) -> String {
        let (on, open, close) = match self.rng.below(6) {
            0 => ("changequote", "`", "'"),
            1 => ("changequote(<<,>>)", "<<", ">>"),
            2 => ("changequote(|,|)", "|", "|"),
            _ => ("changequote([,])", "[", "]"),
        };
        let mut s = String::from(on);
        for _ in 0..self.rng.range(1, 3) {
            if !cx.leaf && self.rng.chance(30) {
                // A call while quotes are on: `$@` quotes each argument.
                // Only `-D` macros, whose values hold no quote characters.
                let name = self.rng.pick(&["BOX", "VER", "WHO"]);
                let a = self.quoted_piece(open, close);
                let b = self.words();
                let _ = write!(s, " {name}({open}{a}{close}, {b})");
            }
            if self.rng.chance(20) {
                let a = self.words();
                let _ = write!(
                    s,
                    "ifelse({open}{a}{close},{a},{open}same, really{close},{open}no{close})"
                );
            }
            let mut q = String::new();
            for _ in 0..self.rng.range(0, 3) {
                let piece = self.quoted_piece(open, close);
                self.join(&mut q, &piece);
            }
            let glue = self.rng.pick(&["", " ", "x"]);
            let _ = write!(s, "{glue}{open}{q}{close}");
        }
        if self.rng.chance(30) {
            // The empty quote that splits a word: `inc[]lude(…)` is text.
            let _ = write!(s, " inc{open}{close}lude(nosuch.md)");
        }
        s.push_str(
            self.rng
                .pick(&["changequote(,)", "changequote(,)", "changequote()"]),
        );
        s
    }

    /// Text inside quotes: read again wherever it ends up, so it keeps
    /// the same rules as the rest (balanced parentheses, comments and
    /// `dnl` ending in a newline) and names no macro and no real file.
    fn quoted_piece(&mut self, open: &str, close: &str) -> String {
        match self.rng.below(10) {
            0 => "include(nosuch.md)".into(),
            1 => format!("a, b ({})", self.words()),
            2 => "# not a comment here, (\n".into(),
            3 => format!("{open}nested {close}"),
            4 => "dnl kept\n".into(),
            // `$#` starts a comment wherever this is read again: end it.
            5 => "$1 $@ $#\n".into(),
            6 => self.rng.pick(&BARE).into(),
            7 => "\n".into(),
            8 => "a < b > c".into(),
            _ => self.words(),
        }
    }
}

/// Whether `f` may follow `s` with nothing between: not when that makes a
/// call nobody generated (a word, then `(`), a `$` reference nobody meant
/// (`$`, then a digit, `#`, `*` or `@`), or one word of two.
fn may_glue(s: &str, f: &str) -> bool {
    let after_word = s.ends_with(is_word_char);
    let call = after_word && f.starts_with('(');
    let one_word = after_word && f.starts_with(is_word_char);
    let dollar =
        s.ends_with('$') && f.starts_with(|c: char| c.is_ascii_digit() || "#*@".contains(c));
    !(call || one_word || dollar)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}
