//! What every reconcile needs: the client and the operator-wide settings.

use std::sync::Arc;

use kube::Client;

use crate::events::Events;
use crate::metrics::Metrics;
use crate::reconcile::backoff::Failures;

/// Which HorizontalPodAutoscaler API the server serves (Kubernetes < 1.23 has only v2beta2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HpaVersion {
    V2,
    V2beta2,
}

impl HpaVersion {
    /// The API group both versions belong to.
    pub const GROUP: &'static str = "autoscaling";

    /// The version within [`HpaVersion::GROUP`].
    pub fn version(self) -> &'static str {
        match self {
            HpaVersion::V2 => "v2",
            HpaVersion::V2beta2 => "v2beta2",
        }
    }

    /// `apiVersion` as objects of this version carry it.
    pub fn api_version(self) -> String {
        format!("{}/{}", HpaVersion::GROUP, self.version())
    }
}

pub struct Context {
    pub client: Client,
    pub options: fm_desired::Options,
    pub hpa: HpaVersion,
    /// Global pause of rollouts: existing StatefulSets are only changed when the resource's
    /// generation changes (the user edited it), never because the operator's output changed.
    pub pause_rollout: bool,
    pub metrics: Arc<Metrics>,
    /// Warning Events on the resources whose reconcile fails.
    pub events: Events,
    /// Failures in a row per object, for its retry backoff.
    pub failures: Failures,
    /// The BackendConfigs, as watched (none until [`crate::backend_config::Watch::start`]).
    pub backend_configs: crate::backend_config::Watch,
    /// How long a deleted resource waits for its subscription clean-up Job before its
    /// finalizer is removed anyway (`--cleanup-timeout`).
    pub cleanup_timeout: std::time::Duration,
    /// Whether the server served `autoscaling.k8s.io/v1` (the VPA) when the operator started.
    pub vpa_served: bool,
    /// The children as the watches last saw them ([`crate::controllers::run_all`] keeps them).
    pub observed: crate::observed::Observed,
    /// Status writes not yet seen back through the watch.
    pub status_memo: crate::reconcile::status::StatusMemo,
}

impl Context {
    /// A context with no failures recorded yet; `events` says how Events are written.
    pub fn new(
        client: Client,
        options: fm_desired::Options,
        hpa: HpaVersion,
        pause_rollout: bool,
        metrics: Arc<Metrics>,
        events: EventSettings,
    ) -> Self {
        Context {
            events: Events::new(client.clone(), events.instance, events.interval),
            client,
            options,
            hpa,
            pause_rollout,
            metrics,
            failures: Failures::default(),
            backend_configs: crate::backend_config::Watch::default(),
            cleanup_timeout: DEFAULT_CLEANUP_TIMEOUT,
            vpa_served: false,
            observed: Default::default(),
            status_memo: Default::default(),
        }
    }

    /// The same context, knowing whether the VPA API is served.
    pub fn with_vpa(mut self, served: bool) -> Self {
        self.vpa_served = served;
        self
    }

    /// The same context with another clean-up timeout.
    pub fn with_cleanup_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.cleanup_timeout = timeout;
        self
    }
}

/// The default of `--cleanup-timeout`: long enough for the Job's retries to ride out a short
/// Pulsar outage, short enough that a delete is not held for long when Pulsar is gone.
pub const DEFAULT_CLEANUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// How Warning Events are written.
pub struct EventSettings {
    /// This replica's name (its pod name) in the Events it writes.
    pub instance: Option<String>,
    /// The shortest time between two Events of one reason on one object.
    pub interval: std::time::Duration,
}

impl Default for EventSettings {
    fn default() -> Self {
        EventSettings {
            instance: None,
            interval: crate::events::EVENT_INTERVAL,
        }
    }
}

/// The field manager of every server-side apply we make.
pub const FIELD_MANAGER: &str = "fm-operator";

/// Annotation that makes the operator leave a resource alone.
pub const MANAGED_ANNOTATION: &str = "compute.functionmesh.io/managed";
/// Per-resource pause of rollouts (upstream's annotation).
pub const PAUSE_ANNOTATION: &str = "compute.functionmesh.io/pause-rollout";
