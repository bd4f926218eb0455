//! The reconcilers: one for Function, Source and Sink (generic), one for FunctionMesh.

pub mod backoff;
pub mod cleanup;
pub mod component;
pub mod mesh;
pub mod pending;
pub mod plan;
pub mod status;
pub mod vpa;

use std::time::Duration;

/// Resources are re-checked this often even without events, repairing drift in objects we do
/// not watch (the HPA) and anything a missed event left behind.
pub const RESYNC: Duration = Duration::from_secs(300);
