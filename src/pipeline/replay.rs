//! Each deck's last expansion, kept by `watch` and `serve`: when a save
//! changed included files, only their readings are expanded again and
//! put into the last expansion (see [`m4::splice`]), instead of expanding
//! the whole talk.

use std::sync::Arc;

use crate::m4::{self, Change, Expanded, Options};
use crate::source::{LoadError, SourceFile, SourceId, Sources};

type Asked = Arc<Vec<(String, Result<SourceId, LoadError>)>>;

/// What one expansion read and gave.
pub(super) struct Kept {
    defines: Vec<(String, String)>,
    /// The names `include` was given, in order, with what each found.
    asked: Asked,
    /// The files read, by id.
    files: Vec<Arc<SourceFile>>,
    expanded: Arc<Expanded>,
}

impl Kept {
    pub fn new(sources: &Sources, defines: &[(String, String)], expanded: &Arc<Expanded>) -> Kept {
        let asked = sources.asked().map(|(n, r)| (n.to_string(), r.clone()));
        Kept::with(sources, defines, Arc::new(asked.collect()), expanded)
    }

    fn with(
        sources: &Sources,
        defines: &[(String, String)],
        asked: Asked,
        expanded: &Arc<Expanded>,
    ) -> Kept {
        Kept {
            defines: defines.to_vec(),
            asked,
            files: sources.files().to_vec(),
            expanded: Arc::clone(expanded),
        }
    }

    /// The expansion of the talk as it is now, made from this one, with
    /// what to keep for the next; `None` when it must be expanded anew.
    /// `sources` has read only the entry file; on `None` it has looked up
    /// names in the last expansion's order and should not be used for one.
    pub fn replay(
        &self,
        sources: &mut Sources,
        options: &Options,
    ) -> Option<(Arc<Expanded>, Kept)> {
        let defines = &options.defines;
        if *defines != self.defines {
            return None;
        }
        for (name, value) in defines {
            m4::definition(sources, name, value);
        }
        // Asked in the same order, the same names give the same ids, and
        // each file is the one kept unless the watcher saw it change.
        for (name, found) in self.asked.iter() {
            if sources.load_include(name) != *found {
                return None;
            }
        }
        let now = sources.files();
        if now.len() != self.files.len() {
            return None;
        }
        let mut changes = Vec::new();
        for (id, (old, new)) in self.files.iter().zip(now).enumerate() {
            if Arc::ptr_eq(old, new) {
                continue;
            }
            if old.real != new.real {
                return None;
            }
            if old.text != new.text {
                changes.push(Change {
                    file: SourceId(id as u32),
                    old: Arc::clone(&old.text),
                    new: Arc::clone(&new.text),
                });
            }
        }
        let expanded = if changes.is_empty() {
            Arc::clone(&self.expanded)
        } else {
            Arc::new(m4::splice(&self.expanded, sources, options, &changes)?)
        };
        sources.stop_reading_ahead();
        // A new text may have named files no build read before.
        let kept = if sources.asked_len() == self.asked.len() {
            Kept::with(sources, defines, Arc::clone(&self.asked), &expanded)
        } else {
            Kept::new(sources, defines, &expanded)
        };
        Some((expanded, kept))
    }
}
