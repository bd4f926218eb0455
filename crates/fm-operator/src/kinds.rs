//! Function, Source and Sink behave alike for the operator; this trait is what differs.

use fm_api::spec_common::CommonSpec;
use fm_api::status::ComponentStatus;
use fm_api::{Function, Sink, Source};
use fm_desired::{ClusterConfig, DesiredError, DesiredObjects, Kind, Options};

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
}

impl ComponentKind for Function {
    const KIND: Kind = Kind::Function;
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
        fm_desired::desired_for_function(self, cluster, options)
    }
}

impl ComponentKind for Source {
    const KIND: Kind = Kind::Source;
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
        fm_desired::desired_for_source(self, cluster, options)
    }
}

impl ComponentKind for Sink {
    const KIND: Kind = Kind::Sink;
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
        fm_desired::desired_for_sink(self, cluster, options)
    }
}
