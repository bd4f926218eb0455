//! Function, Source and Sink behave alike for the operator; this trait is what differs.

use fm_api::spec_common::CommonSpec;
use fm_api::status::ComponentStatus;
use fm_api::{Function, Sink, Source};
use fm_desired::{BackendConfigs, ClusterConfig, DesiredError, DesiredObjects, Kind, Options};

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
    /// The desired objects, with the BackendConfigs that apply merged in.
    fn desired(
        &self,
        cluster: Option<&ClusterConfig>,
        options: &Options,
        backend: &BackendConfigs<'_>,
    ) -> Result<DesiredObjects, DesiredError>;
}

/// The three kinds differ only in their desired-state function.
macro_rules! component_kind {
    ($ty:ty, $kind:expr, $desired:path) => {
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
                backend: &BackendConfigs<'_>,
            ) -> Result<DesiredObjects, DesiredError> {
                $desired(self, cluster, options, backend)
            }
        }
    };
}

component_kind!(
    Function,
    Kind::Function,
    fm_desired::desired_for_function_with
);
component_kind!(Source, Kind::Source, fm_desired::desired_for_source_with);
component_kind!(Sink, Kind::Sink, fm_desired::desired_for_sink_with);
