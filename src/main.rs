//! The binary: parse the command line, run it, print what went wrong and
//! exit with its code.

use clap::Parser;

fn main() {
    let cli = slidebook::cli::Cli::parse();
    let code = match slidebook::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
