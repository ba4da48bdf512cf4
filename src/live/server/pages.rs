//! What a URL path gets from the build folder: a file streamed (pages
//! with the live script after them), the deck list, a redirect or 404;
//! never anything outside the real build folder. And what pages are told
//! of a failed build: its errors, escaped, as HTML.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::TcpStream;
use std::path::{Component, Path, PathBuf};

use super::http::*;
use super::*;
use crate::error::{Diagnostic, Severity};
use crate::html::escape;

pub(super) enum Reply {
    File {
        file: File,
        len: u64,
        kind: &'static str,
    },
    /// The decks in a folder, by name, listed on a page.
    List(Vec<OsString>),
    /// A page made here, with its status; it gets the live script like any
    /// page.
    Page(u16, String),
    /// Status, type, body, extra headers.
    Small(u16, &'static str, String, String),
}

impl Reply {
    /// Nothing to show there: not found, or a list of no decks.
    pub(super) fn is_missing(&self) -> bool {
        match self {
            Reply::Small(status, ..) => *status == 404,
            Reply::List(decks) => decks.is_empty(),
            _ => false,
        }
    }
}

pub(super) fn not_found() -> Reply {
    Reply::Small(404, TEXT, "not found".into(), String::new())
}

/// A path a person would open as a page (a folder, an HTML file, a name
/// without an extension), not a picture or a style sheet.
pub(super) fn wants_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    let ext = last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    last.is_empty() || matches!(ext.as_deref(), None | Some("html" | "htm"))
}

/// What a URL path gets from the build folder `dir`.
pub(super) fn route(path: &str, dir: &Path) -> Reply {
    let Some(rel) = rel_path(path) else {
        return not_found();
    };
    // Real paths, taken now: a build may have swapped the folder in since.
    let Ok(root) = std::fs::canonicalize(dir) else {
        return not_found();
    };
    let Some(real) = inside(&root, &root.join(&rel)) else {
        return not_found();
    };
    if real.is_dir() {
        if !path.ends_with('/') {
            let to = format!("Location: {}\r\n", location(&rel));
            return Reply::Small(301, TEXT, String::new(), to);
        }
        if let Some(page) = inside(&root, &real.join("index.html")).and_then(|p| open_file(&p)) {
            return page;
        }
        let decks = decks_in(&root, &real);
        // One deck is what `/` is for: straight to it.
        if let ([deck], true) = (decks.as_slice(), real == root) {
            let to = format!("Location: {}\r\n", location(Path::new(deck)));
            return Reply::Small(302, TEXT, String::new(), to);
        }
        return Reply::List(decks);
    }
    open_file(&real).unwrap_or_else(not_found)
}

/// The path under the build folder a URL path names; `None` if it would
/// leave it (`..`, a root) or is not a local path at all (`//host`).
pub(super) fn rel_path(path: &str) -> Option<PathBuf> {
    if path == "/" {
        return Some(PathBuf::new());
    }
    let rel = PathBuf::from(crate::pipeline::local_path(path)?);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(rel)
}

/// `path` with every link resolved, if that is still inside `root` (a real
/// path itself).
pub(super) fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path)
        .ok()
        .filter(|real| real.starts_with(root))
}

/// A regular file, opened without following a final link (one put there
/// since it was resolved) or waiting on a FIFO.
pub(super) fn open_file(path: &Path) -> Option<Reply> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then(|| Reply::File {
        file,
        len: meta.len(),
        kind: content_type(path),
    })
}

/// Where a folder asked for without its final slash is: one slash, then
/// the checked path's parts, so never `//host` or another site.
pub(super) fn location(rel: &Path) -> String {
    let mut to = String::new();
    for part in rel.components() {
        to.push('/');
        to.push_str(&url_encode(part.as_os_str().as_encoded_bytes()));
    }
    to.push('/');
    to
}

