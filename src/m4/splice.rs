//! A new expansion from the last one, when included files changed: each
//! reading of a changed file is expanded again on its own and put where
//! the old one stands.
//!
//! This is what keeps a save fast in `watch` and `serve`: a presenter edits
//! one slide's file, and expanding the whole talk again would scan every
//! word of every file for a macro name. A reading is redone alone only
//! where that is sure to give what expanding everything would: it was read
//! at the top level (no call collecting arguments, quotes off), before any
//! builtin changed the macros, and both its old and new text end with a
//! newline, so nothing in it reads on past its end. Redone alone from the
//! same state, the old text must give exactly what stands in the last
//! expansion, byte for byte and origin for origin; the new text must
//! change no macro and hit no limit. Anything else returns `None`, and the
//! caller expands as usual.

use std::sync::Arc;

use super::expander::{Expander, STEP_LIMIT};
use super::input::Block;
use super::linemap::{Inclusion, LocatedText, SourceMap, Span, CROWDED_AFTER, CROWDED_PIECE};
use super::problem::SIZE_LIMIT;
use super::{Expanded, Options};
use crate::source::{SourceId, Sources};

/// A file whose text is now `new` instead of `old`.
pub struct Change {
    pub file: SourceId,
    pub old: Arc<str>,
    pub new: Arc<str>,
}

/// `last` with every reading of each changed file redone, or `None` when
/// that might not be what expanding anew would give. `sources` has every
/// file of `last` under the same ids, and gets those the new texts read.
pub fn splice(
    last: &Expanded,
    sources: &mut Sources,
    options: &Options,
    changes: &[Change],
) -> Option<Expanded> {
    // Where the last expansion told places only nearly, a fresh one might
    // tell them otherwise.
    if !last.problems.is_empty() || last.approximate {
        return None;
    }
    let mut now = std::borrow::Cow::Borrowed(last);
    for change in changes {
        if !change.old.ends_with('\n') || !change.new.ends_with('\n') {
            return None;
        }
        let readings: Vec<u32> = (now.map.inclusions.iter().enumerate())
            .filter(|(_, inc)| inc.file == change.file)
            .map(|(i, _)| i as u32)
            .collect();
        if readings.is_empty() {
            return None;
        }
        // From the last, so that the readings before keep their numbers.
        for &i in readings.iter().rev() {
            now = std::borrow::Cow::Owned(redo(&now, sources, options, i, change)?);
        }
    }
    Some(now.into_owned())
}

/// `last` with reading `i` redone with the change's new text.
fn redo(
    last: &Expanded,
    sources: &mut Sources,
    options: &Options,
    i: u32,
    change: &Change,
) -> Option<Expanded> {
    let reading = &last.map.inclusions[i as usize];
    if !reading.at_top || last.first_change.is_some_and(|c| c <= i) {
        return None;
    }
    let before = Alone::run(last, sources, options, i, &change.old, 0)?;
    let cut = before.find_in(last, i)?;
    let after = Alone::run(
        last,
        sources,
        options,
        i,
        &change.new,
        last.steps.saturating_sub(before.steps),
    )?;
    if after.steps > STEP_LIMIT || before.out.folded || after.out.folded {
        return None;
    }

    // Inclusions after the reading's own move by how many more (or fewer)
    // files the new text includes.
    let end = i as usize + before.inclusions.len();
    let moved_by = after.inclusions.len() as i64 - before.inclusions.len() as i64;
    let renumber = |n: u32| {
        if n as usize >= end {
            (n as i64 + moved_by) as u32
        } else {
            n
        }
    };
    let text_start = &last.text.get(..cut.start)?;
    let text_rest = &last.text.get(cut.end..)?;
    let region = std::str::from_utf8(&after.out.bytes).ok()?;
    let len = text_start.len() + region.len() + text_rest.len();
    if len > SIZE_LIMIT {
        return None;
    }
    let mut text = String::with_capacity(len);
    text.push_str(text_start);
    text.push_str(region);
    text.push_str(text_rest);

    let spans = &last.map.spans;
    let mut new_spans = Vec::with_capacity(spans.len() + after.out.spans.len());
    new_spans.extend_from_slice(&spans[..cut.spans.start]);
    new_spans.extend(after.out.spans.iter().map(|s| Span {
        start: s.start + cut.start,
        origin: s.origin,
    }));
    let shift = region.len() as isize - (cut.end - cut.start) as isize;
    new_spans.extend(spans[cut.spans.end..].iter().map(|s| {
        let mut origin = s.origin;
        origin.inclusion = renumber(origin.inclusion);
        Span {
            start: s.start.wrapping_add_signed(shift),
            origin,
        }
    }));

    let inclusions = &last.map.inclusions;
    let mut new_inclusions = Vec::with_capacity(inclusions.len());
    new_inclusions.extend_from_slice(&inclusions[..i as usize]);
    new_inclusions.extend(after.inclusions);
    new_inclusions.extend(inclusions[end..].iter().map(|inc| {
        let mut inc = inc.clone();
        inc.parent = inc.parent.map(renumber);
        if let Some(from) = &mut inc.from {
            from.inclusion = renumber(from.inclusion);
        }
        inc
    }));
    // A fresh expansion gives no short piece a span of its own where a
    // big text is made of many: the splice must not have one there either.
    let dense = new_spans
        .iter()
        .enumerate()
        .any(|(n, s)| s.start + CROWDED_PIECE > CROWDED_AFTER && (n + 1) * CROWDED_PIECE > s.start);
    if dense {
        return None;
    }
    Some(Expanded {
        text,
        map: SourceMap {
            inclusions: new_inclusions,
            spans: new_spans,
        },
        problems: Vec::new(),
        names: last.names.clone(),
        steps: after.steps,
        first_change: last.first_change.map(renumber),
        approximate: false,
    })
}

