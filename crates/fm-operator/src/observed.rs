//! What the operator knows of its children without asking the API server: one watch per child
//! kind (not one per owning controller), each kept in a slim cache and each waking the owner of
//! what changed. The reconcilers plan from these caches ([`crate::reconcile::plan`]), so a
//! reconcile that finds everything as desired makes no request at all.
//!
//! The caches keep only what a plan or a status reads: metadata with `managedFields` reduced to
//! who wrote and when ([`slim_managed_fields`]), without the `last-applied-configuration` copy
//! of the object; a StatefulSet without its pod template; a Function, Source or Sink as a child
//! of a mesh only as its metadata and readiness. At a thousand resources the full objects were
//! most of the operator's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use fm_api::status::ComponentStatus;
use fm_api::{Function, FunctionMesh, Kind, Sink, Source};
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use tracing::warn;

use crate::reconcile::plan::slim_managed_fields;

/// The annotation `kubectl apply` (client-side) leaves: a whole copy of the object, which
/// nothing in the operator reads.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Metadata as the caches keep it.
pub fn slim_meta(meta: &mut ObjectMeta) {
    slim_managed_fields(meta);
    if let Some(annotations) = meta.annotations.as_mut() {
        annotations.remove(LAST_APPLIED);
    }
}

/// A StatefulSet as the cache keeps it: metadata, replicas and status; no pod template and no
/// claim templates (a paused rollout, which compares templates, reads the object itself).
pub fn slim_statefulset(mut sts: StatefulSet) -> StatefulSet {
    slim_meta(&mut sts.metadata);
    if let Some(spec) = sts.spec.as_mut() {
        spec.template = Default::default();
        spec.volume_claim_templates = None;
    }
    sts
}

/// A Function, Source or Sink as its mesh sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeenChild {
    pub meta: ObjectMeta,
    /// Its StatefulSet is ready, as its own status says.
    pub ready: bool,
}

impl SeenChild {
    pub fn of(meta: &ObjectMeta, status: Option<&ComponentStatus>) -> SeenChild {
        let mut meta = meta.clone();
        slim_meta(&mut meta);
        SeenChild {
            meta,
            ready: SeenChild::is_ready(status),
        }
    }

    /// Whether a component with `status` is ready: its StatefulSet condition says so.
    pub fn is_ready(status: Option<&ComponentStatus>) -> bool {
        status
            .and_then(|s| s.conditions.get("StatefulSet"))
            .and_then(|c| c.status.as_deref())
            == Some("True")
    }
}

/// The child kinds as [`OwnWrites`] and the [`Keeper`]s name them.
pub const STATEFULSET: &str = <StatefulSet as k8s_openapi::Resource>::KIND;
pub const SERVICE: &str = <k8s_openapi::api::core::v1::Service as k8s_openapi::Resource>::KIND;
pub const HPA: &str = "HorizontalPodAutoscaler";
pub const JOB: &str = <k8s_openapi::api::batch::v1::Job as k8s_openapi::Resource>::KIND;

/// `(namespace, name)`.
type Key = (String, String);

/// Objects of one kind by namespace and name, as a watch last reported them.
pub struct Cache<T> {
    entries: RwLock<HashMap<Key, Arc<T>>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            entries: RwLock::new(HashMap::new()),
        }
    }
}

impl<T> Cache<T> {
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<T>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&(namespace.to_owned(), name.to_owned()))
            .cloned()
    }

    /// Records `value` (also how tests fill a cache).
    pub fn insert(&self, namespace: &str, name: &str, value: T) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert((namespace.to_owned(), name.to_owned()), Arc::new(value));
    }

    pub fn remove(&self, namespace: &str, name: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.remove(&(namespace.to_owned(), name.to_owned()));
    }

    /// The entries of `namespace` that `filter` keeps, with their names.
    pub fn select(&self, namespace: &str, filter: impl Fn(&T) -> bool) -> Vec<(String, Arc<T>)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .filter(|((ns, _), value)| ns == namespace && filter(value))
            .map(|((_, name), value)| (name.clone(), value.clone()))
            .collect()
    }

    /// After a watch of `scope` (a namespace, or all) listed everything anew: its entries are
    /// exactly `listed`.
    fn replace(&self, scope: Option<&str>, listed: HashMap<Key, Arc<T>>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(ns, _), _| scope.is_some_and(|s| s != ns));
        entries.extend(listed);
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every cache the reconcilers read.
#[derive(Default)]
pub struct Observed {
    pub statefulsets: Arc<Cache<StatefulSet>>,
    pub services: Arc<Cache<ObjectMeta>>,
    pub hpas: Arc<Cache<ObjectMeta>>,
    pub functions: Arc<Cache<SeenChild>>,
    pub sources: Arc<Cache<SeenChild>>,
    pub sinks: Arc<Cache<SeenChild>>,
    pub own_writes: Arc<OwnWrites>,
}

