//! A built deck packed into one file to hand out or put on a web server:
//! `NAME.zip` or `NAME.tar.gz` beside the deck's folder `NAME`, holding
//! that folder. Written beside its place and renamed in, like the deck.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::ArchiveFormat;
use crate::error::{Diagnostic, Error, Result};

/// What was packed.
#[derive(Debug)]
pub struct Packed {
    pub path: PathBuf,
    pub files: usize,
    pub bytes: u64,
}

/// Packs the deck folder `dir` (but its marker `skip`); `keep` are paths
/// the archive may never replace (the talk's sources).
pub fn pack(dir: &Path, format: ArchiveFormat, skip: &str, keep: &[&Path]) -> Result<Packed> {
    let name = dir
        .file_name()
        .expect("a deck's folder has a name")
        .to_string_lossy()
        .into_owned();
    let path = dir.with_file_name(format!("{name}.{}", format.extension()));
    if keep.iter().any(|k| *k == path) {
        return Err(Diagnostic::new(format!(
            "the archive `{}` would replace one of the talk's own files",
            path.display()
        ))
        .help("build into another folder with -o, or rename the deck")
        .into());
    }
    // An archive slidebook wrote is replaced; any other file is left be.
    if let Ok(old) = std::fs::read(&path) {
        if !ours(&old) {
            return Err(Diagnostic::new(format!(
                "`{}` is there already, and slidebook did not write it: the archive would replace it",
                path.display()
            ))
            .help("move that file away, or build the deck into another folder")
            .into());
        }
    } else if path.exists() {
        return Err(Diagnostic::new(format!(
            "`{}` is there already, and is no archive slidebook wrote",
            path.display()
        ))
        .help("move it away, or build the deck into another folder")
        .into());
    }
    let mut files = Vec::new();
    walk(dir, &name, skip, &mut files)?;
    files.sort();
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let bytes = match format {
        ArchiveFormat::Zip => zip(&files, mtime).map_err(|why| format!("{why}: use tar.gz")),
        ArchiveFormat::TarGz => tar_gz(&files, mtime),
    }
    .map_err(|why| Diagnostic::new(format!("cannot pack `{}`: {why}", dir.display())))?;
    let part = dir.with_file_name(format!(".{name}.{}.packing", format.extension()));
    std::fs::write(&part, &bytes)
        .and_then(|()| std::fs::rename(&part, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&part);
            Error::io(&path)(e)
        })?;
    Ok(Packed {
        path,
        files: files.len(),
        bytes: bytes.len() as u64,
    })
}

/// What an archive slidebook writes says of itself (a zip's comment, a
/// gzip header's comment).
const SIGNATURE: &[u8] = b"packed by slidebook";

/// Whether `bytes` are an archive slidebook wrote.
fn ours(bytes: &[u8]) -> bool {
    let zip = bytes.starts_with(b"PK") && bytes.ends_with(SIGNATURE);
    // gzip: magic, then flags with FCOMMENT (16); the comment follows the
    // 10-byte header (no name or extra field is written).
    let gz = bytes.starts_with(&[0x1f, 0x8b])
        && bytes.get(3).is_some_and(|f| f & 16 != 0)
        && bytes.get(10..10 + SIGNATURE.len()) == Some(SIGNATURE);
    zip || gz
}

/// Every file under `dir`, with its name in the archive (`prefix/...`).
fn walk(dir: &Path, prefix: &str, skip: &str, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(Error::io(dir))? {
        let entry = entry.map_err(Error::io(dir))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let inner = format!("{prefix}/{name}");
        let kind = entry.file_type().map_err(Error::io(&path))?;
        if kind.is_dir() {
            walk(&path, &inner, skip, out)?;
        } else if kind.is_file() && !(prefix.find('/').is_none() && name == skip) {
            out.push((inner, path));
        }
    }
    Ok(())
}

