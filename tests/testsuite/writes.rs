//! Where a build writes, and what it leaves when it cannot finish: only
//! inside the deck's folder, never over a source or a stranger's files,
//! and never half a deck.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::harness::{slidebook, Talk, Test};

const OUTSIDE_HELP: &str = "help: keep build-dir inside the talk, build elsewhere with -o DIR, \
     or set `allow-build-dir-outside-root = true` under [build]\n";
/// A build's refusal of a folder that holds files it did not write.
fn not_ours(folder: &str) -> String {
    format!(
        "error: cannot build into `{folder}`: it holds files that slidebook did not write
help: a build replaces the deck's folder whole; choose a new or empty folder
"
    )
}

const COPY_HELP: &str = "help: the deck's folder keeps the talk's paths: refer to the file from \
     the talk's root, with no `..`, under a name of its own\n";

#[test]
fn a_build_dir_outside_the_talk_is_refused_by_check_and_build() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("etc/cron.d/evil");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "precious\n").unwrap();
    let talk = Talk::new()
        .file(
            "book.toml",
            format!(
                "[build]\nbuild-dir = \"{}\"\n\n[[deck]]\nname = \"etc\"\nsource = \"main.md\"\n",
                outside.path().display()
            ),
        )
        .file("main.md", "## Slide\n\n[cron](cron.d/evil)\n")
        .file("cron.d/evil", "* * * * * root rm -rf /\n");
    let expected = format!(
        "error: cannot build into `{}/etc`: `build-dir` in book.toml leads outside the talk's root\n{OUTSIDE_HELP}",
        outside.path().display()
    );
    talk.args(&["check"])
        .status(1)
        .stderr(format!("{expected}checked 1 deck: 1 error\n"))
        .run();
    talk.args(&["build"]).status(1).stderr(&expected).run();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    // Through a symbolic link inside the talk, too.
    std::os::unix::fs::symlink(outside.path(), talk.path().join("out")).unwrap();
    std::fs::write(
        talk.path().join("book.toml"),
        "[build]\nbuild-dir = \"out\"\n\n[[deck]]\nname = \"etc\"\nsource = \"main.md\"\n",
    )
    .unwrap();
    talk.args(&["build"]).status(1).stderr(format!(
            "error: cannot build into `out/etc`: `build-dir` in book.toml leads outside the talk's root\n{OUTSIDE_HELP}"
        ))
    .run();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    // Said on the command line, it is the user's choice.
    let elsewhere = outside.path().join("decks");
    talk.args(&["build", "-o", elsewhere.to_str().unwrap()])
        .stderr(format!(
            "built etc: 1 slide, 0 with notes, 1 file copied -> {}/index.html\n",
            elsewhere.display()
        ))
        .run();
    assert!(elsewhere.join("index.html").is_file());
}

#[test]
fn copies_stay_inside_the_deck_and_never_replace_its_pages() {
    let root_name = "talk";
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join(root_name);
    std::fs::create_dir_all(root.join("img")).unwrap();
    std::fs::write(root.join("img/a.svg"), "<svg/>\n").unwrap();
    std::fs::write(root.join("index.html"), "mine\n").unwrap();
    let climb = format!(
        "../../{}/{root_name}/img/a.svg",
        parent.path().file_name().unwrap().to_str().unwrap()
    );
    std::fs::write(
        root.join("main.md"),
        format!("## A\n\n![up]({climb})\n\n[page](./index.html)\n"),
    )
    .unwrap();
    let run = Test::in_dir(root.as_path(), &["check", "main.md"]);
    let underline = "^".repeat(climb.len() + 7);
    run.status(1)
        .stderr(format!(
            "error: image `{climb}` would be copied outside the deck's folder
 --> main.md:3:1
  |
3 | ![up]({climb})
  | {underline}
{COPY_HELP}error: linked file `./index.html` would take the place of a page the build writes
 --> main.md:5:1
  |
5 | [page](./index.html)
  | ^^^^^^^^^^^^^^^^^^^^
{COPY_HELP}checked 1 deck: 2 errors
"
        ))
        .run();
    Test::in_dir(root.as_path(), &["build", "main.md"])
        .status(1)
        .stderr_any()
        .run();
    assert!(!root.join("book").exists());
}

