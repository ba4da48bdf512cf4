//! The offline guarantee: `check` names everything a deck would fetch from
//! the network, where it is written; a clean deck loads nothing remote in a
//! browser with the network cut.

use serde_json::json;

use crate::harness::Talk;
use crate::webdriver::Browser;

const HELP: &str = "help: copy it into the talk and refer to it by its path, so the deck works without a network; or set `allow-remote = true` under [build]\n";

/// A talk that loads a picture, a script and a web font from the network,
/// and links to a page (which is fine).
fn remote_talk() -> Talk {
    Talk::new()
        .file(
            "book.toml",
            "[build]\ncss = [\"style/talk.css\"]\n\n[[deck]]\nname = \"d\"\nsource = \"slides/main.md\"\n",
        )
        .file(
            "slides/main.md",
            "## Remote\n\n![logo](https://example.org/logo.png)\n\n<script src=\"https://cdn.example.org/lib.js\"></script>\n\nA [link](https://example.org) to click.\n",
        )
        .file(
            "style/talk.css",
            "@import url(\"https://fonts.example.org/css?family=Inter\");\nbody { color: #222; }\n",
        )
}

#[test]
fn check_names_every_load_from_the_network_where_it_is_written() {
    let talk = remote_talk();
    talk.args(&["check"])
        .status(1)
        .stderr(format!(
            "error: `https://example.org/logo.png` is loaded from the network: offline, the deck goes without it
 --> slides/main.md:3:9
  |
3 | ![logo](https://example.org/logo.png)
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
{HELP}error: `https://cdn.example.org/lib.js` is loaded from the network: offline, the deck goes without it
 --> slides/main.md:5:14
  |
5 | <script src=\"https://cdn.example.org/lib.js\"></script>
  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
{HELP}error: `https://fonts.example.org/css?family=Inter` is loaded from the network: offline, the deck goes without it
 --> style/talk.css:1:14
  |
1 | @import url(\"https://fonts.example.org/css?family=Inter\");
  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
{HELP}checked 1 deck: 3 errors
"
        ))
        .run();
    // A talk that means it says so.
    let toml = talk
        .read("book.toml")
        .replace("[build]", "[build]\nallow-remote = true");
    let talk = talk.file("book.toml", toml);
    talk.args(&["check"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

#[test]
fn notes_and_the_talks_own_templates_are_checked_too() {
    let talk = Talk::new()
        .file(
            "talk.md",
            "## A\n\ntext\n\n<!--\nSay it.\n\n<img src=\"http://example.org/n.png\">\n-->\n",
        )
        .file(
            "templates/deck.css",
            "/* own */\n.reveal { background: url('//cdn.example.org/bg.jpg'); }\n",
        );
    let run = talk
        .args(&["check", "talk.md"])
        .status(1)
        .stderr_any()
        .run();
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with(" -->"))
        .collect();
    assert_eq!(
        errors,
        [
            "error: `http://example.org/n.png` is loaded from the network: offline, the deck goes without it",
            " --> talk.md:8:11",
            "error: `//cdn.example.org/bg.jpg` is loaded from the network: offline, the deck goes without it",
            " --> templates/deck.css:2:28",
        ]
    );
}

/// What a page asked for, and which of it failed.
fn requests(b: &Browser, url: &str) -> Vec<(String, bool)> {
    b.requests();
    b.goto(url);
    std::thread::sleep(std::time::Duration::from_millis(500));
    b.requests()
}

#[test]
fn a_clean_deck_loads_nothing_from_the_network_with_the_network_cut() {
    let Some(b) = Browser::start_offline() else {
        return;
    };
    let talk = Talk::fixture("layout");
    talk.args(&["check"])
        .stderr("checked 1 deck: no problems\n")
        .run();
    talk.args(&["build"]).stderr_any().run();
    for page in ["index.html", "handout.html"] {
        let url = format!("file://{}/book/deck/{page}", talk.path().display());
        let asked = requests(&b, &url);
        assert!(
            asked.len() > 1,
            "{page}: the page and its pictures: {asked:?}"
        );
        let failed: Vec<_> = asked.iter().filter(|(_, bad)| *bad).collect();
        assert!(failed.is_empty(), "{page}: failed requests {failed:?}");
        // (The browser's own pages, `chrome://`, are no network.)
        let remote: Vec<_> = asked
            .iter()
            .filter(|(u, _)| {
                ["http:", "https:", "ws:", "wss:", "ftp:"]
                    .iter()
                    .any(|s| u.starts_with(s))
            })
            .collect();
        assert!(remote.is_empty(), "{page} asked the network for {remote:?}");
    }
    // What the check names is what the browser asks for, and fails to get.
    let talk = remote_talk();
    let toml = talk
        .read("book.toml")
        .replace("[build]", "[build]\nallow-remote = true");
    let talk = talk.file("book.toml", toml);
    talk.args(&["build"]).stderr_any().run();
    let asked = requests(
        &b,
        &format!("file://{}/book/d/index.html", talk.path().display()),
    );
    let mut failed: Vec<&str> = asked
        .iter()
        .filter(|(_, bad)| *bad)
        .map(|(u, _)| u.as_str())
        .collect();
    failed.sort();
    assert_eq!(
        json!(failed),
        json!([
            "https://cdn.example.org/lib.js",
            "https://example.org/logo.png",
            "https://fonts.example.org/css?family=Inter"
        ])
    );
}

#[test]
fn a_comment_before_a_tag_in_an_html_block_keeps_every_place_right() {
    // The comment is taken out of the block: the places after it must
    // still be the author's (they once pointed into the middle of `é`).
    let talk = Talk::new()
        .file(
            "talk.md",
            "# Deck\n\n## One\n\n<div>\n<!--aéééééééé note -->\n<p>x</p>\n<img src=\"a.png\">\n<script src=\"https://cdn.example/x.js\"></script>\n</div>\n",
        )
        .file("a.png", "png");
    let run = talk
        .args(&["check", "talk.md"])
        .status(1)
        .stderr_any()
        .run();
    let places: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with(" -->"))
        .collect();
    assert_eq!(
        places,
        [" --> talk.md:9:14", " --> talk.md:8:1"],
        "{}",
        run.stderr
    );
}
