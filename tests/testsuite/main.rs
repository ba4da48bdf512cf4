//! One integration test binary, a module per feature. Each test builds a
//! small talk in a temporary folder and runs the real `slidebook` binary.

mod build;
mod expand;
mod harness;
