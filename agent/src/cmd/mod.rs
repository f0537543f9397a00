//! Subcommands of the `rightsize` binary: each parses its own flags into the library's options,
//! runs the library, and renders the result. No analysis logic lives here.

pub mod config;
pub mod gc;
pub mod scan;
pub mod serve;
pub mod sidecar;
pub mod values;
