//! What the operator needs of a Function, Source or Sink: the resource itself
//! ([`fm_api::Component`]) and what `fm_desired` computes from it. The kinds differ nowhere
//! here; one blanket implementation serves the three.

use fm_api::Component;
use fm_desired::{BackendConfigs, ClusterConfig, DesiredError, DesiredObjects, Options};
use k8s_openapi::api::batch::v1::Job;

pub trait ComponentKind:
    Component
    + Clone
    + std::fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The desired objects, with the BackendConfigs that apply merged in.
    fn desired(
        &self,
        cluster: Option<&ClusterConfig>,
        options: &Options,
        backend: &BackendConfigs<'_>,
    ) -> Result<DesiredObjects, DesiredError> {
        fm_desired::desired_with(self, cluster, options, backend)
    }

    /// The Job that cleans up after the resource when it is deleted; `None` when it asks for
    /// no clean-up.
    fn cleanup_job(
        &self,
        options: &Options,
        deadline: std::time::Duration,
    ) -> Result<Option<Job>, DesiredError> {
        fm_desired::cleanup_job(self, options, deadline)
    }
}

impl<K> ComponentKind for K where
    K: Component
        + Clone
        + std::fmt::Debug
        + serde::Serialize
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static
{
}
