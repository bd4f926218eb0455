//! The Job that removes a deleted resource's subscription from Pulsar (upstream:
//! `MakeFunctionCleanUpJob` in `controllers/spec/function.go`, its twins in `source.go` and
//! `sink.go`; `makeCleanUpJob` and `getCleanUpCommand` in `controllers/spec/common.go`).
//!
//! A Function or Sink with `cleanupSubscription: true` unsubscribes its input subscription;
//! a batch Source (`batchSourceConfig`) unsubscribes its executor from its intermediate topic
//! and deletes that topic. The Job runs the main container's image (or `cleanupImage`) with
//! its environment and mounts, authenticated as `cleanupAuthConfig` when given, else as the
//! resource itself. Unlike upstream's Job, which is created with the resource and idles until
//! the operator signals it through `pods/exec`, this one is created only when the resource is
//! deleted and starts removing at once (see `crates/fm-desired/README.md`).

use std::borrow::Cow;
use std::time::Duration;

use fm_api::spec_common::CommonSpec;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::command::auth::Mounts;
use crate::component::{Component, SpecRef};
use crate::details::parts::input_specs;
use crate::download::{admin_invocation, uses_pulsarctl};
use crate::naming::{workload_name, Kind};
use crate::quoting::Word;
use crate::violation::Violation;

/// The finalizer that holds a resource until its clean-up Job has run (upstream's name).
pub const FINALIZER: &str = "cleanup.subscription.finalizer";
/// Name of the Job's container (upstream's `CleanupContainerName`).
pub const CONTAINER: &str = "cleanup";
/// `"false"` turns clean-up off for one resource (upstream's `AnnotationNeedCleanup`).
pub const NEED_CLEANUP_ANNOTATION: &str = "compute.functionmesh.io/need-cleanup";
/// Labels of resources that function-mesh-worker-service manages: it cleans up itself.
const WORKER_SERVICE_LABELS: [&str; 2] =
    ["compute.functionmesh.io/pulsar-cluster", "pulsar-cluster"];

/// `<name>-<kind>-cleanup`.
pub fn job_name(name: &str, kind: Kind) -> String {
    format!("{}-cleanup", workload_name(name, kind))
}

/// Whether the resource asks for clean-up on delete (upstream: `NeedCleanup` in
/// `controllers/spec/common.go`, then `cleanupSubscription` for Functions and Sinks and
/// `batchSourceConfig` for Sources in `controllers/{function,sink,source}.go`).
pub fn wanted(meta: &ObjectMeta, specific: SpecRef<'_>) -> bool {
    let labels = meta.labels.as_ref();
    if WORKER_SERVICE_LABELS
        .iter()
        .any(|l| labels.is_some_and(|m| m.contains_key(*l)))
    {
        return false;
    }
    let annotation = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(NEED_CLEANUP_ANNOTATION));
    if annotation.map(String::as_str) == Some("false") {
        return false;
    }
    if let SpecRef::Source(s) = specific {
        return s.batch_source_config.is_some();
    }
    specific.consumer().and_then(|c| c.cleanup_subscription) == Some(true)
}

/// The spec with `pulsar.cleanupAuthConfig`, when set, in place of `pulsar.authConfig`.
pub fn with_cleanup_auth(common: &CommonSpec) -> Cow<'_, CommonSpec> {
    match common
        .pulsar
        .as_ref()
        .and_then(|p| p.cleanup_auth_config.as_ref())
    {
        Some(auth) => {
            let mut common = common.clone();
            if let Some(pulsar) = common.pulsar.as_mut() {
                pulsar.auth_config = Some(auth.clone());
            }
            Cow::Owned(common)
        }
        None => Cow::Borrowed(common),
    }
}

/// One thing the Job removes from Pulsar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Unsubscribe `subscription` from every topic of `namespace` (`tenant/namespace`): what
    /// a topic pattern subscribed to.
    Namespace {
        namespace: String,
        subscription: String,
    },
    /// Unsubscribe `subscription` from `topic`.
    Topic { topic: String, subscription: String },
    /// Delete `topic` (a batch source's intermediate topic).
    DeleteTopic { topic: String },
}

/// `tenant/namespace` of a topic name or pattern (`persistent://t/n/x`, `t/n/x`, or a short
/// name in `public/default`, as Pulsar reads them).
fn topic_namespace(topic: &str) -> Result<String, Violation> {
    let path = topic
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(topic);
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [_] => Ok("public/default".to_owned()),
        [tenant, namespace, _, ..] if !tenant.is_empty() && !namespace.is_empty() => {
            Ok(format!("{tenant}/{namespace}"))
        }
        _ => Err(Violation::new(
            "input",
            format!("`{topic}` is not a topic name Pulsar accepts (tenant/namespace/topic); the subscription cannot be cleaned up"),
        )),
    }
}

