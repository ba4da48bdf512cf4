//! A deck is written into a new folder beside its destination, then
//! swapped in by renaming: a reader, a killed build or a full disk never
//! leaves half a deck, and of two builds at once the later swap wins
//! whole.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

/// What temporary folders are called: `.NAME.slidebook-PID-N`, beside the
/// deck's folder `NAME`.
const INFIX: &str = ".slidebook-";

/// A deck's folder being written; removed on drop unless swapped in.
pub struct Staging {
    pub dir: PathBuf,
    dest: PathBuf,
    done: bool,
}

impl Staging {
    /// A new, empty folder beside `dest`, after clearing what killed
    /// builds left there (never a folder that holds one of `keep`: the
    /// talk's root and sources, which a name can imitate).
    pub fn new(dest: &Path, keep: &[&Path]) -> Result<Staging> {
        static N: AtomicU32 = AtomicU32::new(0);
        let parent = dest.parent().expect("a deck's folder has a parent");
        let name = dest
            .file_name()
            .expect("a deck's folder has a name")
            .to_string_lossy();
        std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        remove_stale(parent, &name, keep);
        let pid = std::process::id();
        loop {
            let n = N.fetch_add(1, Ordering::Relaxed);
            let dir = parent.join(format!(".{name}{INFIX}{pid}-{n}"));
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    return Ok(Staging {
                        dir,
                        dest: dest.to_path_buf(),
                        done: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&dir)(e)),
            }
        }
    }

    /// Puts the staged folder in the destination's place, and removes the
    /// deck it replaces.
    pub fn swap_in(mut self) -> Result<()> {
        let exchanged = exchange(&self.dir, &self.dest);
        match exchanged {
            // The old deck is now where the new one was staged.
            Ok(true) => {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
            Ok(false) => {
                std::fs::rename(&self.dir, &self.dest).map_err(Error::io(&self.dest))?;
            }
            Err(e) => return Err(Error::io(&self.dest)(e)),
        }
        self.done = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Swaps `staged` and `dest` in one step where the system can: `Ok(false)`
/// when there is no `dest` to swap with.
#[cfg(target_os = "linux")]
fn exchange(staged: &Path, dest: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (from, to) = (c(staged)?, c(dest)?);
    // SAFETY: both are valid, NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOENT) if !dest.exists() => Ok(false),
        // A file system without the exchange: move the old deck aside.
        Some(libc::EINVAL | libc::ENOSYS) => exchange_by_renames(staged, dest),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staged: &Path, dest: &Path) -> std::io::Result<bool> {
    if !dest.exists() {
        return Ok(false);
    }
    exchange_by_renames(staged, dest)
}

/// Two renames through a third name: briefly, `dest` is missing.
fn exchange_by_renames(staged: &Path, dest: &Path) -> std::io::Result<bool> {
    let mut aside = staged.as_os_str().to_owned();
    aside.push("-old");
    std::fs::rename(dest, &aside)?;
    if let Err(e) = std::fs::rename(staged, dest) {
        let _ = std::fs::rename(&aside, dest);
        return Err(e);
    }
    std::fs::rename(&aside, staged)?;
    Ok(true)
}

/// Removes the temporary folders of builds of `name` that were killed:
/// those of processes no longer running.
fn remove_stale(parent: &Path, name: &str, keep: &[&Path]) {
    let prefix = format!(".{name}{INFIX}");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = rest
            .split(['-', '.'])
            .next()
            .and_then(|p| p.parse::<u32>().ok());
        let running = match pid {
            Some(pid) => pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists(),
            None => true,
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let holds_kept = || {
            let real = entry.path().canonicalize().unwrap_or_else(|_| entry.path());
            keep.iter().any(|k| k.starts_with(&real))
        };
        if !running && is_dir && Path::new("/proc/self").exists() && !holds_kept() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
