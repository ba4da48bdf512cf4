//! Rebuilds a talk in one process as `serve` does after each save: builds
//! it once, then N times rewrites FILE (adding a line) and builds again
//! from what the builder kept. For counting a rebuild's instructions:
//!
//! ```text
//! cargo build --release --examples
//! valgrind --tool=callgrind target/release/examples/rebuild TALK_DIR FILE [N]
//! ```
//!
//! FILE is relative to TALK_DIR and is put back as it was at the end.
//! Each save waits 300 ms first, as saves are apart when people make
//! them: the last build's memory is freed by then.

use std::time::Instant;

use slidebook::config::Project;
use slidebook::output::Builder;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: rebuild TALK_DIR FILE [N]");
        std::process::exit(2);
    };
    let runs: u32 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(2);
    let project = Project::discover(Some(std::path::Path::new(dir))).expect("a talk");
    let path = project.root.join(file);
    let original = std::fs::read_to_string(&path).expect("FILE is readable");
    let mut builder = Builder::remembering();
    builder.build(&project, &[], None).expect("builds");
    for n in 0..runs {
        std::thread::sleep(std::time::Duration::from_millis(300));
        std::fs::write(&path, format!("{original}\nsaved {n}\n")).expect("writes");
        let start = Instant::now();
        builder.forget_files(&[(path.clone(), false)]);
        builder.build(&project, &[], None).expect("builds");
        println!(
            "rebuild {n}: {:.1} ms",
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    std::fs::write(&path, original).expect("writes");
}
