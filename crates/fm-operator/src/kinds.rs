//! Function, Source and Sink behave alike for the operator: what they share comes from
//! [`fm_api::Component`]; this trait adds the one thing that differs, their desired-state
//! function.

use fm_api::{Component, Function, Sink, Source};
use fm_desired::{BackendConfigs, ClusterConfig, DesiredError, DesiredObjects, Options};

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
    ) -> Result<DesiredObjects, DesiredError>;
}

macro_rules! component_kind {
    ($ty:ty, $desired:path) => {
        impl ComponentKind for $ty {
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

component_kind!(Function, fm_desired::desired_for_function_with);
component_kind!(Source, fm_desired::desired_for_source_with);
component_kind!(Sink, fm_desired::desired_for_sink_with);
