//! The reconcilers: one for Function, Source and Sink (generic), one for FunctionMesh.

pub mod component;
pub mod mesh;
pub mod status;

use std::time::Duration;

/// Resources are re-checked this often even without events, repairing drift in objects we do
/// not watch (the HPA) and anything a missed event left behind.
pub const RESYNC: Duration = Duration::from_secs(300);

/// Backoff after a failed reconcile: bounded, so a broken API call cannot become a storm.
pub fn backoff(failures: u32) -> Duration {
    let secs = 2u64.saturating_pow(failures.min(8)).min(300);
    Duration::from_secs(secs.max(1))
}
