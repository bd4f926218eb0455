//! The pest parser generated from `grammar/mesh.pest`, and its `Rule`s: read by the parser
//! and by the description of what a syntax error expected.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/mesh.pest"]
pub(super) struct MeshParser;
