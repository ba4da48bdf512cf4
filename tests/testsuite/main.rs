//! One integration test binary, a module per feature. Each test builds a
//! small talk in a temporary folder and runs the real `slidebook` binary.

mod browser;
mod build;
mod check;
mod config;
mod differential;
mod expand;
mod export;
mod fit;
mod handout;
mod harness;
mod init;
mod inputs;
mod layout;
mod limits;
mod mistakes;
mod notes;
mod offline;
mod pacing;
mod properties;
mod serve;
mod talk;
mod verify;
mod watch;
mod webdriver;
mod writes;
