//! fmc: the mesh language compiler. Text is parsed into a typed syntax tree (`syntax`),
//! lowered into a resolved model per environment (`model`), checked as a graph by the
//! analysis passes (`passes`), and turned into Function Mesh resources and a Kustomize tree
//! (`codegen`); `picture` draws it. Every problem is a `diag::Diagnostic` with a span.
//! `lexer`, `secrets`, `suggest`, `units` and `diag` are leaves that any layer may use.

pub mod codegen;
pub mod diag;
pub mod format;
pub mod graph;
pub mod import;
pub mod language;
pub mod lexer;
pub mod lsp;
pub mod mapping;
pub mod model;
pub mod passes;
pub mod picture;
pub mod pipeline;
pub mod secrets;
pub mod suggest;
pub mod syntax;
pub mod synth;
pub mod units;