/// Every byte but letters, digits and `-._~` as `%XX`.
pub(super) fn url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends a reply; pages get the live script for `seen`, the build they
/// are from.
pub(super) fn send(
    stream: &mut TcpStream,
    reply: Reply,
    head_only: bool,
    seen: &Seen,
) -> io::Result<()> {
    match reply {
        Reply::File { file, len, kind } => {
            let script = if kind == HTML {
                live_script(seen)
            } else {
                String::new()
            };
            stream.write_all(head(200, kind, len + script.len() as u64, "").as_bytes())?;
            if head_only {
                return Ok(());
            }
            // Streamed (by sendfile where there is one), never read whole.
            let sent = io::copy(&mut file.take(len), stream)?;
            if sent < len {
                // The file shrank: the client sees a short answer and a close.
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            stream.write_all(script.as_bytes())
        }
        Reply::List(decks) => {
            let page = deck_list(&decks) + &live_script(seen);
            write_small(stream, 200, HTML, &page, "", head_only)
        }
        Reply::Page(status, page) => {
            let page = page + &live_script(seen);
            write_small(stream, status, HTML, &page, "", head_only)
        }
        Reply::Small(status, kind, body, extra) => {
            write_small(stream, status, kind, &body, &extra, head_only)
        }
    }
}

/// The decks in the folder `dir` (under the build folder `root`): folders
/// holding an `index.html`, not hidden ones (a build's staging folders)
/// and none whose page is outside `root`; sorted.
pub(super) fn decks_in(root: &Path, dir: &Path) -> Vec<OsString> {
    let mut decks: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name())
        .filter(|name| !name.as_encoded_bytes().starts_with(b"."))
        .filter(|name| {
            inside(root, &dir.join(name).join("index.html")).is_some_and(|p| p.is_file())
        })
        .collect();
    decks.sort();
    decks
}

/// A page linking to each deck.
pub(super) fn deck_list(decks: &[OsString]) -> String {
    let items: String = decks
        .iter()
        .map(|name| {
            let href = url_encode(name.as_encoded_bytes());
            let shown = escape(&name.to_string_lossy()).into_owned();
            format!(
                "<li><a href=\"{href}/\">{shown}</a> (<a href=\"{href}/handout.html\">handout</a>)</li>"
            )
        })
        .collect();
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>slidebook</title></head><body><h1>Decks</h1><ul>{items}</ul></body></html>")
}

/// What every page served gets after its last byte (after `</html>`
/// too, where browsers run it all the same), so that pages are streamed as
/// they are, never copied to splice it in: `live.js`, told which build the
/// page is from.
pub(super) fn live_script(seen: &Seen) -> String {
    format!(
        "\n<script>/* slidebook serve: pages follow the builds */(function(){{\
var seen={};var good={};var failed={};\n{LIVE_JS}}})();</script>\n",
        seen.build,
        seen.good,
        seen.errors.is_some()
    )
}

const LIVE_JS: &str = include_str!("live.js");

/// The most problems a page shows; the terminal has them all.
const SHOWN: usize = 50;
/// Characters of a source line shown around the problem's column.
const LINE_SHOWN: usize = 160;

/// A failed build's errors as HTML to lay over a page (the inside of
/// `#sb-live-errors`, its style included): each problem's place, message,
/// source line with the part meant marked, where it was included from and
/// the help. Everything from the talk is escaped. `never_built` says no
/// build was good yet, so no deck is under it.
pub(super) fn errors_html(error: &Error, never_built: bool) -> String {
    let mut html = String::from(OVERLAY_CSS);
    let title = if never_built {
        "The talk does not build yet"
    } else {
        "The last build failed: the deck below is the last good one"
    };
    let _ = write!(
        html,
        "<div class=\"sb-live-box\" role=\"alert\"><p class=\"sb-live-title\"><b>{title}</b>\
<span>this clears itself at the next good build</span>\
<button type=\"button\" class=\"sb-live-hide\">Hide</button></p><ol>"
    );
    match error {
        Error::Talk(problems) => {
            for d in problems.iter().take(SHOWN) {
                problem_html(&mut html, d);
            }
            if problems.len() > SHOWN {
                let more = crate::error::count(problems.len() - SHOWN, "more problem");
                let _ = write!(
                    html,
                    "<li class=\"sb-live-more\">and {more}: see the terminal</li>"
                );
            }
        }
        other => {
            let _ = write!(
                html,
                "<li><p class=\"sb-live-msg\">{}</p></li>",
                escape(&other.to_string())
            );
        }
    }
    html.push_str("</ol></div>");
    html
}

