//! Analysis passes over the resolved mesh. Each pass is its own module and only reports;
//! none of them changes the model. They run on the base mesh and on every environment's
//! effective mesh, so an override that breaks a rule is caught too.

mod connectivity;
mod cycles;
mod names;
mod secrets;
mod security;
mod values;

/// How a schema reads in messages (and on the edges of `fmc graph`).
pub use connectivity::describe as describe_schema;
pub use secrets::looks_secret;

use std::collections::HashSet;

use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::MeshGraph;
use crate::model::{Mesh, Model};

/// Runs every pass on every effective mesh of the model.
pub fn check(model: &Model) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    check_mesh(&model.base, &mut diagnostics);
    // A set: a mesh may well have thousands of findings, each looked up once per environment.
    let base: HashSet<Diagnostic> = diagnostics.iter().cloned().collect();
    for env in &model.envs {
        let mut found = Diagnostics::default();
        check_mesh(env, &mut found);
        let name = env
            .env
            .as_ref()
            .map(|n| n.value.as_str())
            .unwrap_or_default();
        for mut d in found.into_sorted() {
            // Findings the base has too are reported once; the others say where they arise.
            if !base.contains(&d) {
                d.message = format!("{} (environment `{name}`)", d.message);
                diagnostics.push(d);
            }
        }
    }
    diagnostics
}

fn check_mesh(mesh: &Mesh, diagnostics: &mut Diagnostics) {
    let graph = MeshGraph::build(mesh, diagnostics);
    connectivity::check(mesh, &graph, diagnostics);
    cycles::check(mesh, &graph, diagnostics);
    names::check(mesh, diagnostics);
    values::check(mesh, diagnostics);
    secrets::check(mesh, diagnostics);
    security::check(mesh, diagnostics);
}