fn read(path: &Path) -> std::result::Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A zip archive, each file deflated.
fn zip(files: &[(String, PathBuf)], mtime: u64) -> std::result::Result<Vec<u8>, String> {
    let entries = files
        .iter()
        .map(|(name, path)| {
            Ok(crate::zip::Entry {
                name: name.clone(),
                data: read(path)?,
                store: false,
            })
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    crate::zip::write(&entries, mtime, SIGNATURE)
}

/// A gzipped tar archive (POSIX ustar).
fn tar_gz(files: &[(String, PathBuf)], mtime: u64) -> std::result::Result<Vec<u8>, String> {
    let mut gz = flate2::GzBuilder::new()
        .comment(SIGNATURE)
        .write(Vec::new(), flate2::Compression::best());
    for (name, path) in files {
        let data = read(path)?;
        // A name too long for the header goes first as a GNU long-name
        // entry, which every tar reads.
        if ustar_split(name).is_none() {
            let mut long = name.as_bytes().to_vec();
            long.push(0);
            let mut h = ustar_header("././@LongLink", long.len() as u64, 0)?;
            h[156] = b'L';
            checksum(&mut h);
            let pad = (512 - long.len() % 512) % 512;
            gz.write_all(&h)
                .and_then(|()| gz.write_all(&long))
                .and_then(|()| gz.write_all(&vec![0; pad]))
                .map_err(|e| e.to_string())?;
        }
        let header = ustar_header(name, data.len() as u64, mtime)?;
        let pad = (512 - data.len() % 512) % 512;
        gz.write_all(&header)
            .and_then(|()| gz.write_all(&data))
            .and_then(|()| gz.write_all(&vec![0; pad]))
            .map_err(|e| e.to_string())?;
    }
    gz.write_all(&[0; 1024]).map_err(|e| e.to_string())?;
    gz.finish().map_err(|e| e.to_string())
}

fn ustar_header(name: &str, size: u64, mtime: u64) -> std::result::Result<[u8; 512], String> {
    let mut h = [0u8; 512];
    // A name that fits no header is cut to its last 100 bytes here; a long
    // name entry before it carries it whole.
    let (prefix, rest) = ustar_split(name).unwrap_or_else(|| {
        let mut cut = name.len() - 100;
        while !name.is_char_boundary(cut) {
            cut += 1;
        }
        ("", &name[cut..])
    });
    if size >= 0o77_777_777_777 {
        return Err(format!("a file too big for a tar archive: {name}"));
    }
    let field =
        |h: &mut [u8; 512], at: usize, text: &[u8]| h[at..at + text.len()].copy_from_slice(text);
    field(&mut h, 0, rest.as_bytes());
    field(&mut h, 100, b"0000644\0");
    field(&mut h, 108, b"0000000\0");
    field(&mut h, 116, b"0000000\0");
    field(&mut h, 124, format!("{size:011o}\0").as_bytes());
    field(
        &mut h,
        136,
        format!("{:011o}\0", mtime.min(0o77_777_777_777)).as_bytes(),
    );
    field(&mut h, 148, b"        ");
    h[156] = b'0';
    field(&mut h, 257, b"ustar\x0000");
    field(&mut h, 345, prefix.as_bytes());
    checksum(&mut h);
    Ok(h)
}

/// A name over 100 bytes, cut at a `/` into a prefix (155) and a name;
/// `None` when no cut fits.
fn ustar_split(name: &str) -> Option<(&str, &str)> {
    if name.len() <= 100 {
        return Some(("", name));
    }
    name.char_indices()
        .filter(|&(i, c)| c == '/' && i <= 155 && name.len() - i - 1 <= 100)
        .map(|(i, _)| (&name[..i], &name[i + 1..]))
        .next()
}

fn checksum(h: &mut [u8; 512]) {
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tar_names_are_cut_at_a_slash() {
        let name = format!("deck/{}/{}", "a".repeat(90), "b".repeat(60));
        let h = ustar_header(&name, 3, 0).unwrap();
        let field = |at: usize, len: usize| {
            String::from_utf8(
                h[at..at + len]
                    .iter()
                    .copied()
                    .take_while(|&b| b != 0)
                    .collect(),
            )
            .unwrap()
        };
        assert_eq!(field(345, 155), format!("deck/{}", "a".repeat(90)));
        assert_eq!(field(0, 100), "b".repeat(60));
        assert!(ustar_split(&"c".repeat(300)).is_none());
    }
}