/// One reading expanded alone, from the state it was read in.
struct Alone {
    out: LocatedText,
    /// The reading's own inclusion, then those of the files it read.
    inclusions: Vec<Inclusion>,
    steps: u64,
}

/// Where a reading stands in the last expansion.
struct Cut {
    start: usize,
    end: usize,
    spans: std::ops::Range<usize>,
}

impl Alone {
    /// Reading `i` of `last` with `text`, the step count starting at
    /// `steps`; `None` if it meets a problem or changes a macro.
    fn run(
        last: &Expanded,
        sources: &mut Sources,
        options: &Options,
        i: u32,
        text: &Arc<str>,
        steps: u64,
    ) -> Option<Alone> {
        let mut x = Expander::new(sources, options);
        // Every inclusion before is as it was (include cycles are found
        // through them), and the macros are those given before the first
        // line, each told from its own inclusion, as `expand` made them.
        for inc in &last.map.inclusions[..i as usize] {
            x.chains.add(inc.file, inc.parent);
            x.inclusions.push(inc.clone());
        }
        for (n, (name, value)) in options.defines.iter().enumerate() {
            x.define_given(n as u32, name, value);
        }
        x.steps = steps;
        let reading = &last.map.inclusions[i as usize];
        x.input_base = reading.depth as usize;
        let id = x.new_inclusion(reading.file, reading.from, reading.parent);
        let own = &mut x.inclusions[id as usize];
        own.lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() as u32 + 1;
        own.depth = reading.depth;
        x.input.push(Block::file(Arc::clone(text), id));
        x.run();
        if !x.problems.is_empty()
            || x.first_change.is_some()
            || memchr::memchr(0, &x.out.bytes).is_some()
        {
            return None;
        }
        Some(Alone {
            out: std::mem::take(&mut x.out),
            inclusions: x.inclusions.split_off(i as usize),
            steps: x.steps,
        })
    }

