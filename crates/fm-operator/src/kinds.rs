//! Function, Source and Sink behave alike for the operator; this trait is what differs.

use fm_api::spec_common::CommonSpec;
use fm_api::status::ComponentStatus;
use fm_api::{Function, Sink, Source};
use fm_desired::{ClusterConfig, DesiredError, DesiredObjects, Kind, Options};
use k8s_openapi::api::batch::v1::Job;

pub trait ComponentKind:
    kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
    + Clone
    + std::fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
    const KIND: Kind;
    fn common(&self) -> &CommonSpec;
    fn status(&self) -> Option<&ComponentStatus>;
    fn desired(
        &self,
        cluster: Option<&ClusterConfig>,
        options: &Options,
    ) -> Result<DesiredObjects, DesiredError>;
    /// The Job that cleans up after the resource when it is deleted; `None` when it asks for
    /// no clean-up.
    fn cleanup_job(
        &self,
        options: &Options,
        deadline: std::time::Duration,
    ) -> Result<Option<Job>, DesiredError>;
}

/// The three kinds differ only in their desired-state function.
macro_rules! component_kind {
    ($ty:ty, $kind:expr, $desired:path, $cleanup:path) => {
        impl ComponentKind for $ty {
            const KIND: Kind = $kind;
            fn common(&self) -> &CommonSpec {
                &self.spec.common
            }
            fn status(&self) -> Option<&ComponentStatus> {
                self.status.as_ref()
            }
            fn desired(
                &self,
                cluster: Option<&ClusterConfig>,
                options: &Options,
            ) -> Result<DesiredObjects, DesiredError> {
                $desired(self, cluster, options)
            }
            fn cleanup_job(
                &self,
                options: &Options,
                deadline: std::time::Duration,
            ) -> Result<Option<Job>, DesiredError> {
                $cleanup(self, options, deadline)
            }
        }
    };
}

component_kind!(
    Function,
    Kind::Function,
    fm_desired::desired_for_function,
    fm_desired::cleanup_job_for_function
);
component_kind!(
    Source,
    Kind::Source,
    fm_desired::desired_for_source,
    fm_desired::cleanup_job_for_source
);
component_kind!(
    Sink,
    Kind::Sink,
    fm_desired::desired_for_sink,
    fm_desired::cleanup_job_for_sink
);
