//! The build folder served on localhost, every page made to reload itself
//! after a rebuild (a long poll: the page asks for the next build and
//! waits for it).

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tiny_http::{Header, Request, Response, Server};

use crate::error::{Error, Result};

const WAIT: &str = "/__slidebook/wait";

/// The number of the last good build, and a way to wait for the next.
#[derive(Default)]
pub struct Builds {
    count: Mutex<u64>,
    changed: Condvar,
}

impl Builds {
    fn current(&self) -> u64 {
        *self.count.lock().expect("not poisoned")
    }

    pub fn bump(&self) {
        *self.count.lock().expect("not poisoned") += 1;
        self.changed.notify_all();
    }

    /// Waits until a build newer than `seen` is done, or `limit` passes.
    fn wait_past(&self, seen: u64, limit: Duration) -> u64 {
        let guard = self.count.lock().expect("not poisoned");
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, limit, |n| *n <= seen)
            .expect("not poisoned");
        *guard
    }
}

/// A server listening on `port` of 127.0.0.1 (0 picks a free one), and
/// the port it got.
pub fn listen(port: u16) -> Result<(Server, u16)> {
    let server = Server::http(("127.0.0.1", port))
        .map_err(|e| Error::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let port = server.server_addr().to_ip().map_or(port, |a| a.port());
    Ok((server, port))
}

/// Serves `dir` on `server` from a thread of its own; pages reload after
/// each build `builds` counts.
pub fn spawn(server: Server, dir: PathBuf, builds: Arc<Builds>) {
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let builds = builds.clone();
            let dir = dir.clone();
            // Reload requests wait for minutes; each gets its thread.
            std::thread::spawn(move || respond(request, &dir, &builds));
        }
    });
}

fn respond(request: Request, dir: &Path, builds: &Builds) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    if path == WAIT {
        let seen = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let now = builds.wait_past(seen, Duration::from_secs(25));
        let _ = request.respond(with_type(
            Response::from_string(now.to_string()),
            "text/plain",
        ));
        return;
    }
    let Some(file) = file_for(dir, path) else {
        let _ = request.respond(Response::from_string("not found").with_status_code(404));
        return;
    };
    if file.is_dir() {
        if !path.ends_with('/') {
            // A path that cannot be a header value gets no redirect.
            let _ = match Header::from_bytes("Location", format!("{path}/")) {
                Ok(to) => request.respond(Response::empty(301).with_header(to)),
                Err(()) => request.respond(Response::empty(404)),
            };
            return;
        }
        let index = file.join("index.html");
        if !index.is_file() {
            let listing = deck_list(&file);
            let page = with_reload(&listing, builds.current());
            let _ = request.respond(with_type(
                Response::from_string(page),
                "text/html; charset=utf-8",
            ));
            return;
        }
        return respond_file(request, &index, builds);
    }
    respond_file(request, &file, builds);
}

fn respond_file(request: Request, file: &Path, builds: &Builds) {
    let Ok(bytes) = std::fs::read(file) else {
        let _ = request.respond(Response::from_string("not found").with_status_code(404));
        return;
    };
    let kind = content_type(file);
    let body = if kind.starts_with("text/html") {
        with_reload(&String::from_utf8_lossy(&bytes), builds.current()).into_bytes()
    } else {
        bytes
    };
    let _ = request.respond(with_type(Response::from_data(body), kind));
}

fn with_type<R: std::io::Read>(r: Response<R>, kind: &str) -> Response<R> {
    r.with_header(Header::from_bytes("Content-Type", kind).expect("valid header"))
        .with_header(Header::from_bytes("Cache-Control", "no-store").expect("valid header"))
}

/// The file a URL path names inside `dir`; `None` if it would leave it.
fn file_for(dir: &Path, path: &str) -> Option<PathBuf> {
    let decoded = crate::pipeline::local_path(path).unwrap_or_default();
    let rel = Path::new(&decoded);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(dir.join(rel))
}

/// A page linking to each deck in the build folder.
fn deck_list(dir: &Path) -> String {
    let mut decks: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    decks.sort();
    let items: String = decks
        .iter()
        .map(|d| {
            format!("<li><a href=\"{d}/\">{d}</a> (<a href=\"{d}/handout.html\">handout</a>)</li>")
        })
        .collect();
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>slidebook</title></head><body><h1>Decks</h1><ul>{items}</ul></body></html>")
}

/// The page with a script that waits for the next build and reloads.
fn with_reload(html: &str, build: u64) -> String {
    let script = format!(
        "<script>/* slidebook serve: reload after each rebuild */(function(){{var seen={build};\
function wait(){{fetch('{WAIT}?since='+seen).then(function(r){{return r.text()}}).then(\
function(t){{if(+t>seen){{location.reload()}}else{{wait()}}}},function(){{setTimeout(wait,1000)}})}}wait()}})();</script>"
    );
    match html.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
        None => format!("{html}{script}"),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("txt" | "md" | "sh") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_stay_inside_the_build_folder() {
        let dir = Path::new("/b");
        assert_eq!(
            file_for(dir, "/talk/index.html"),
            Some(PathBuf::from("/b/talk/index.html"))
        );
        assert_eq!(
            file_for(dir, "/talk/img/a%20b.png"),
            Some(PathBuf::from("/b/talk/img/a b.png"))
        );
        assert_eq!(file_for(dir, "/../etc/passwd"), None);
        assert_eq!(file_for(dir, "/talk/%2e%2e/%2e%2e/x"), None);
    }

    #[test]
    fn pages_get_the_reload_script_before_the_end_of_the_body() {
        let page = with_reload("<html><body><p>x</p></body></html>", 3);
        assert!(page.contains("var seen=3;"));
        assert!(page.ends_with("</script></body></html>"));
    }
}