#[test]
fn places_that_are_not_a_deck_folder_are_refused() {
    let talk = Talk::new()
        .file("main.md", "## A\n")
        .file("notes.txt", "x\n")
        .file("mine/keep.txt", "keep\n");
    talk.args(&["build", "main.md", "-o", "notes.txt"])
        .status(1)
        .stderr(
            "error: cannot build into `notes.txt`: it is a file, not a folder
help: -o and build-dir name a folder for the deck; choose a new one
",
        )
        .run();
    talk.args(&["build", "main.md", "-o", "mine"])
        .status(1)
        .stderr(not_ours("mine"))
        .run();
    assert_eq!(talk.read("mine/keep.txt"), "keep\n");
    talk.args(&["build", "main.md", "-o", "/"])
        .status(1)
        .stderr(
            "error: cannot build into `/`: it is the top of the file system
help: name a folder of its own for the deck with -o
",
        )
        .run();
    // A bare file whose name is all dots still gets a plain deck name.
    let talk = talk.file("...md", "## Dots\n");
    talk.args(&["build", "...md"])
        .status(0)
        .stderr("built deck: 1 slide, 0 with notes, 0 files copied -> book/deck/index.html\n")
        .run();
}

#[test]
fn a_link_planted_in_the_deck_folder_is_never_followed() {
    let talk = Talk::new().file("main.md", "## A\n");
    talk.args(&["build", "main.md", "-o", "out"])
        .stderr_any()
        .run();
    let page = talk.path().join("out/index.html");
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(talk.path().join("main.md"), &page).unwrap();
    // No build wrote a link: the folder is not the deck's any more.
    talk.args(&["build", "main.md", "-o", "out"])
        .status(1)
        .stderr(not_ours("out"))
        .run();
    assert_eq!(talk.read("main.md"), "## A\n");
    assert!(page.symlink_metadata().unwrap().file_type().is_symlink());
}

/// A talk big enough that a build takes a while, even unoptimized.
fn big_talk(slides: usize, word: &str) -> Talk {
    let mut text = String::new();
    for n in 0..slides {
        text.push_str(&format!(
            "## Slide {n}\n\n* {word} one\n* {word} two with `code`\n\n<!-- say {word} {n} -->\n\n"
        ));
    }
    Talk::new().file("talk.md", text)
}

fn deck_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The temporary folders builds left in `dir`.
fn staging_folders(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".slidebook-"))
        .collect()
}

