//! The whole compiler as two calls: check a source file, and generate output for it.

use crate::codegen::{self, Options, Output, Templates};
use crate::diag::{Diagnostics, SourceFile};
use crate::model::{self, Model};
use crate::{passes, syntax};

/// Parses, lowers and runs every analysis pass. The model is returned only when there are
/// no errors (warnings may be present).
pub fn check(file: &SourceFile) -> (Option<Model>, Diagnostics) {
    let mesh = match syntax::parse(file) {
        Ok(mesh) => mesh,
        Err(diagnostics) => return (None, diagnostics),
    };
    let (model, mut diagnostics) = model::lower(&mesh);
    let Some(model) = model else {
        return (None, diagnostics);
    };
    diagnostics.extend(passes::check(&model));
    if !diagnostics.has_errors() {
        // Everything but rendering: the specs are built and put to the operator's rules.
        diagnostics.extend(codegen::admission(&model.base, None));
        for env in &model.envs {
            diagnostics.extend(codegen::admission(env, Some(&model.base)));
        }
    }
    if diagnostics.has_errors() {
        (None, diagnostics)
    } else {
        (Some(model), diagnostics)
    }
}

/// Checks and generates; on success the output and the (warning-only) diagnostics.
pub fn compile(
    file: &SourceFile,
    options: &Options,
    templates: &Templates,
) -> (Option<Output>, Diagnostics) {
    let (model, mut diagnostics) = check(file);
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