fn problem_html(html: &mut String, d: &Diagnostic) {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    html.push_str("<li>");
    if let Some(at) = &d.at {
        let _ = write!(
            html,
            "<p class=\"sb-live-at\">{}</p>",
            escape(&at.to_string())
        );
    }
    let _ = write!(
        html,
        "<p class=\"sb-live-msg\"><b class=\"sb-live-{kind}\">{kind}:</b> {}</p>",
        escape(&d.message)
    );
    if let Some(at) = d.at.as_ref().filter(|at| !at.text.is_empty()) {
        let (before, under, after) = cut_line(&at.text, at.col as usize, d.width);
        let _ = write!(
            html,
            "<pre><span class=\"sb-live-line\">{}</span>{}<mark>{}</mark>{}</pre>",
            at.line,
            escape(&before),
            escape(&under),
            escape(&after)
        );
    }
    for from in &d.chain {
        let _ = write!(
            html,
            "<p class=\"sb-live-from\">included from {}</p>",
            escape(&from.to_string())
        );
    }
    for call in &d.calls {
        let _ = write!(
            html,
            "<p class=\"sb-live-from\">in the expansion of <code>{}</code> at {}</p>",
            escape(&call.name),
            escape(&call.at.to_string())
        );
    }
    if let Some(help) = &d.help {
        let _ = write!(html, "<p class=\"sb-live-help\">help: {}</p>", escape(help));
    }
    html.push_str("</li>");
}

/// A source line in three: before the column (characters from 1), the
/// `width` characters meant, and after; a long line cut to about
/// [`LINE_SHOWN`] characters around them, with `…` where it is cut.
fn cut_line(text: &str, col: usize, width: usize) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    let from = col.saturating_sub(1).min(chars.len());
    let to = (from + width.max(1)).min(chars.len());
    let start = from.saturating_sub(LINE_SHOWN / 2);
    let end = (to + LINE_SHOWN / 2).min(chars.len()).max(to);
    let mut before: String = chars[start..from].iter().collect();
    if start > 0 {
        before.insert(0, '…');
    }
    let mut after: String = chars[to..end].iter().collect();
    if end < chars.len() {
        after.push('…');
    }
    (before, chars[from..to].iter().collect(), after)
}

/// The page for a path that has nothing to show because no build was good
/// yet: the errors, and (added when sent) the live script, which reloads
/// it once a build is good.
pub(super) fn errors_page(seen: &Seen) -> String {
    let errors = seen.errors.as_deref().unwrap_or_default();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>slidebook: the talk does not build</title>\
</head><body><div id=\"sb-live-errors\">{errors}</div></body></html>"
    )
}

