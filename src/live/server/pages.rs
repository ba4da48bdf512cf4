//! What a URL path gets from the build folder: a file streamed (pages
//! with the reload script after them), the deck list, a redirect or 404;
//! never anything outside the real build folder.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::TcpStream;
use std::path::{Component, Path, PathBuf};

use super::http::*;
use super::*;
use crate::html::escape;

pub(super) enum Reply {
    File {
        file: File,
        len: u64,
        kind: &'static str,
    },
    /// The deck list, which gets the reload script like any page.
    List(String),
    /// Status, type, body, extra headers.
    Small(u16, &'static str, String, String),
}

pub(super) fn not_found() -> Reply {
    Reply::Small(404, TEXT, "not found".into(), String::new())
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
        return match inside(&root, &real.join("index.html")).and_then(|p| open_file(&p)) {
            Some(reply) => reply,
            None => Reply::List(deck_list(&root, &real)),
        };
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

pub(super) fn send(
    stream: &mut TcpStream,
    reply: Reply,
    head_only: bool,
    builds: &Builds,
) -> io::Result<()> {
    match reply {
        Reply::File { file, len, kind } => {
            let script = if kind == HTML {
                reload_script(builds.current())
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
        Reply::List(page) => {
            let page = page + &reload_script(builds.current());
            write_small(stream, 200, HTML, &page, "", head_only)
        }
        Reply::Small(status, kind, body, extra) => {
            write_small(stream, status, kind, &body, &extra, head_only)
        }
    }
}

/// A page linking to each deck in the folder `dir` (under the build
/// folder `root`): folders holding an `index.html`, not hidden ones (a
/// build's staging folders) and none whose page is outside `root`.
pub(super) fn deck_list(root: &Path, dir: &Path) -> String {
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

/// A script that waits for the next build and reloads, put after a page's
/// last byte (after `</html>` too, where browsers run it all the same): the
/// page is streamed as it is, never copied to splice it in.
pub(super) fn reload_script(build: u64) -> String {
    format!(
        "\n<script>/* slidebook serve: reload after each rebuild */(function(){{var seen={build};\
function wait(){{fetch('{WAIT}?since='+seen,{{cache:'no-store'}}).then(function(r){{\
if(!r.ok)throw r;return r.text()}}).then(function(t){{if(+t!=seen){{location.reload()}}\
else{{wait()}}}},function(){{setTimeout(wait,1000)}})}}wait()}})();</script>\n"
    )
}

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
    fn the_reload_script_goes_after_the_page() {
        let script = reload_script(3);
        assert!(script.contains("var seen=3;"));
        assert!(script.trim_end().ends_with("</script>"));
    }
}
