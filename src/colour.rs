//! Colours as CSS writes them plainly (`#rgb`, `#rrggbb`, with or without
//! alpha, `rgb(r, g, b)`, `rgba(…)`), read for two judgements: whether a
//! slide's background is dark (its text turns light), and whether text
//! stands out enough from its background (WCAG's contrast ratio). Named
//! colours and others are not judged.

/// The red, green and blue of `colour`, 0 to 1 each.
pub fn parse(colour: &str) -> Option<[f64; 3]> {
    let c = colour.trim();
    let parts: [u8; 3] = if let Some(hex) = c.strip_prefix('#') {
        let digit = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
        match hex.len() {
            3 | 4 => [digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17],
            6 | 8 => [digit(0, 2)?, digit(2, 2)?, digit(4, 2)?],
            _ => return None,
        }
    } else {
        let inner = c
            .strip_prefix("rgb(")
            .or(c.strip_prefix("rgba("))?
            .strip_suffix(')')?;
        let mut parts = inner.split([',', ' ', '/']).filter(|p| !p.is_empty());
        let mut next = || parts.next()?.parse::<u8>().ok();
        [next()?, next()?, next()?]
    };
    Some(parts.map(|v| f64::from(v) / 255.0))
}

/// How light a colour looks, 0 to 1 (weighted, as reveal.js judges a dark
/// background).
pub fn lightness([r, g, b]: [f64; 3]) -> f64 {
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// WCAG's contrast ratio of two colours, 1 to 21.
pub fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let luminance = |c: [f64; 3]| {
        let linear = |v: f64| {
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        lightness(c.map(linear))
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_their_contrast() {
        let (black, white) = (parse("#000").unwrap(), parse("#ffffff").unwrap());
        assert!((contrast(black, white) - 21.0).abs() < 0.01);
        // #777 on white: 4.48, just under AA.
        assert!((contrast(parse("#777").unwrap(), white) - 4.48).abs() < 0.01);
        assert_eq!(parse("rgb(255, 0, 0)"), Some([1.0, 0.0, 0.0]));
        assert_eq!(parse("rgba(0 0 255 / 50%)"), Some([0.0, 0.0, 1.0]));
        assert_eq!(parse("#0008"), Some([0.0, 0.0, 0.0]));
        assert_eq!(parse("red"), None);
        assert!(lightness(parse("#14171d").unwrap()) < 0.4);
    }
}
