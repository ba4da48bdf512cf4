//! HTTP/1.x as the server speaks it: a request's head read within bounds
//! and parsed (GET and HEAD only), and the heads and small answers it
//! writes.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use super::*;

/// A request that passed [`parse`].
#[derive(Debug, PartialEq)]
pub(super) struct Request<'a> {
    pub(super) head_only: bool,
    pub(super) path: &'a str,
    pub(super) query: &'a str,
    /// It says a body follows (which is never read).
    pub(super) body: bool,
}

/// Reads a request's head, through its blank line: the bytes read and
/// where the head ends in them. `Err(Some(status))` is an answer to give,
/// `Err(None)` a client that went quiet or away.
pub(super) fn read_head(
    stream: &mut TcpStream,
) -> std::result::Result<(Vec<u8>, usize), Option<u16>> {
    let deadline = Instant::now() + HEAD_TIME;
    let mut bytes = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(None);
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(None),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(None),
        };
        let from = bytes.len().saturating_sub(3);
        bytes.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&bytes, from) {
            return if end > HEAD_MAX {
                Err(Some(431))
            } else {
                Ok((bytes, end))
            };
        }
        if bytes.len() > HEAD_MAX {
            return Err(Some(431));
        }
    }
}

/// Where the blank line ending a head ends, looking from `from`: `\r\n\r\n`
/// or, from lax clients, `\n\n`.
pub(super) fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find_map(|i| {
        let rest = &bytes[i..];
        if rest.starts_with(b"\n\n") {
            Some(i + 2)
        } else if rest.starts_with(b"\n\r\n") {
            Some(i + 3)
        } else {
            None
        }
    })
}

/// The request line and headers; the status to answer with if they are
/// not a GET or HEAD of HTTP/1.x.
/// Whether a `Host` header names this machine by address or as
/// `localhost`: a web page elsewhere that points a name of its own at
/// this address (DNS rebinding) is refused, so it cannot read the decks.
fn local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

pub(super) fn parse(head: &str) -> std::result::Result<Request<'_>, u16> {
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(400);
    }
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(400);
    }
    match version {
        "HTTP/1.0" | "HTTP/1.1" => {}
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(405),
    };
    let mut body = false;
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(400);
        };
        let name = name.trim();
        body |= name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value.trim() != "0");
        if name.eq_ignore_ascii_case("host") && !local_host(value.trim()) {
            return Err(421);
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Request {
        head_only,
        path,
        query,
        body,
    })
}

/// Closes a connection whose request left bytes unread. Closing on unread
/// bytes resets the connection, which can lose the answer on its way, so
/// a bounded amount is read and dropped first.
pub(super) fn linger(stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut budget = 1usize << 20;
    let mut chunk = [0u8; 8192];
    while budget > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&stream).read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => budget = budget.saturating_sub(n),
        }
    }
}

pub(super) fn write_small(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    body: &str,
    extra: &str,
    head_only: bool,
) -> io::Result<()> {
    let mut answer = head(status, kind, body.len() as u64, extra);
    if !head_only {
        answer += body;
    }
    stream.write_all(answer.as_bytes())
}

/// An answer for a request that is not served, whole.
pub(super) fn error_page(status: u16) -> String {
    let body = format!("{}\n", reason(status).to_ascii_lowercase());
    let extra = if status == 405 {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    head(status, TEXT, body.len() as u64, extra) + &body
}

/// A status line and headers; every answer closes its connection.
pub(super) fn head(status: u16, kind: &str, len: u64, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\
         {extra}\r\n",
        reason(status)
    )
}

pub(super) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

pub(super) fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => HTML,
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("txt" | "md" | "sh") => TEXT,
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_a_host() {
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:80",
            "192.168.1.9:3000",
        ] {
            assert!(local_host(ok), "{ok}");
        }
        for no in [
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example:80",
        ] {
            assert!(!local_host(no), "{no}");
        }
        assert_eq!(
            parse("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n").err(),
            Some(421)
        );
    }

    #[test]
    fn only_get_and_head_of_http_1_are_served() {
        let get = parse("GET /a?since=3 HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        assert_eq!(
            get,
            Request {
                head_only: false,
                path: "/a",
                query: "since=3",
                body: false
            }
        );
        assert!(parse("HEAD / HTTP/1.0\n\n").unwrap().head_only);
        let with_body = parse("GET / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
        assert!(with_body.unwrap().body);
        assert_eq!(parse("POST / HTTP/1.1\r\n\r\n"), Err(405));
        assert_eq!(parse("GET / HTTP/2.0\r\n\r\n"), Err(505));
        assert_eq!(parse("GET /\r\n\r\n"), Err(400));
        assert_eq!(parse("GET http://x/ HTTP/1.1\r\n\r\n"), Err(400));
        assert_eq!(parse("GET / HTTP/1.1\r\nno colon\r\n\r\n"), Err(400));
        assert_eq!(parse("\u{0}\r\n\r\n"), Err(400));
    }

    #[test]
    fn heads_end_at_the_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nbody", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 0), None);
    }
}
