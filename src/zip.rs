//! Zip archives written in memory: a deck's archive (`build --archive`)
//! and the packages of exported presentations, which want their first
//! entry stored and every timestamp fixed.

use std::io::Write;

/// One file of an archive.
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
    /// Stored as it is (a package's `mimetype`), not deflated.
    pub store: bool,
}

/// The archive of `entries`, in order, each dated `mtime` (seconds since
/// 1970), with `comment` at its end. No entry has an extra field.
pub fn write(entries: &[Entry], mtime: u64, comment: &[u8]) -> Result<Vec<u8>, String> {
    let too_big = || "it is too big for a zip archive (over 4 GiB or 65,535 files)".to_string();
    if entries.len() > 0xFFFF {
        return Err(too_big());
    }
    let (time, date) = dos_time(mtime);
    let mut out = Vec::new();
    let mut central = Vec::new();
    for Entry { name, data, store } in entries {
        let crc = crc32fast::hash(data);
        let packed = if *store {
            None
        } else {
            let mut deflate =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            deflate.write_all(data).map_err(|e| e.to_string())?;
            Some(deflate.finish().map_err(|e| e.to_string())?)
        };
        let (method, body) = match &packed {
            Some(p) if p.len() < data.len() => (8u16, p),
            _ => (0u16, data),
        };
        let small = |n: usize| u32::try_from(n).map_err(|_| too_big());
        let offset = small(out.len())?;
        let (csize, usize_) = (small(body.len())?, small(data.len())?);
        let name_len = u16::try_from(name.len()).map_err(|_| format!("a name too long: {name}"))?;
        // Local header: version 2.0, names in UTF-8 (bit 11).
        put32(&mut out, 0x0403_4b50);
        for v in [20, 0x0800, method, time, date] {
            put16(&mut out, v);
        }
        for v in [crc, csize, usize_] {
            put32(&mut out, v);
        }
        put16(&mut out, name_len);
        put16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);
        // Its central directory entry: made on Unix, mode rw-r--r--.
        put32(&mut central, 0x0201_4b50);
        for v in [0x031E, 20, 0x0800, method, time, date] {
            put16(&mut central, v);
        }
        for v in [crc, csize, usize_] {
            put32(&mut central, v);
        }
        for v in [name_len, 0, 0, 0, 0] {
            put16(&mut central, v);
        }
        put32(&mut central, 0o100_644 << 16);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let at = u32::try_from(out.len()).map_err(|_| too_big())?;
    let size = u32::try_from(central.len()).map_err(|_| too_big())?;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    let count = entries.len() as u16;
    for v in [0, 0, count, count] {
        put16(&mut out, v);
    }
    put32(&mut out, size);
    put32(&mut out, at);
    let comment = &comment[..comment.len().min(0xFFFF)];
    put16(&mut out, comment.len() as u16);
    out.extend_from_slice(comment);
    Ok(out)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Seconds since 1970 as MS-DOS time and date (UTC; 1980 at the earliest).
fn dos_time(secs: u64) -> (u16, u16) {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Days to a civil date (the proleptic Gregorian calendar).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if year < 1980 {
        return (0, (1 << 5) | 1);
    }
    let time = ((h << 11) | (m << 5) | (s / 2)) as u16;
    let date = (((year - 1980).min(127) << 9) | (month << 5) | day) as u16;
    (time, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_dates_are_civil_dates() {
        // 2026-11-30 11:41:22 UTC.
        let (time, date) = dos_time(1_796_038_882);
        assert_eq!(date >> 9, 2026 - 1980);
        assert_eq!((date >> 5) & 0xF, 11);
        assert_eq!(date & 0x1F, 30);
        assert_eq!(
            (time >> 11, (time >> 5) & 0x3F, (time & 0x1F) * 2),
            (11, 41, 22)
        );
        assert_eq!(dos_time(0), (0, 33));
    }
}
