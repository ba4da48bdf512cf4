//! A picture's size in pixels, read from its header (raster formats) or
//! its `width`, `height` and `viewBox` (SVG), so that an export keeps its
//! proportions.

/// Width and height in pixels, when the file tells them.
pub fn size(name: &str, bytes: &[u8]) -> Option<(f64, f64)> {
    let (w, h) = if name.to_ascii_lowercase().ends_with(".svg") {
        svg_size(std::str::from_utf8(bytes).ok()?)?
    } else {
        let s = imagesize::blob_size(bytes).ok()?;
        (s.width as f64, s.height as f64)
    };
    // A size no picture has (zero, or a number too long to be one) says
    // nothing: the picture fills its place.
    let sane = |v: f64| v.is_finite() && v > 0.0 && v < 1e6;
    (sane(w) && sane(h)).then_some((w, h))
}

/// The media type a package lists a picture under.
pub fn media_type(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        Some("bmp") => "image/bmp",
        _ => "application/octet-stream",
    }
}

fn svg_size(svg: &str) -> Option<(f64, f64)> {
    let start = svg.find("<svg")?;
    let end = start + svg[start..].find('>')?;
    let tag = &svg[start..end];
    let attr = |name: &str| -> Option<&str> {
        let mut rest = tag;
        loop {
            let at = rest.find(name)?;
            let before = rest[..at].chars().last();
            rest = &rest[at + name.len()..];
            if before.is_some_and(|c| c.is_whitespace()) {
                let value = rest.trim_start().strip_prefix('=')?.trim_start();
                let quote = value.chars().next()?;
                let value = &value[1..];
                return Some(&value[..value.find(quote)?]);
            }
        }
    };
    let length = |v: &str| -> Option<f64> {
        let n: String = v
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let n: f64 = n.parse().ok()?;
        // Percentages say nothing of the picture's own size.
        (!v.trim().ends_with('%') && n > 0.0).then_some(n)
    };
    if let (Some(w), Some(h)) = (
        attr("width").and_then(length),
        attr("height").and_then(length),
    ) {
        return Some((w, h));
    }
    let view: Vec<f64> = attr("viewBox")?
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match view[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_sizes_come_from_their_attributes_or_view_box() {
        let s = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400px" height="300">"#;
        assert_eq!(size("a.svg", s.as_bytes()), Some((400.0, 300.0)));
        let s = r#"<svg stroke-width="2" viewBox="0 0 640 360" width="100%">"#;
        assert_eq!(size("a.SVG", s.as_bytes()), Some((640.0, 360.0)));
        assert_eq!(size("a.svg", b"<svg>"), None);
        let huge = format!("<svg width=\"{}\" height=\"1\">", "9".repeat(400));
        assert_eq!(size("a.svg", huge.as_bytes()), None);
    }
}
