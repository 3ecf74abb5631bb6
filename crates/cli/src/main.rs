//! caveat CLI.
fn main() {}
