//! BackendConfigs in the operator: watched (no polling), looked up from the watch's cache at
//! every reconcile, a change mapped to the resources it affects, and the rule deciding whether
//! a change rolls out now or waits for each resource's next edit.
//!
//! Which BackendConfigs apply (upstream: `main.go` flags, `controllers/spec/common.go`): the
//! global one, `--global-backend-config` in `--global-backend-config-namespace` (the
//! operator's own namespace by default), to every resource; the namespaced one,
//! `--namespaced-backend-config` (default `backend-config`), to the resources of its namespace.
//!
//! When a change rolls out: the StatefulSet records the BackendConfigs it was built from
//! (`fm_desired::backend_config::APPLIED_ANNOTATION`: name, `resourceVersion`, `autoUpdate`).
//! A reconcile whose resource kept its generation leaves an existing StatefulSet as it is
//! when the BackendConfigs differ from that record and none of the differences auto-updates
//! ([`waits_for_edit`]); a change to the resource itself (a new generation) always takes the
//! current BackendConfigs. A change of a BackendConfig with `autoUpdate: true` (or the
//! deletion of one that had it) also wakes the resources it affects at once ([`Watch`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use fm_api::BackendConfig;
use fm_desired::backend_config::{Applied, AppliedConfig};
use futures::channel::mpsc;
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client, Resource, ResourceExt};
use serde_json::Value;
use tracing::{info, warn};

pub use fm_desired::backend_config::Names;

/// The resources a BackendConfig change affects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Affected {
    All,
    Namespace(String),
}

/// The BackendConfigs of the cluster, as a watch keeps them: one cache per watched scope (all
/// namespaces, or each watched namespace and the global one's).
#[derive(Clone, Default)]
pub struct Watch {
    names: Names,
    /// (namespace watched, `None` for all; its cache)
    stores: Vec<(Option<String>, Store<BackendConfig>)>,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Affected>>>>,
}

/// The BackendConfigs found for one namespace.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub global: Option<Arc<BackendConfig>>,
    pub namespaced: Option<Arc<BackendConfig>>,
}

impl Found {
    pub fn configs(&self) -> fm_desired::BackendConfigs<'_> {
        fm_desired::BackendConfigs {
            global: self.global.as_deref(),
            namespaced: self.namespaced.as_deref(),
        }
    }
}

/// The scopes to watch BackendConfigs in: everything when resources are watched in all
/// namespaces, else the watched namespaces and the global BackendConfig's.
fn scopes(names: &Names, watched: &[String]) -> Vec<Option<String>> {
    if watched.is_empty() {
        return vec![None];
    }
    let mut out: Vec<String> = watched.to_vec();
    if let Some((_, ns)) = &names.global {
        out.push(ns.clone());
    }
    out.sort();
    out.dedup();
    out.into_iter().map(Some).collect()
}

impl Watch {
    /// Starts watching; the returned future runs the watches (until the process ends).
    pub fn start(
        client: Client,
        names: Names,
        watched_namespaces: &[String],
    ) -> (
        Watch,
        impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Affected>>>> = Arc::default();
        let mut stores = Vec::new();
        let mut tasks = Vec::new();
        for scope in scopes(&names, watched_namespaces) {
            let api: Api<BackendConfig> = match &scope {
                Some(ns) => Api::namespaced(client.clone(), ns),
                None => Api::all(client.clone()),
            };
            let (reader, writer) = reflector::store();
            stores.push((scope.clone(), reader.clone()));
            tasks.push(watch_scope(
                api,
                writer,
                reader,
                names.clone(),
                subscribers.clone(),
            ));
        }
        let watch = Watch {
            names,
            stores,
            subscribers,
        };
        (watch, async move {
            futures::future::join_all(tasks).await;
        })
    }

    /// Waits until every cache holds the first complete list, so that no resource is
    /// rendered without BackendConfigs that exist.
    pub async fn ready(&self) {
        for (scope, store) in &self.stores {
            if store.wait_until_ready().await.is_err() {
                warn!(namespace = ?scope, "the BackendConfig watch stopped before its first list");
            }
        }
    }

