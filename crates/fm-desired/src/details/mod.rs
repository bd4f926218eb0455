//! The `--function_details` document (upstream: `controllers/spec/utils.go`,
//! `convertFunctionDetails`, `convertSourceDetails`, `convertSinkDetails`), built per kind.

pub(crate) mod function;
pub mod model;
pub(crate) mod parts;
mod sink;
mod source;

pub use model::FunctionDetails;

use crate::component::{Component, SpecRef};

/// Class the instance runs for connectors: records pass through unchanged.
pub const IDENTITY_FUNCTION: &str = "org.apache.pulsar.functions.api.utils.IdentityFunction";
pub const WINDOW_FUNCTION_EXECUTOR: &str =
    "org.apache.pulsar.functions.windowing.WindowFunctionExecutor";
pub const BATCH_SOURCE_EXECUTOR: &str =
    "org.apache.pulsar.functions.source.batch.BatchSourceExecutor";

/// Builds the function details of any component.
pub fn build(c: &Component<'_>) -> FunctionDetails {
    match c.specific {
        SpecRef::Function(spec) => function::build(c, spec),
        SpecRef::Source(spec) => source::build(c, spec),
        SpecRef::Sink(spec) => sink::build(c, spec),
    }
}
