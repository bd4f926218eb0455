//! Function, Source and Sink as one notion: "a component". Every layer (the compiler's
//! output, the desired-state engine, the operator, the webhooks) reads a component through
//! what is defined here, so a fact about the three kinds is written once; code matches on the
//! kind only where the kinds really differ.

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::common::{InputConf, OutputConf, PodPolicy, PulsarMessaging};
use crate::consumer::ConsumerSpec;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;
use crate::{Function, FunctionSpec, Sink, SinkSpec, Source, SourceSpec};

/// Which of the three component kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Function,
    Source,
    Sink,
}

impl Kind {
    /// All three, in the order a FunctionMesh lists them (functions, sources, sinks).
    pub const ALL: [Kind; 3] = [Kind::Function, Kind::Source, Kind::Sink];

    /// The kind's position in [`Kind::ALL`].
    pub fn index(self) -> usize {
        match self {
            Kind::Function => 0,
            Kind::Source => 1,
            Kind::Sink => 2,
        }
    }

    /// The lower-case word used in object names and labels (`<name>-function`).
    pub fn word(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Source => "source",
            Kind::Sink => "sink",
        }
    }

    /// The custom resource kind.
    pub fn kind(self) -> &'static str {
        match self {
            Kind::Function => "Function",
            Kind::Source => "Source",
            Kind::Sink => "Sink",
        }
    }

    /// The resource's plural, which is also the FunctionMesh field listing items of the kind
    /// (`spec.functions`, `spec.sources`, `spec.sinks`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Function => "functions",
            Kind::Source => "sources",
            Kind::Sink => "sinks",
        }
    }

    /// Name of the main container (upstream: `controllers/spec/common.go`,
    /// `FunctionContainerName` and its Source/Sink twins).
    pub fn container_name(self) -> &'static str {
        match self {
            Kind::Function => "pulsar-function",
            Kind::Source => "pulsar-source",
            Kind::Sink => "pulsar-sink",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

/// A borrowed spec of any kind: what the builders read, with the kind-specific part at hand.
#[derive(Clone, Copy, Debug)]
pub enum SpecRef<'a> {
    Function(&'a FunctionSpec),
    Source(&'a SourceSpec),
    Sink(&'a SinkSpec),
}

impl<'a> SpecRef<'a> {
    pub fn kind(self) -> Kind {
        match self {
            SpecRef::Function(_) => Kind::Function,
            SpecRef::Source(_) => Kind::Source,
            SpecRef::Sink(_) => Kind::Sink,
        }
    }

    pub fn common(self) -> &'a CommonSpec {
        match self {
            SpecRef::Function(s) => &s.common,
            SpecRef::Source(s) => &s.common,
            SpecRef::Sink(s) => &s.common,
        }
    }

    /// The topics consumed; a Source has none.
    pub fn input(self) -> Option<&'a InputConf> {
        match self {
            SpecRef::Function(s) => s.input.as_ref(),
            SpecRef::Sink(s) => s.input.as_ref(),
            SpecRef::Source(_) => None,
        }
    }

    /// How the input is subscribed to and acknowledged; a Source consumes nothing.
    pub fn consumer(self) -> Option<&'a ConsumerSpec> {
        match self {
            SpecRef::Function(s) => Some(&s.consumer),
            SpecRef::Sink(s) => Some(&s.consumer),
            SpecRef::Source(_) => None,
        }
    }

    /// The topic published to; a Sink has none.
    pub fn output(self) -> Option<&'a OutputConf> {
        match self {
            SpecRef::Function(s) => s.output.as_ref(),
            SpecRef::Source(s) => s.output.as_ref(),
            SpecRef::Sink(_) => None,
        }
    }

    pub fn pod(self) -> Option<&'a PodPolicy> {
        self.common().pod.as_ref()
    }

    pub fn pulsar(self) -> Option<&'a PulsarMessaging> {
        self.common().pulsar.as_ref()
    }
}