/// The overlay's style, in it, so that it looks the same on a deck, a
/// handout, the deck list or the page of errors.
const OVERLAY_CSS: &str = "<style>\
#sb-live-errors{position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;\
padding:4vh 4vw;background:rgba(15,15,20,.6);color:#f2f2f2;text-align:left;\
font:16px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}\
#sb-live-errors[hidden]{display:none}\
#sb-live-errors .sb-live-box{max-width:72em;margin:0 auto;background:#1d1d24;border:1px solid #5c2b2b;\
border-top:4px solid #e5484d;border-radius:6px;padding:1em 1.5em;box-shadow:0 8px 40px rgba(0,0,0,.5)}\
#sb-live-errors .sb-live-title{display:flex;gap:1em;align-items:baseline;flex-wrap:wrap;margin:0 0 .5em}\
#sb-live-errors .sb-live-title b{font-size:1.15em;color:#ff8589}\
#sb-live-errors .sb-live-title span{color:#a8a8b3;flex:1}\
#sb-live-errors button{font:inherit;color:inherit;background:#33333d;border:1px solid #55555f;\
border-radius:4px;padding:.1em .8em;cursor:pointer}\
#sb-live-errors ol{list-style:none;margin:0;padding:0}\
#sb-live-errors li{border-top:1px solid #33333d;padding:.7em 0}\
#sb-live-errors p{margin:.15em 0}\
#sb-live-errors .sb-live-at{font-family:ui-monospace,Menlo,Consolas,monospace;color:#8ab4f8}\
#sb-live-errors .sb-live-error{color:#ff8589}\
#sb-live-errors .sb-live-warning{color:#f5c451}\
#sb-live-errors pre{margin:.4em 0;padding:.4em .7em;background:#121217;border-radius:4px;\
white-space:pre-wrap;word-break:break-all;font:14px/1.4 ui-monospace,Menlo,Consolas,monospace}\
#sb-live-errors .sb-live-line{color:#6e6e7a;margin-right:1.2em;user-select:none}\
#sb-live-errors mark{background:none;color:#ff8589;text-decoration:underline wavy #e5484d}\
#sb-live-errors .sb-live-from{color:#a8a8b3;font-size:.9em}\
#sb-live-errors .sb-live-help{color:#9fe0a8}\
@media print{#sb-live-errors{display:none}}\
</style>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_stay_inside_the_build_folder() {
        assert_eq!(rel_path("/"), Some(PathBuf::new()));
        assert_eq!(
            rel_path("/talk/index.html"),
            Some(PathBuf::from("talk/index.html"))
        );
        assert_eq!(
            rel_path("/talk/img/a%20b.png"),
            Some(PathBuf::from("talk/img/a b.png"))
        );
        assert_eq!(rel_path("/../etc/passwd"), None);
        assert_eq!(rel_path("/talk/%2e%2e/%2e%2e/x"), None);
        assert_eq!(rel_path("//evil.example"), None);
        assert_eq!(rel_path("/%2F%2Fevil.example"), None);
    }

    #[test]
    fn redirects_are_single_slash_paths() {
        assert_eq!(location(Path::new("talk")), "/talk/");
        assert_eq!(location(Path::new("a b/c")), "/a%20b/c/");
        assert_eq!(location(Path::new("https:x")), "/https%3Ax/");
    }

    #[test]
    fn the_live_script_goes_after_the_page() {
        let seen = Seen {
            build: 3,
            good: 2,
            errors: Some("x".into()),
        };
        let script = live_script(&seen);
        assert!(script.contains("var seen=3;var good=2;var failed=true;"));
        assert!(script.trim_end().ends_with("</script>"));
        // Nothing in it may end the script early.
        assert_eq!(script.matches("</script").count(), 1);
        assert!(!LIVE_JS.contains("<!--"));
    }

    #[test]
    fn errors_are_escaped_and_say_where() {
        let mut d = crate::error::Diagnostic::new("cannot open `<b>.md`: no such file")
            .at(
                crate::error::Location::in_file("a<i>.md", 3, 9, "include(<b>.md) & more"),
                6,
            )
            .help("create <it>");
        d.chain = vec![crate::error::Location::in_file("main.md", 7, 1, "")];
        let html = errors_html(&Error::Talk(vec![d]), false);
        assert!(
            html.contains("<p class=\"sb-live-at\">a&lt;i&gt;.md:3:9</p>"),
            "{html}"
        );
        assert!(html.contains("cannot open `&lt;b&gt;.md`"), "{html}");
        assert!(
            html.contains("include(<mark>&lt;b&gt;.md</mark>) &amp; more</pre>"),
            "{html}"
        );
        assert!(html.contains("included from main.md:7:1"), "{html}");
        assert!(html.contains("help: create &lt;it&gt;"), "{html}");
        assert!(!html.contains("<b>.md") && !html.contains("<i>"), "{html}");
        let io = Error::Usage("no deck named `<x>`".into());
        assert!(errors_html(&io, true).contains("no deck named `&lt;x&gt;`"));
    }

    #[test]
    fn long_source_lines_are_cut_around_the_problem() {
        let line = "x".repeat(1000) + "include(a)" + &"y".repeat(1000);
        let (before, under, after) = cut_line(&line, 1001, 7);
        assert_eq!(under, "include");
        assert!(before.starts_with('…') && after.ends_with('…'));
        assert!(before.chars().count() + after.chars().count() < LINE_SHOWN + 4);
        assert_eq!(
            cut_line("ab", 5, 3),
            ("ab".into(), String::new(), String::new())
        );
    }

    #[test]
    fn only_pages_get_the_errors_page() {
        for page in [
            "/",
            "/deck/",
            "/deck",
            "/deck/index.html",
            "/deck/handout.HTML",
        ] {
            assert!(wants_page(page), "{page}");
        }
        for other in ["/deck/img/logo.svg", "/deck/style.css", "/favicon.ico"] {
            assert!(!wants_page(other), "{other}");
        }
    }
}
