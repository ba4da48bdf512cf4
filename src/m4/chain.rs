//! Include cycles, found without walking the whole chain on every
//! include. The inclusions form a tree (each was opened while reading
//! another); a cycle is a file included again below one of its own
//! inclusions. [`Chains`] keeps, for one inclusion at a time, how often
//! each file stands on its way to the root, and moves that inclusion along
//! the tree as reading moves: from a file to the one it includes and back
//! is one step, so a talk nested ten thousand deep costs ten thousand
//! steps, not fifty million.

use rustc_hash::FxHashMap;

use crate::source::SourceId;

#[derive(Default)]
pub(super) struct Chains {
    /// For each inclusion: its file, the inclusion it was opened from, and
    /// how deep it stands.
    nodes: Vec<Node>,
    /// The inclusion whose way to the root `on_way` counts.
    at: Option<u32>,
    on_way: FxHashMap<SourceId, u32>,
}

struct Node {
    file: SourceId,
    parent: Option<u32>,
    depth: u32,
}

impl Chains {
    /// A new inclusion of `file`, opened while reading `parent`.
    pub fn add(&mut self, file: SourceId, parent: Option<u32>) -> u32 {
        let depth = parent.map_or(0, |p| self.nodes[p as usize].depth + 1);
        self.nodes.push(Node {
            file,
            parent,
            depth,
        });
        (self.nodes.len() - 1) as u32
    }

    /// Whether `file` is being read at `reader` or on its way to the root.
    pub fn reads(&mut self, reader: u32, file: SourceId) -> bool {
        self.move_to(reader);
        self.on_way.get(&file).is_some_and(|&n| n > 0)
    }

    /// The inclusions from the root down to `reader`.
    pub fn way(&self, reader: u32) -> Vec<(u32, SourceId)> {
        let mut way = Vec::new();
        let mut at = Some(reader);
        while let Some(i) = at {
            way.push((i, self.nodes[i as usize].file));
            at = self.nodes[i as usize].parent;
        }
        way.reverse();
        way
    }

    fn move_to(&mut self, target: u32) {
        let depth =
            |c: &Chains, n: Option<u32>| n.map_or(-1, |n| i64::from(c.nodes[n as usize].depth));
        let (mut from, mut to) = (self.at, Some(target));
        let mut entering = Vec::new();
        while from != to {
            if depth(self, from) >= depth(self, to) {
                let node = &self.nodes[from.expect("deeper than the root") as usize];
                if let Some(n) = self.on_way.get_mut(&node.file) {
                    *n -= 1;
                }
                from = node.parent;
            } else {
                let t = to.expect("deeper than the root");
                entering.push(t);
                to = self.nodes[t as usize].parent;
            }
        }
        for n in entering {
            *self.on_way.entry(self.nodes[n as usize].file).or_insert(0) += 1;
        }
        self.at = Some(target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_on_the_way_to_the_root_are_found_as_reading_moves() {
        let (a, b, c) = (SourceId(0), SourceId(1), SourceId(2));
        let mut chains = Chains::default();
        let root = chains.add(a, None);
        let left = chains.add(b, Some(root));
        let deep = chains.add(c, Some(left));
        let right = chains.add(c, Some(root));
        assert!(chains.reads(deep, a) && chains.reads(deep, b) && chains.reads(deep, c));
        assert!(!chains.reads(right, b));
        assert!(chains.reads(right, c));
        assert!(!chains.reads(root, c));
        assert!(chains.reads(deep, b));
        assert_eq!(chains.way(deep), [(root, a), (left, b), (deep, c)]);
    }
}
