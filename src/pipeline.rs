//! The whole compiler as two calls: check a source file, and generate output for it.

use crate::codegen::{self, Options, Output, Templates};
use crate::diag::{Diagnostics, SourceFile};
use crate::model::{self, Model};
use crate::{passes, syntax};

/// Parses, lowers and runs every analysis pass, then builds every step's spec and puts it to
/// the operator's admission rules (everything but rendering). The model is returned only
/// when there are no errors (warnings may be present).
pub fn check(file: &SourceFile) -> (Option<Model>, Diagnostics) {
    let (model, mut diagnostics) = analyse(file);
    let Some(model) = model else {
        return (None, diagnostics);
    };
    diagnostics.extend(codegen::admission(&model.base, None));
    for env in &model.envs {
        diagnostics.extend(codegen::admission(env, Some(&model.base)));
    }
    if diagnostics.has_errors() {
        (None, diagnostics)
    } else {
        (Some(model), diagnostics)
    }
}

/// Parse, lowering and the analysis passes; the model only when they found no errors.
fn analyse(file: &SourceFile) -> (Option<Model>, Diagnostics) {
    let mesh = match syntax::parse(file) {
        Ok(mesh) => mesh,
        Err(diagnostics) => return (None, diagnostics),
    };
    let (model, mut diagnostics) = model::lower(&mesh);
    let Some(model) = model else {
        return (None, diagnostics);
    };
    diagnostics.extend(passes::check(&model));
    if diagnostics.has_errors() {
        (None, diagnostics)
    } else {
        (Some(model), diagnostics)
    }
}

/// Checks and generates; on success the output and the (warning-only) diagnostics. Code
/// generation applies the admission rules to every spec it builds, so they are not run
/// twice; what it reports is what `check` reports.
pub fn compile(
    file: &SourceFile,
    options: &Options,
    templates: &Templates,
) -> (Option<Output>, Diagnostics) {
    let (model, mut diagnostics) = analyse(file);
    let Some(model) = model else {
        return (None, diagnostics);
    };
    match codegen::generate(&model, &file.name, options, templates) {
        Ok(output) => (Some(output), diagnostics),
        Err(more) => {
            diagnostics.extend(more);
            (None, diagnostics)
        }
    }
}
