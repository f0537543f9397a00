//! The GC engine: parse GC logs of any HotSpot format into one event model, split them into JVM
//! instances, and analyse each instance.

pub mod analysis;
pub mod instance;
pub mod model;
pub mod parse;
pub mod source;
