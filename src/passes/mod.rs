//! Analysis passes over the resolved mesh. Each pass is its own module and only reports;
//! none of them changes the model. They run on the base mesh and on every environment's
//! effective mesh, so an override that breaks a rule is caught too.

mod connectivity;
mod cycles;
mod names;
mod secrets;
mod security;
mod statements;
mod values;

/// How a schema reads in messages (and on the edges of `fmc graph`).
pub use connectivity::describe as describe_schema;

use std::collections::HashSet;

use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::MeshGraph;
use crate::model::{changed_steps, Mesh, Model, Step};

/// Runs every pass on every effective mesh of the model.
pub fn check(model: &Model) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let every_step: Vec<&Step> = model.base.steps.iter().map(|s| &**s).collect();
    check_mesh(&model.base, &every_step, &mut diagnostics);
    // A set: a mesh may well have thousands of findings, each looked up once per environment.
    let base: HashSet<Diagnostic> = diagnostics.iter().cloned().collect();
    for env in &model.envs {
        // A step the environment leaves alone (settings and cluster) has the base's findings,
        // which are reported once already: only the changed ones are looked at again. The
        // graph passes see the whole mesh, since a changed step changes its neighbours' edges.
        let changed: Vec<&Step> = env
            .steps
            .iter()
            .zip(changed_steps(&model.base, env))
            .filter_map(|(step, changed)| changed.then_some(&**step))
            .collect();
        let mut found = Diagnostics::default();
        check_mesh(env, &changed, &mut found);
        let suffix = env.environment_suffix();
        for mut d in found.into_sorted() {
            // Findings the base has too are reported once; the others say where they arise.
            if !base.contains(&d) {
                d.message.push_str(&suffix);
                diagnostics.push(d);
            }
        }
    }
    diagnostics
}

/// The passes over one effective mesh; the per-step rules look at `steps` only.
fn check_mesh(mesh: &Mesh, steps: &[&Step], diagnostics: &mut Diagnostics) {
    let graph = MeshGraph::build(mesh, diagnostics);
    connectivity::check(mesh, &graph, diagnostics);
    cycles::check(mesh, &graph, diagnostics);
    names::check(mesh, steps, diagnostics);
    values::check(mesh, steps, diagnostics);
    secrets::check(mesh, steps, diagnostics);
    security::check(steps, diagnostics);
    statements::check(steps, diagnostics);
}