#[test]
fn a_build_killed_while_writing_leaves_the_last_deck_whole() {
    let talk = big_talk(10_000, "first");
    talk.args(&["build", "talk.md", "-o", "out"])
        .stderr_any()
        .run();
    let before = deck_files(&talk.path().join("out"));
    std::fs::write(
        talk.path().join("talk.md"),
        big_talk(10_000, "second").read("talk.md"),
    )
    .unwrap();
    let mut killed_while_writing = 0;
    for i in 0..8u64 {
        let mut child = slidebook(talk.path())
            .args(["build", "talk.md", "-o", "out"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the new deck's folder to appear, then kill a little
        // later each time: from its first file to its last.
        let writing = loop {
            if !staging_folders(talk.path()).is_empty() {
                break true;
            }
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        std::thread::sleep(Duration::from_millis(i * 3));
        let still_running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        if writing && still_running {
            killed_while_writing += 1;
            assert!(
                deck_files(&talk.path().join("out")) == before,
                "kill {i}: the deck changed"
            );
        }
    }
    assert!(
        killed_while_writing >= 4,
        "only {killed_while_writing} kills landed while the deck was written"
    );
    // The next build finishes, and clears what the killed ones left.
    talk.args(&["build", "talk.md", "-o", "out"])
        .stderr("built talk: 10000 slides, 10000 with notes, 0 files copied -> out/index.html\n")
        .run();
    assert!(talk.read("out/index.html").contains("second one"));
    assert_eq!(staging_folders(talk.path()), Vec::<String>::new());
}

#[test]
fn two_builds_at_once_leave_one_whole_deck() {
    let talk = big_talk(3_000, "alpha").file("b.md", {
        let talk = big_talk(3_000, "beta");
        talk.read("talk.md")
    });
    for _ in 0..4 {
        let start = |file: &str| {
            slidebook(talk.path())
                .args(["build", file, "-o", "out"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start("talk.md"), start("b.md"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
        let index = talk.read("out/index.html");
        let handout = talk.read("out/handout.html");
        let alpha = index.contains("alpha one");
        assert_ne!(alpha, index.contains("beta one"), "a page of both decks");
        assert_eq!(alpha, handout.contains("alpha one"), "pages of two decks");
        assert!(index.trim_end().ends_with("</html>"));
        assert_eq!(staging_folders(talk.path()), Vec::<String>::new());
    }
}

/// A small tmpfs mounted on a temporary folder, unmounted when dropped.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn a_full_disk_leaves_the_last_deck_as_it_was() {
    let Some(disk) = Tmpfs::mount("1m") else {
        crate::harness::skip("cannot mount a tmpfs here (needs root)");
        return;
    };
    let out = disk.0.path().join("deck");
    let out_arg = out.to_str().unwrap();
    let talk = Talk::new()
        .file("talk.md", "## Small\n\n[data](data.bin)\n")
        .file("data.bin", vec![7u8; 100_000]);
    talk.args(&["build", "talk.md", "-o", out_arg])
        .stderr(format!(
            "built talk: 1 slide, 0 with notes, 1 file copied -> {out_arg}/index.html\n"
        ))
        .run();
    let before = deck_files(&out);
    // Too big for what is left of the disk.
    let talk = talk.file("data.bin", vec![8u8; 2_000_000]);
    talk.args(&["build", "talk.md", "-o", out_arg])
        .status(1)
        .stderr(format!(
            "error: cannot write the deck into `{out_arg}`: No space left on device (os error 28)
help: nothing was changed: `{out_arg}` still holds the deck built last; mend the cause (free some space, say) and build again
"
        ))
        .run();
    assert!(deck_files(&out) == before, "the last deck changed");
    assert_eq!(staging_folders(disk.0.path()), Vec::<String>::new());
}

#[test]
fn a_folder_a_deck_was_copied_into_is_not_replaced() {
    let talk = Talk::new().file("talk.md", "## A\n");
    talk.args(&["build", "talk.md", "-o", "site"])
        .stderr_any()
        .run();
    // The deck, copied into a website along with pages of its own.
    std::fs::write(talk.path().join("site/about.html"), "precious\n").unwrap();
    talk.args(&["build", "talk.md", "-o", "site"])
        .status(1)
        .stderr(not_ours("site"))
        .run();
    assert_eq!(talk.read("site/about.html"), "precious\n");
    // A marker planted among precious files proves nothing either.
    let talk = talk
        .file("mine/.slidebook", "A deck built by slidebook; the next build replaces this folder, which holds only these files:\nindex.html\n")
        .file("mine/notes.txt", "keep\n");
    talk.args(&["build", "talk.md", "-o", "mine"])
        .status(1)
        .stderr_any()
        .run();
    assert_eq!(talk.read("mine/notes.txt"), "keep\n");
}

#[test]
fn what_looks_like_a_killed_build_is_kept_when_the_talk_is_in_it() {
    let talk = Talk::new()
        .file(
            "talk.md",
            "## A\n\ninclude(book/.talk.slidebook-4000000-0/shared.md)\n",
        )
        .file("book/.talk.slidebook-4000000-0/shared.md", "## Shared\n");
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 2 slides, 0 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    assert_eq!(
        talk.read("book/.talk.slidebook-4000000-0/shared.md"),
        "## Shared\n"
    );
    // The talk itself in a folder named like one.
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join(".deck.slidebook-4000001-0");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("main.md"), "## A\n").unwrap();
    crate::harness::Test::in_dir(root.as_path(), &["build", "main.md", "-o", "../deck"])
        .stderr_any()
        .run();
    assert!(root.join("main.md").is_file());
}

#[test]
fn two_decks_may_not_share_a_folder() {
    let talk = Talk::new()
        .file("a/main.md", "## A\n")
        .file("b/a.md", "## B\n");
    talk.args(&["build", "a/main.md", "b/a.md", "-o", "out"])
        .status(1)
        .stderr_starts_with("error: decks `")
        .run();
    assert!(!talk.path().join("out").exists());
}
