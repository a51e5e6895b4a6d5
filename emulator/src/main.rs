#![forbid(unsafe_code)]
//! azure-emulator: being written (issue 4).
fn main() {}
