//! From text to the typed syntax tree.

pub mod ast;
mod depth;
mod expected;
mod grammar;
mod parse;

pub use grammar::Rule;
pub use parse::{parse, syntax_tree};

/// Inputs larger than this are refused before parsing; real meshes are far smaller.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting of `{`, `[` and block comments accepted; keeps the recursive parser's
/// stack use bounded whatever the input.
pub const MAX_DEPTH: usize = 64;
/// Most steps × (environments + 1) accepted: each environment is a full effective copy of
/// the mesh, so this bounds memory (about 10 KiB per step instance) whatever the input.
pub const MAX_STEP_INSTANCES: usize = 100_000;
