//! The Function Mesh API, `compute.functionmesh.io/v1alpha1`, in Rust: Function, Source, Sink,
//! FunctionMesh and BackendConfig with their specs and statuses, upstream's defaulting and validation rules,
//! strict loading of manifests, and CRD generation.
//!
//! Shared by the compiler (whose output is these types) and the operator (whose input is).

pub mod backend_config;
pub mod common;
pub mod component;
pub mod consumer;
pub mod crds;
pub mod function;
pub mod load;
pub mod mesh;
pub mod relaxations;
pub mod schema;
pub mod sink;
pub mod source;
pub mod spec_common;
pub mod status;
pub mod yaml;

pub use backend_config::{BackendConfig, BackendConfigSpec};
pub use component::{AnyComponent, Component, Kind, SpecRef};
pub use consumer::ConsumerSpec;
pub use function::{Function, FunctionSpec};
pub use mesh::{FunctionMesh, FunctionMeshSpec};
pub use sink::{Sink, SinkSpec};
pub use source::{Source, SourceSpec};

/// API group of every kind here.
pub const GROUP: &str = "compute.functionmesh.io";
/// The one served version.
pub const VERSION: &str = "v1alpha1";
/// `apiVersion` as written in manifests.
pub const API_VERSION: &str = "compute.functionmesh.io/v1alpha1";