    fn store_for(&self, namespace: &str) -> Option<&Store<BackendConfig>> {
        self.stores
            .iter()
            .find(|(scope, _)| scope.as_deref().is_none_or(|s| s == namespace))
            .map(|(_, store)| store)
    }

    fn get(&self, namespace: &str, name: &str) -> Option<Arc<BackendConfig>> {
        self.store_for(namespace)?
            .get(&ObjectRef::new(name).within(namespace))
    }

    /// The BackendConfigs that apply to a resource in `namespace`.
    pub fn lookup(&self, namespace: &str) -> Found {
        Found {
            global: self
                .names
                .global
                .as_ref()
                .and_then(|(name, ns)| self.get(ns, name)),
            namespaced: self
                .names
                .namespaced
                .as_ref()
                .and_then(|name| self.get(namespace, name)),
        }
    }

    /// The resources of `store` (a controller's cache) to reconcile at each BackendConfig
    /// change that rolls out.
    pub fn triggers<K>(&self, store: Store<K>) -> impl Stream<Item = ObjectRef<K>> + Send + 'static
    where
        K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
    {
        let (tx, rx) = mpsc::unbounded();
        if let Ok(mut subscribers) = self.subscribers.lock() {
            subscribers.push(tx);
        }
        rx.flat_map(move |affected| {
            let refs: Vec<ObjectRef<K>> = store
                .state()
                .iter()
                .filter(|o| match &affected {
                    Affected::All => true,
                    Affected::Namespace(ns) => o.namespace().as_deref() == Some(ns.as_str()),
                })
                .map(|o| ObjectRef::from_obj(o.as_ref()))
                .collect();
            futures::stream::iter(refs)
        })
    }
}

/// What matters of the BackendConfigs that apply to some resource: (namespace, name) →
/// (resourceVersion, autoUpdate).
type Snapshot = BTreeMap<(String, String), (String, bool)>;

fn snapshot(store: &Store<BackendConfig>, names: &Names) -> Snapshot {
    store
        .state()
        .iter()
        .filter_map(|c| {
            let (ns, name) = (c.namespace().unwrap_or_default(), c.name_any());
            (names.is_global(&ns, &name) || names.is_namespaced(&name)).then(|| {
                (
                    (ns, name),
                    (
                        c.resource_version().unwrap_or_default(),
                        c.spec.auto_update(),
                    ),
                )
            })
        })
        .collect()
}

/// The resources to wake for the changes between two snapshots: those of a BackendConfig
/// that now has `autoUpdate: true`, or that was deleted while it had it (upstream enqueues on
/// the event's object, which for a deletion is the last state).
fn rollouts(before: &Snapshot, after: &Snapshot, names: &Names) -> Vec<Affected> {
    let mut out = Vec::new();
    let keys: std::collections::BTreeSet<_> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (old, new) = (before.get(key), after.get(key));
        let rolls = match (old, new) {
            (Some(o), Some(n)) => o.0 != n.0 && n.1,
            (None, Some(n)) => n.1,
            (Some(o), None) => o.1,
            (None, None) => false,
        };
        if !rolls {
            continue;
        }
        let (ns, name) = key;
        if names.is_global(ns, name) {
            out.push(Affected::All);
        }
        if names.is_namespaced(name) {
            out.push(Affected::Namespace(ns.clone()));
        }
    }
    out
}

