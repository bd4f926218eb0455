//! Function, Source and Sink behave alike for the operator: what they share comes from
//! [`fm_api::Component`]; this trait adds the one thing that differs, their desired-state
//! function.

use fm_api::{Component, Function, Sink, Source};
use fm_desired::{ClusterConfig, DesiredError, DesiredObjects, Options};

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
    fn desired(
        &self,
        cluster: Option<&ClusterConfig>,
        options: &Options,
    ) -> Result<DesiredObjects, DesiredError>;
}

macro_rules! component_kind {
    ($ty:ty, $desired:path) => {
        impl ComponentKind for $ty {
            fn desired(
                &self,
                cluster: Option<&ClusterConfig>,
                options: &Options,
            ) -> Result<DesiredObjects, DesiredError> {
                $desired(self, cluster, options)
            }
        }
    };
}

component_kind!(Function, fm_desired::desired_for_function);
component_kind!(Source, fm_desired::desired_for_source);
component_kind!(Sink, fm_desired::desired_for_sink);