/// What the Job removes, in a fixed order. A Function or Sink subscribed through topic
/// patterns is unsubscribed in each pattern's namespace (upstream's `namespaces unsubscribe`),
/// and from every listed topic outside those namespaces (upstream skipped those).
pub fn removals(c: &Component<'_>) -> Result<Vec<Removal>, Violation> {
    let Some(consumer) = c.specific.consumer() else {
        // A Source: its batch intermediate topic (`computeBatchSourceIntermediateTopicName` and
        // `computeBatchSourceInstanceSubscriptionName` in `controllers/spec/source.go`).
        let (tenant, namespace, name) = (c.tenant(), c.pulsar_namespace(), c.pulsar_name());
        let topic = format!("persistent://{tenant}/{namespace}/{name}-intermediate");
        return Ok(vec![
            Removal::Topic {
                topic: topic.clone(),
                subscription: format!("BatchSourceExecutor-{tenant}/{namespace}/{name}"),
            },
            Removal::DeleteTopic { topic },
        ]);
    };
    let (input, subscription) = (c.specific.input(), consumer.subscription_name.as_deref());
    // `getSubscriptionNameOrDefault` in `controllers/spec/common.go`.
    let subscription = subscription
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "{}/{}/{}",
                c.tenant(),
                c.pulsar_namespace(),
                c.pulsar_name()
            )
        });
    let specs = input_specs(input);
    let mut namespaces = Vec::new();
    for (pattern, _) in specs.iter().filter(|(_, s)| s.is_regex_pattern) {
        let namespace = topic_namespace(pattern)?;
        if !namespaces.contains(&namespace) {
            namespaces.push(namespace);
        }
    }
    let mut out: Vec<Removal> = namespaces
        .iter()
        .map(|namespace| Removal::Namespace {
            namespace: namespace.clone(),
            subscription: subscription.clone(),
        })
        .collect();
    for (topic, _) in specs.iter().filter(|(_, s)| !s.is_regex_pattern) {
        if !namespaces.contains(&topic_namespace(topic)?) {
            out.push(Removal::Topic {
                topic: topic.clone(),
                subscription: subscription.clone(),
            });
        }
    }
    Ok(out)
}

/// The admin tool's subcommand for one removal: pulsarctl's spelling or pulsar-admin's.
fn subcommand(removal: &Removal, pulsarctl: bool) -> Vec<Word> {
    let w = |words: &[&str]| words.iter().map(|s| Word::lit(*s)).collect::<Vec<_>>();
    match (removal, pulsarctl) {
        (
            Removal::Namespace {
                namespace,
                subscription,
            },
            true,
        ) => w(&["namespaces", "unsubscribe", namespace, subscription]),
        (
            Removal::Namespace {
                namespace,
                subscription,
            },
            false,
        ) => w(&["namespaces", "unsubscribe", "-s", subscription, namespace]),
        (
            Removal::Topic {
                topic,
                subscription,
            },
            true,
        ) => w(&["subscriptions", "delete", topic, subscription]),
        (
            Removal::Topic {
                topic,
                subscription,
            },
            false,
        ) => w(&["topics", "unsubscribe", "-s", subscription, topic]),
        (Removal::DeleteTopic { topic }, _) => w(&["topics", "delete", "-f", topic]),
    }
}

/// The container command: every removal in order, stopping at the first that fails (the
/// Job then retries the whole script, which is why each removal is a whole admin call).
pub fn command(c: &Component<'_>, image: &str, removals: &[Removal]) -> Vec<String> {
    let pulsarctl = uses_pulsarctl(c, image);
    let home = pulsarctl.then_some(crate::download::MAIN_CONTAINER_HOME);
    let admin = admin_invocation(c.pulsar(), Mounts::MAIN, pulsarctl, home);
    let script = removals
        .iter()
        .map(|r| admin.run(subcommand(r, pulsarctl)))
        .collect::<Vec<_>>()
        .join(" && ");
    vec!["sh".to_owned(), "-c".to_owned(), script]
}

/// The Job: the resource's pod (its image, environment, mounts, security and scheduling) with
/// only the clean-up container, restarted on failure and stopped after `deadline`. Its pods
/// carry the resource's labels except `app.kubernetes.io/name` and `instance`, which name the
/// Job: the resource's Service, selector and anti-affinity must not count them.
pub fn job(
    c: &Component<'_>,
    statefulset: &StatefulSet,
    metadata: ObjectMeta,
    removals: &[Removal],
    deadline: Duration,
) -> Result<Job, Violation> {
    let template = statefulset
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let mut pod = template.spec.unwrap_or_default();
    let mut container = pod
        .containers
        .iter()
        .find(|x| x.name == c.kind.container_name())
        .cloned()
        .ok_or_else(|| {
            // Cannot happen: the StatefulSet was built from this resource just before.
            Violation::new("spec", "the StatefulSet has no main container")
        })?;
    container.name = CONTAINER.to_owned();
    container.liveness_probe = None;
    container.startup_probe = None;
    container.ports = None;
    if let Some(image) = c.common.cleanup_image.as_deref().filter(|i| !i.is_empty()) {
        container.image = Some(image.to_owned());
    }
    let image = container.image.clone().unwrap_or_default();
    container.command = Some(command(c, &image, removals));
    pod.containers = vec![container];
    // The user's init containers and sidecars belong to the instance; a sidecar would also
    // keep the Job's pod from ever completing.
    pod.init_containers = None;
    pod.restart_policy = Some("OnFailure".to_owned());
    let name = metadata.name.clone().unwrap_or_default();
    let mut labels = metadata.labels.clone().unwrap_or_default();
    labels.insert("app.kubernetes.io/name".to_owned(), name.clone());
    labels.insert("app.kubernetes.io/instance".to_owned(), name);
    labels.remove("owner");
    // The pod's annotations, less the scrape hints: the Job serves no metrics.
    let annotations = template
        .metadata
        .and_then(|m| m.annotations)
        .map(|mut a| {
            a.retain(|k, _| !k.starts_with("prometheus.io/"));
            a
        })
        .filter(|a| !a.is_empty());
    Ok(Job {
        metadata,
        spec: Some(JobSpec {
            active_deadline_seconds: Some(i64::try_from(deadline.as_secs()).unwrap_or(i64::MAX)),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations,
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_namespaces() {
        assert_eq!(topic_namespace("persistent://t/n/x").as_deref(), Ok("t/n"));
        assert_eq!(topic_namespace("t/n/x-.*").as_deref(), Ok("t/n"));
        assert_eq!(topic_namespace("short").as_deref(), Ok("public/default"));
        assert!(topic_namespace("a/b").is_err());
        assert!(topic_namespace("persistent:///n/x").is_err());
    }
}