async fn watch_scope(
    api: Api<BackendConfig>,
    writer: reflector::store::Writer<BackendConfig>,
    reader: Store<BackendConfig>,
    names: Names,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Affected>>>>,
) {
    let mut last: Option<Snapshot> = None;
    let events = watcher(api, watcher::Config::default())
        .default_backoff()
        .reflect(writer);
    futures::pin_mut!(events);
    while let Some(event) = events.next().await {
        match event {
            Err(e) => warn!(error = %e, "watching BackendConfigs failed; retrying"),
            Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_) | watcher::Event::InitDone) => {
                let now = snapshot(&reader, &names);
                // The first complete list wakes nothing: every resource is reconciled at
                // start anyway.
                if let Some(before) = &last {
                    for affected in rollouts(before, &now, &names) {
                        info!(
                            ?affected,
                            "a BackendConfig with autoUpdate changed; rolling out"
                        );
                        if let Ok(mut subscribers) = subscribers.lock() {
                            subscribers.retain(|s| s.unbounded_send(affected.clone()).is_ok());
                        }
                    }
                }
                last = Some(now);
            }
            Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
        }
    }
}

/// Whether a reconcile that did not see a new generation of its resource must leave the
/// existing StatefulSet `current` as it is rather than apply `desired`: the BackendConfigs
/// differ from those `current` was built from, and no difference auto-updates. A record that
/// cannot be read (edited by hand) waits for nothing.
pub fn waits_for_edit(current: &StatefulSet, desired: &StatefulSet) -> bool {
    let (Ok(built), Ok(wanted)) = (
        Applied::of_statefulset(current),
        Applied::of_statefulset(desired),
    ) else {
        return false;
    };
    let sides = [
        (built.global.as_ref(), wanted.global.as_ref()),
        (built.namespaced.as_ref(), wanted.namespaced.as_ref()),
    ];
    let changed: Vec<_> = sides
        .into_iter()
        .filter(|(b, w)| revision(*b) != revision(*w))
        .collect();
    let rolls = |(built, wanted): &(Option<&AppliedConfig>, Option<&AppliedConfig>)| match wanted {
        Some(w) => w.auto_update,
        // Deleted: it rolls out if it auto-updated.
        None => built.is_some_and(|b| b.auto_update),
    };
    !changed.is_empty() && !changed.iter().any(rolls)
}

fn revision(config: Option<&AppliedConfig>) -> Option<(&str, &str, &str)> {
    config.map(|c| {
        (
            c.namespace.as_str(),
            c.name.as_str(),
            c.resource_version.as_str(),
        )
    })
}