    /// Where this, the old text's reading `i`, stands in `last`: the same
    /// bytes from the same origins, the same files read, and nothing from
    /// those files anywhere else.
    fn find_in(&self, last: &Expanded, i: u32) -> Option<Cut> {
        let ours = i as usize..i as usize + self.inclusions.len();
        let same_files = last
            .map
            .inclusions
            .get(ours.clone())?
            .iter()
            .zip(&self.inclusions);
        if !same_files
            .into_iter()
            .all(|(a, b)| a.file == b.file && a.parent == b.parent)
        {
            return None;
        }
        let spans = &last.map.spans;
        let own = |s: &Span| ours.contains(&(s.origin.inclusion as usize));
        let local = self.out.spans.iter().find(|s| s.origin.inclusion == i)?;
        let found = spans.iter().find(|s| s.origin.inclusion == i)?;
        let start = found.start.checked_sub(local.start)?;
        let end = start + self.out.len();
        let first = spans.partition_point(|s| s.start < start);
        let past = spans.partition_point(|s| s.start < end);
        if spans.get(first).map(|s| s.start) != Some(start)
            || (end != last.text.len() && spans.get(past).map(|s| s.start) != Some(end))
            || last.text.as_bytes().get(start..end)? != self.out.bytes.as_slice()
            || past - first != self.out.spans.len()
        {
            return None;
        }
        let same_spans = spans[first..past].iter().zip(&self.out.spans);
        if !same_spans
            .into_iter()
            .all(|(a, b)| a.start == b.start + start && a.origin == b.origin)
        {
            return None;
        }
        // Nothing read from these files stands anywhere else, and no later
        // file was opened from them.
        if spans[..first].iter().chain(&spans[past..]).any(own) {
            return None;
        }
        let later = &last.map.inclusions[ours.end..];
        let from_ours = |n: Option<u32>| n.is_some_and(|n| ours.contains(&(n as usize)));
        if later
            .iter()
            .any(|inc| from_ours(inc.parent) || from_ours(inc.from.map(|f| f.inclusion)))
        {
            return None;
        }
        Some(Cut {
            start,
            end,
            spans: first..past,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m4::linemap::Origin;
    use crate::m4::{expand, sources};
    use crate::source::Reading;
    use proptest::prelude::*;

    fn options() -> Options {
        Options {
            defines: vec![("VERSION".into(), "2".into())],
            ..Default::default()
        }
    }

    /// The expansion of `main.md` in `dir`, with the sources it read.
    fn expand_in(dir: &std::path::Path) -> (Expanded, Sources) {
        let mut s = sources(dir, &[], false, Reading::Exact);
        let entry = s.load_entry(&dir.join("main.md")).unwrap();
        let x = expand(&mut s, entry, &options());
        (x, s)
    }

    /// `name` rewritten as `new`, spliced into the last expansion in `dir`
    /// (if it can be), and expanded anew.
    /// Both, with every byte's origin as diagnostics would tell it.
    type Told = (Expanded, Vec<Option<(String, Origin)>>);
    fn both(dir: &std::path::Path, name: &str, new: &str) -> (Option<Told>, Told) {
        let (last, mut s) = expand_in(dir);
        let old = std::fs::read_to_string(dir.join(name)).unwrap();
        std::fs::write(dir.join(name), new).unwrap();
        let (fresh, fresh_sources) = expand_in(dir);
        let fresh = told(fresh, &fresh_sources);
        let Some(file) = (0..s.files().len() as u32)
            .map(SourceId)
            .find(|&id| s.get(id).path == name)
        else {
            return (None, fresh);
        };
        let change = Change {
            file,
            old: old.into(),
            new: new.into(),
        };
        let spliced = splice(&last, &mut s, &options(), &[change]);
        (spliced.map(|x| told(x, &s)), fresh)
    }

    fn told(x: Expanded, s: &Sources) -> Told {
        let origins = (0..x.text.len())
            .map(|i| {
                let o = x.map.origin_at(&x.text, i)?;
                Some((s.get(x.map.file_of(o)).path.clone(), o))
            })
            .collect();
        (x, origins)
    }

    const PARTS: [&str; 14] = [
        "VERSION here\n",
        "define(M, m)",
        "M",
        "include(b.md)",
        "include(c.md)\n",
        "ifdef(VERSION, yes, no)\n",
        "word",
        "changequote([,])[q]changequote(,)",
        "# comment at the end",
        "include(main.md)",
        "ifelse(a, b, c",
        "dnl",
        "VERSION()dnl\n",
        "include(missing.md)",
    ];

    /// Text that copies through, drawn most often.
    const PLAIN: [&str; 5] = [
        "plain words\n",
        "(a, b)\n",
        "é ünïcode\n",
        "## heading # with a hash\n",
        "include(c.md)\n",
    ];

    fn text_of(parts: &[usize]) -> String {
        let part = |i: usize| PARTS.get(i).unwrap_or(&PLAIN[i % PLAIN.len()]);
        parts.iter().map(|&i| *part(i)).collect()
    }

    fn parts(max: usize) -> impl Strategy<Value = Vec<usize>> {
        proptest::collection::vec(0usize..40, 0..max)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whenever a splice is made, it is exactly what expanding anew
        /// gives: the same text and every byte's origin.
        #[test]
        fn a_splice_is_what_expanding_again_gives(
            main in parts(4),
            a_old in parts(5),
            a_new in parts(5),
            b in parts(3),
            c in parts(2),
            twice in any::<bool>(),
            in_arg in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let include_a = if in_arg { "ifelse(x, y, , include(a.md))" } else { "include(a.md)" };
            let mut main_text = format!("{}{include_a}", text_of(&main));
            if twice {
                main_text.push_str("between\ninclude(a.md)");
            }
            main_text.push_str("after\n");
            let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
            write("main.md", &main_text);
            write("a.md", &text_of(&a_old));
            write("b.md", &text_of(&b));
            write("c.md", &text_of(&c));
            let (spliced, fresh) = both(dir.path(), "a.md", &text_of(&a_new));
            if let Some((spliced, origins)) = spliced {
                prop_assert_eq!(&spliced.text, &fresh.0.text);
                prop_assert_eq!(origins, fresh.1);
                prop_assert!(fresh.0.problems.is_empty());
                prop_assert_eq!(spliced.map.inclusions.len(), fresh.0.map.inclusions.len());
            }
        }
    }

    #[test]
    fn a_slide_file_is_redone_where_it_stands() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "main.md",
            "# Talk\n\ninclude(a.md)include(b.md)include(a.md)end\n",
        );
        write("a.md", "## A\n\ntext\n");
        write("b.md", "## B\n");
        write("cmd.sh", "ls\n");
        // A heading is a comment to m4: VERSION is expanded only below.
        let new = "## A VERSION\n\nVERSION\n```\ninclude(cmd.sh)```\n";
        let (spliced, fresh) = both(dir.path(), "a.md", new);
        let (x, origins) = spliced.expect("spliced");
        let a = "## A VERSION\n\n2\n```\nls\n```\n";
        assert_eq!(x.text, format!("# Talk\n\n{a}## B\n{a}end\n"));
        assert_eq!(origins, fresh.1);
        let at = x.text.rfind("end").unwrap();
        let o = x.map.origin_at(&x.text, at).unwrap();
        assert_eq!((o.line, o.col), (3, 40));
        // The second reading of cmd.sh, read from the second of a.md.
        let at = x.text.rfind("ls").unwrap();
        let o = x.map.origin_at(&x.text, at).unwrap();
        assert_eq!(x.map.chain(o).len(), 2);
    }

    /// Past 64 KiB, a text of many tiny pieces is told only nearly (short
    /// pieces share the span before them): a splice must then tell every
    /// place as a fresh expansion does, or not be made. Found in review.
    #[test]
    fn big_texts_of_tiny_pieces_are_told_as_a_fresh_expansion_tells_them() {
        let many = "VERSION ".repeat(40_000);
        // (the talk, a.md, a.md rewritten)
        let cases: [(String, String, String); 3] = [
            // Folding before, after and inside the file's reading.
            (
                format!("{many}\ninclude(a.md)after\n"),
                "0123456789abcdefghij\n".into(),
                "0123456789abcdefghij VERSION\n".into(),
            ),
            (
                format!("include(a.md){many}\n"),
                "hello\n".into(),
                format!("{}\n", "x".repeat(60_000)),
            ),
            (
                format!("{}\ninclude(a.md)after\n", "y".repeat(30_000)),
                format!("{}\n", "0123456789".repeat(20)),
                format!("{many}\n"),
            ),
        ];
        let mut spliced = 0;
        for (main, a, new) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("main.md"), main).unwrap();
            std::fs::write(dir.path().join("a.md"), a).unwrap();
            let (splice, fresh) = both(dir.path(), "a.md", &new);
            if let Some((_, origins)) = splice {
                assert!(origins == fresh.1, "the places differ");
                spliced += 1;
            }
        }
        // A talk of twelve thousand one-line slides, each its own file.
        let dir = tempfile::tempdir().unwrap();
        let mut main = String::new();
        for k in 0..12_000 {
            std::fs::write(dir.path().join(format!("s{k}.md")), format!("## S{k}\n")).unwrap();
            main.push_str(&format!("include(s{k}.md)"));
        }
        std::fs::write(dir.path().join("main.md"), main + "\n").unwrap();
        let (splice, fresh) = both(dir.path(), "s10.md", "## S10\n\n- a new point\n");
        if let Some((_, origins)) = splice {
            assert!(
                origins == fresh.1,
                "twelve thousand slides: the places differ"
            );
            spliced += 1;
        }
        assert_eq!(
            spliced, 0,
            "each of these is told only nearly when expanded anew"
        );
    }

    #[test]
    fn what_the_file_alone_cannot_tell_is_expanded_anew() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("main.md", "include(a.md)rest\n");
        write("a.md", "## A\n");
        for new in [
            "## A\nno newline at the end",
            "## A\n# a comment with no newline",
            "define(X, y)\n",
            "include(main.md)\n",
            "ifelse(a, b\n",
        ] {
            write("a.md", "## A\n");
            assert!(both(dir.path(), "a.md", new).0.is_none(), "{new}");
        }
    }
}