/// The versions of children the reconcilers wrote themselves. The watch event of such a write
/// (its echo) tells the owner nothing its reconcile did not already read in the write's
/// response, so it updates the cache but does not wake the owner: without this, every
/// Function that creates its StatefulSet and Service is reconciled again for each.
/// Only an event carrying exactly the version a write returned is an echo; any other change
/// (another writer, the StatefulSet controller's status, a deletion) wakes the owner.
#[derive(Default)]
pub struct OwnWrites {
    /// The `resourceVersion` the last write of each object returned.
    written: Mutex<HashMap<WriteSlot, String>>,
}

/// `(kind, namespace, name)`.
type WriteSlot = (&'static str, String, String);

fn slot(kind: &'static str, meta: &ObjectMeta) -> WriteSlot {
    let (namespace, name) = key(meta);
    (kind, namespace, name)
}

impl OwnWrites {
    /// Records that a reconcile wrote `meta` (as the API server returned it) of `kind`.
    pub fn wrote(&self, kind: &'static str, meta: &ObjectMeta) {
        let Some(version) = meta.resource_version.clone() else {
            return;
        };
        self.records().insert(slot(kind, meta), version);
    }

    /// Whether the watch event of `meta` is the echo of a recorded write; an echo is
    /// forgotten once seen. An earlier version (an event still on its way from before the
    /// write) is not an echo, and the record stays for the write's own event.
    fn is_echo(&self, kind: &'static str, meta: &ObjectMeta) -> bool {
        let Some(version) = meta.resource_version.as_ref() else {
            return false;
        };
        let mut records = self.records();
        let slot = slot(kind, meta);
        let echo = records.get(&slot) == Some(version);
        if echo {
            records.remove(&slot);
        }
        echo
    }

    fn forget(&self, kind: &'static str, meta: &ObjectMeta) {
        self.records().remove(&slot(kind, meta));
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<WriteSlot, String>> {
        self.written.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn len(&self) -> usize {
        self.records().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Observed {
    /// The cache of mesh children of `kind`.
    pub fn children(&self, kind: Kind) -> &Arc<Cache<SeenChild>> {
        match kind {
            Kind::Function => &self.functions,
            Kind::Source => &self.sources,
            Kind::Sink => &self.sinks,
        }
    }
}

/// The channels that wake the controllers of one scope: a change to an object wakes the
/// resource that controls it.
#[derive(Clone)]
pub struct Wakers {
    function: UnboundedSender<ObjectRef<Function>>,
    source: UnboundedSender<ObjectRef<Source>>,
    sink: UnboundedSender<ObjectRef<Sink>>,
    mesh: UnboundedSender<ObjectRef<FunctionMesh>>,
}

/// The receiving ends of [`Wakers`], one per controller.
pub struct Woken {
    pub function: UnboundedReceiver<ObjectRef<Function>>,
    pub source: UnboundedReceiver<ObjectRef<Source>>,
    pub sink: UnboundedReceiver<ObjectRef<Sink>>,
    pub mesh: UnboundedReceiver<ObjectRef<FunctionMesh>>,
}

pub fn wakers() -> (Wakers, Woken) {
    let (function, function_rx) = unbounded();
    let (source, source_rx) = unbounded();
    let (sink, sink_rx) = unbounded();
    let (mesh, mesh_rx) = unbounded();
    (
        Wakers {
            function,
            source,
            sink,
            mesh,
        },
        Woken {
            function: function_rx,
            source: source_rx,
            sink: sink_rx,
            mesh: mesh_rx,
        },
    )
}

impl Wakers {
    /// Wakes the Function, Source, Sink or FunctionMesh that controls the object of `meta`.
    pub fn wake_owner(&self, meta: &ObjectMeta) {
        let Some(owner) = meta
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))
        else {
            return;
        };
        if !owner
            .api_version
            .starts_with(&format!("{}/", fm_api::GROUP))
        {
            return;
        }
        let namespace = meta.namespace.clone().unwrap_or_default();
        let name = owner.name.as_str();
        // A closed channel means that controller has shut down: nothing to wake.
        match owner.kind.as_str() {
            "Function" => drop(
                self.function
                    .unbounded_send(ObjectRef::new(name).within(&namespace)),
            ),
            "Source" => drop(
                self.source
                    .unbounded_send(ObjectRef::new(name).within(&namespace)),
            ),
            "Sink" => drop(
                self.sink
                    .unbounded_send(ObjectRef::new(name).within(&namespace)),
            ),
            "FunctionMesh" => drop(
                self.mesh
                    .unbounded_send(ObjectRef::new(name).within(&namespace)),
            ),
            _ => {}
        }
    }
}

/// Keeps a cache as the watch of one scope (a namespace, or all) reports, slimming each object,
/// and wakes the owner of every object that changes, unless the change is the echo of the
/// owner's own write ([`OwnWrites`]).
pub struct Keeper<K, T> {
    scope: Option<String>,
    /// The kind watched, as [`OwnWrites`] records it.
    kind: &'static str,
    cache: Arc<Cache<T>>,
    own_writes: Arc<OwnWrites>,
    slim: fn(&K) -> (ObjectMeta, T),
    wakers: Wakers,
    /// Signalled after the first full list, so controllers start on a complete cache.
    synced: Option<tokio::sync::oneshot::Sender<()>>,
    /// What a relist has listed so far.
    listing: HashMap<Key, Arc<T>>,
}

impl<K, T> Keeper<K, T> {
    pub fn new(
        scope: Option<String>,
        (kind, cache): (&'static str, Arc<Cache<T>>),
        own_writes: Arc<OwnWrites>,
        slim: fn(&K) -> (ObjectMeta, T),
        wakers: Wakers,
        synced: tokio::sync::oneshot::Sender<()>,
    ) -> Self {
        Keeper {
            scope,
            kind,
            cache,
            own_writes,
            slim,
            wakers,
            synced: Some(synced),
            listing: HashMap::new(),
        }
    }

    pub fn observe(&mut self, event: &watcher::Event<K>) {
        match event {
            watcher::Event::Init => self.listing.clear(),
            watcher::Event::InitApply(object) => {
                let (meta, value) = (self.slim)(object);
                self.wakers.wake_owner(&meta);
                self.listing.insert(key(&meta), Arc::new(value));
            }
            watcher::Event::InitDone => {
                self.cache
                    .replace(self.scope.as_deref(), std::mem::take(&mut self.listing));
                if let Some(tx) = self.synced.take() {
                    let _ = tx.send(());
                }
            }
            watcher::Event::Apply(object) => {
                let (meta, value) = (self.slim)(object);
                let (namespace, name) = key(&meta);
                self.cache.insert(&namespace, &name, value);
                if !self.own_writes.is_echo(self.kind, &meta) {
                    self.wakers.wake_owner(&meta);
                }
            }
            watcher::Event::Delete(object) => {
                let (meta, _) = (self.slim)(object);
                let (namespace, name) = key(&meta);
                self.cache.remove(&namespace, &name);
                self.own_writes.forget(self.kind, &meta);
                self.wakers.wake_owner(&meta);
            }
        }
    }

    /// Follows `events` until the watch ends.
    pub async fn follow(
        mut self,
        events: impl Stream<Item = Result<watcher::Event<K>, watcher::Error>>,
    ) {
        let mut events = std::pin::pin!(events);
        while let Some(event) = events.next().await {
            match event {
                Ok(event) => self.observe(&event),
                // The watcher retries with backoff itself; the cache keeps its last view.
                Err(e) => warn!(error = %e, "watch failed; retrying"),
            }
        }
    }
}

fn key(meta: &ObjectMeta) -> Key {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    fn meta(namespace: &str, name: &str, owner: Option<(&str, &str)>) -> ObjectMeta {
        ObjectMeta {
            namespace: Some(namespace.into()),
            name: Some(name.into()),
            owner_references: owner.map(|(kind, name)| {
                vec![OwnerReference {
                    api_version: format!("{}/v1alpha1", fm_api::GROUP),
                    kind: kind.into(),
                    name: name.into(),
                    uid: "u".into(),
                    controller: Some(true),
                    block_owner_deletion: None,
                }]
            }),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn the_cache_follows_the_watch_and_wakes_owners() {
        let cache: Arc<Cache<ObjectMeta>> = Arc::default();
        cache.insert("other", "kept", ObjectMeta::default());
        cache.insert("ns", "gone", ObjectMeta::default());
        let (wakers, mut woken) = wakers();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let events = futures::stream::iter(vec![
            Ok(watcher::Event::Init),
            Ok(watcher::Event::InitApply(meta(
                "ns",
                "a-function",
                Some(("Function", "a")),
            ))),
            Ok(watcher::Event::InitDone),
            Ok(watcher::Event::Apply(meta(
                "ns",
                "m-b",
                Some(("FunctionMesh", "m")),
            ))),
            Ok(watcher::Event::Delete(meta(
                "ns",
                "a-function",
                Some(("Function", "a")),
            ))),
            Ok(watcher::Event::Apply(meta("ns", "foreign", None))),
        ]);
        Keeper::new(
            Some("ns".into()),
            ("ConfigMap", cache.clone()),
            Arc::default(),
            |m: &ObjectMeta| (m.clone(), m.clone()),
            wakers,
            tx,
        )
        .follow(events)
        .await;
        rx.await.expect("synced after the first list");
        // The relist of "ns" dropped "gone"; another namespace's entry stays.
        assert!(cache.get("ns", "gone").is_none());
        assert!(cache.get("other", "kept").is_some());
        assert!(cache.get("ns", "a-function").is_none(), "deleted");
        assert!(cache.get("ns", "m-b").is_some());
        assert!(cache.get("ns", "foreign").is_some());
        let functions: Vec<_> = woken.function.by_ref().collect().await;
        assert_eq!(functions, vec![ObjectRef::new("a").within("ns"); 2]);
        let meshes: Vec<_> = woken.mesh.by_ref().collect().await;
        assert_eq!(meshes, vec![ObjectRef::new("m").within("ns")]);
    }

    fn at_version(mut meta: ObjectMeta, version: &str) -> ObjectMeta {
        meta.resource_version = Some(version.into());
        meta
    }

    #[tokio::test]
    async fn the_echo_of_an_own_write_does_not_wake_the_owner_but_any_other_change_does() {
        let cache: Arc<Cache<ObjectMeta>> = Arc::default();
        let own_writes: Arc<OwnWrites> = Arc::default();
        let (wakers, mut woken) = wakers();
        let (tx, _rx) = tokio::sync::oneshot::channel();
        let mut keeper = Keeper::new(
            Some("ns".into()),
            (STATEFULSET, cache.clone()),
            own_writes.clone(),
            |m: &ObjectMeta| (m.clone(), m.clone()),
            wakers,
            tx,
        );
        let sts = meta("ns", "a-function", Some(("Function", "a")));
        let mut wakes = || {
            let mut n = 0;
            while woken.function.try_recv().is_ok() {
                n += 1;
            }
            n
        };

        // The reconcile wrote version 7; an event from before the write (6) still wakes it,
        // the write's own event (7) does not, and is cached all the same.
        own_writes.wrote(STATEFULSET, &at_version(sts.clone(), "7"));
        keeper.observe(&watcher::Event::Apply(at_version(sts.clone(), "6")));
        assert_eq!(wakes(), 1, "an earlier version is news");
        keeper.observe(&watcher::Event::Apply(at_version(sts.clone(), "7")));
        assert_eq!(wakes(), 0, "the echo of the write");
        let cached = cache.get("ns", "a-function").expect("cached");
        assert_eq!(cached.resource_version.as_deref(), Some("7"));
        assert!(own_writes.is_empty(), "an echo is forgotten once seen");

        // Someone else's change, the same name in another kind, and a deletion all wake.
        keeper.observe(&watcher::Event::Apply(at_version(sts.clone(), "8")));
        assert_eq!(wakes(), 1, "another writer");
        own_writes.wrote(SERVICE, &at_version(sts.clone(), "9"));
        keeper.observe(&watcher::Event::Apply(at_version(sts.clone(), "9")));
        assert_eq!(
            wakes(),
            1,
            "a Service's write is not the StatefulSet's echo"
        );
        own_writes.wrote(STATEFULSET, &at_version(sts.clone(), "10"));
        keeper.observe(&watcher::Event::Delete(at_version(sts.clone(), "10")));
        assert_eq!(wakes(), 1, "a deletion");
        own_writes.wrote(SERVICE, &at_version(sts.clone(), "10"));
        assert_eq!(own_writes.len(), 1, "only the Service's record is left");
    }

    #[test]
    fn slimming_drops_the_template_and_the_last_applied_copy() {
        let mut sts = StatefulSet::default();
        sts.metadata.annotations = Some(
            [
                (LAST_APPLIED.to_owned(), "{…}".to_owned()),
                ("kept".to_owned(), "yes".to_owned()),
            ]
            .into(),
        );
        sts.spec = Some(k8s_openapi::api::apps::v1::StatefulSetSpec {
            replicas: Some(3),
            template: k8s_openapi::api::core::v1::PodTemplateSpec {
                spec: Some(Default::default()),
                ..Default::default()
            },
            ..Default::default()
        });
        let slim = slim_statefulset(sts);
        let spec = slim.spec.expect("spec");
        assert_eq!(spec.replicas, Some(3));
        assert!(spec.template.spec.is_none());
        let annotations = slim.metadata.annotations.expect("annotations");
        assert_eq!(annotations.keys().collect::<Vec<_>>(), vec!["kept"]);
    }
}