/// What every layer needs from a Function, Source or Sink resource (its metadata comes from
/// [`kube::Resource`]).
pub trait Component:
    kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
{
    const KIND: Kind;
    fn spec_ref(&self) -> SpecRef<'_>;
    fn common_mut(&mut self) -> &mut CommonSpec;
    fn status(&self) -> Option<&ComponentStatus>;

    fn common(&self) -> &CommonSpec {
        self.spec_ref().common()
    }

    /// `metadata.name` (empty when unset, as a manifest being validated may have it).
    fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    /// `spec.replicas` as the user set it.
    fn replicas(&self) -> Option<i32> {
        self.common().replicas
    }
}

macro_rules! component {
    ($ty:ident) => {
        impl Component for $ty {
            const KIND: Kind = Kind::$ty;
            fn spec_ref(&self) -> SpecRef<'_> {
                SpecRef::$ty(&self.spec)
            }
            fn common_mut(&mut self) -> &mut CommonSpec {
                &mut self.spec.common
            }
            fn status(&self) -> Option<&ComponentStatus> {
                self.status.as_ref()
            }
        }
    };
}

component!(Function);
component!(Source);
component!(Sink);

/// An owned Function, Source or Sink, for lists that mix the kinds (a mesh's children).
#[derive(Clone, Debug)]
pub enum AnyComponent {
    Function(Box<Function>),
    Source(Box<Source>),
    Sink(Box<Sink>),
}

impl AnyComponent {
    pub fn kind(&self) -> Kind {
        self.spec_ref().kind()
    }

    pub fn meta(&self) -> &ObjectMeta {
        match self {
            AnyComponent::Function(c) => &c.metadata,
            AnyComponent::Source(c) => &c.metadata,
            AnyComponent::Sink(c) => &c.metadata,
        }
    }

    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    pub fn spec_ref(&self) -> SpecRef<'_> {
        match self {
            AnyComponent::Function(c) => c.spec_ref(),
            AnyComponent::Source(c) => c.spec_ref(),
            AnyComponent::Sink(c) => c.spec_ref(),
        }
    }

    pub fn common_mut(&mut self) -> &mut CommonSpec {
        match self {
            AnyComponent::Function(c) => c.common_mut(),
            AnyComponent::Source(c) => c.common_mut(),
            AnyComponent::Sink(c) => c.common_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_themselves_consistently() {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(kind.word(), kind.kind().to_lowercase());
            assert_eq!(kind.plural(), format!("{}s", kind.word()));
            assert_eq!(kind.container_name(), format!("pulsar-{}", kind.word()));
            assert_eq!(kind.to_string(), kind.kind());
        }
    }

    #[test]
    fn input_and_output_exist_only_where_the_kind_has_them() {
        let function = FunctionSpec {
            input: Some(InputConf::default()),
            output: Some(OutputConf::default()),
            ..Default::default()
        };
        let source = SourceSpec {
            output: Some(OutputConf::default()),
            ..Default::default()
        };
        let sink = SinkSpec {
            input: Some(InputConf::default()),
            ..Default::default()
        };
        for (spec, consumes, produces) in [
            (SpecRef::Function(&function), true, true),
            (SpecRef::Source(&source), false, true),
            (SpecRef::Sink(&sink), true, false),
        ] {
            assert_eq!(spec.input().is_some(), consumes, "{:?}", spec.kind());
            assert_eq!(spec.output().is_some(), produces, "{:?}", spec.kind());
        }
    }

    #[test]
    fn replicas_can_be_cleared_through_any_kind() {
        let mut child = AnyComponent::Sink(Box::new(Sink::new(
            "s",
            SinkSpec {
                common: CommonSpec {
                    replicas: Some(3),
                    ..Default::default()
                },
                ..Default::default()
            },
        )));
        assert_eq!(child.spec_ref().common().replicas, Some(3));
        child.common_mut().replicas = None;
        assert_eq!(child.spec_ref().common().replicas, None);
        assert_eq!((child.kind(), child.name()), (Kind::Sink, "s"));
    }
}