/// Adds the revisions of the BackendConfigs `sts` was built from to a status patch
/// (`{"status": {...}}`): upstream's `globalBackendConfigRevision` and
/// `namespacedBackendConfigRevision`, removed when none applied (upstream kept a stale one).
pub fn record_in_status(patch: &mut Value, sts: &StatefulSet) {
    let applied = Applied::of_statefulset(sts).unwrap_or_default();
    let revision = |c: Option<AppliedConfig>| {
        c.map(|c| Value::String(c.resource_version))
            .unwrap_or(Value::Null)
    };
    if let Some(status) = patch.get_mut("status").and_then(Value::as_object_mut) {
        status.insert(
            "globalBackendConfigRevision".into(),
            revision(applied.global),
        );
        status.insert(
            "namespacedBackendConfigRevision".into(),
            revision(applied.namespaced),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fm_desired::backend_config::APPLIED_ANNOTATION;

    fn sts(applied: &Applied) -> StatefulSet {
        let mut sts = StatefulSet::default();
        if applied != &Applied::default() {
            sts.metadata.annotations = Some(
                [(
                    APPLIED_ANNOTATION.to_owned(),
                    serde_json::to_string(applied).expect("json"),
                )]
                .into(),
            );
        }
        sts
    }

    fn config(ns: &str, rv: &str, auto_update: bool) -> AppliedConfig {
        AppliedConfig {
            namespace: ns.into(),
            name: "backend-config".into(),
            resource_version: rv.into(),
            auto_update,
        }
    }

    fn namespaced(c: Option<AppliedConfig>) -> Applied {
        Applied {
            global: None,
            namespaced: c,
        }
    }

    #[test]
    fn unchanged_backend_configs_never_hold() {
        let a = namespaced(Some(config("ns", "1", false)));
        assert!(!waits_for_edit(&sts(&a), &sts(&a)));
        assert!(!waits_for_edit(
            &sts(&Applied::default()),
            &sts(&Applied::default())
        ));
    }

    #[test]
    fn a_change_without_auto_update_waits_and_with_it_rolls() {
        let built = sts(&namespaced(Some(config("ns", "1", true))));
        assert!(waits_for_edit(
            &built,
            &sts(&namespaced(Some(config("ns", "2", false))))
        ));
        assert!(!waits_for_edit(
            &built,
            &sts(&namespaced(Some(config("ns", "2", true))))
        ));
        // A new one waits unless it auto-updates.
        let bare = sts(&Applied::default());
        assert!(waits_for_edit(
            &bare,
            &sts(&namespaced(Some(config("ns", "1", false))))
        ));
        assert!(!waits_for_edit(
            &bare,
            &sts(&namespaced(Some(config("ns", "1", true))))
        ));
    }

    #[test]
    fn a_deletion_rolls_when_the_deleted_one_auto_updated() {
        let none = sts(&Applied::default());
        assert!(!waits_for_edit(
            &sts(&namespaced(Some(config("ns", "1", true)))),
            &none
        ));
        assert!(waits_for_edit(
            &sts(&namespaced(Some(config("ns", "1", false)))),
            &none
        ));
    }

    #[test]
    fn one_rolling_change_takes_the_waiting_one_along() {
        let built = sts(&Applied {
            global: Some(config("fm", "1", true)),
            namespaced: Some(config("ns", "1", false)),
        });
        let wanted = sts(&Applied {
            global: Some(config("fm", "2", true)),
            namespaced: Some(config("ns", "2", false)),
        });
        assert!(!waits_for_edit(&built, &wanted));
    }

    #[test]
    fn a_record_edited_by_hand_holds_nothing() {
        let mut current = sts(&Applied::default());
        current.metadata.annotations =
            Some([(APPLIED_ANNOTATION.to_owned(), "not json".to_owned())].into());
        assert!(!waits_for_edit(
            &current,
            &sts(&namespaced(Some(config("ns", "1", false))))
        ));
    }

    #[test]
    fn rollouts_follow_auto_update_and_scope() {
        let names = Names {
            global: Some(("global-backend-config".into(), "fm".into())),
            namespaced: Some("backend-config".into()),
        };
        let key = |ns: &str, name: &str| (ns.to_owned(), name.to_owned());
        let before: Snapshot = [
            (key("fm", "global-backend-config"), ("1".into(), true)),
            (key("a", "backend-config"), ("1".into(), false)),
            (key("b", "backend-config"), ("1".into(), true)),
        ]
        .into();
        let mut after = before.clone();
        assert!(rollouts(&before, &after, &names).is_empty());
        after.insert(key("fm", "global-backend-config"), ("2".into(), true));
        after.insert(key("a", "backend-config"), ("2".into(), false));
        after.remove(&key("b", "backend-config"));
        assert_eq!(
            rollouts(&before, &after, &names),
            vec![Affected::Namespace("b".into()), Affected::All]
        );
    }

    #[test]
    fn the_status_gets_the_revisions_or_loses_them() {
        let mut patch = serde_json::json!({"status": {"replicas": 1}});
        record_in_status(
            &mut patch,
            &sts(&Applied {
                global: Some(config("fm", "7", true)),
                namespaced: None,
            }),
        );
        assert_eq!(
            patch,
            serde_json::json!({"status": {"replicas": 1, "globalBackendConfigRevision": "7", "namespacedBackendConfigRevision": null}})
        );
    }

    #[test]
    fn scopes_add_the_global_namespace_to_watched_ones() {
        let names = Names {
            global: Some(("g".into(), "fm".into())),
            namespaced: Some("backend-config".into()),
        };
        assert_eq!(scopes(&names, &[]), vec![None]);
        assert_eq!(
            scopes(&names, &["b".into(), "a".into()]),
            vec![Some("a".into()), Some("b".into()), Some("fm".into())]
        );
    }
}
