//! Wiring: one controller per kind, each watching its resource; one watch per child kind
//! (observed.rs) wakes the controller of whatever child changed, so a deleted or edited child
//! is repaired at once.

use std::sync::Arc;

use fm_api::{Function, FunctionMesh, Kind, Sink, Source};
use futures::channel::mpsc::UnboundedReceiver;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{predicates, reflector, watcher, Predicate, WatchStreamExt};
use kube::{Api, Resource};
use tokio::sync::oneshot;

use crate::context::Context;
use crate::error::Error;
use crate::kinds::ComponentKind;
use crate::observed::{
    self, slim_meta, Cache, Keeper, SeenChild, Wakers, HPA, JOB, SERVICE, STATEFULSET,
};
use crate::reconcile;

fn api<K>(ctx: &Context, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as kube::Resource>::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(ctx.client.clone(), ns),
        None => Api::all(ctx.client.clone()),
    }
}

/// The autoscalers' metadata (all the cache keeps), in `namespace` or everywhere.
fn hpa_metadata(
    ctx: &Context,
    namespace: Option<&str>,
) -> Api<PartialObjectMeta<kube::api::DynamicObject>> {
    let resource = crate::apply::hpa_resource(ctx.hpa);
    match namespace {
        Some(ns) => Api::namespaced_with(ctx.client.clone(), ns, &resource),
        None => Api::all_with(ctx.client.clone(), &resource),
    }
}

/// Retry after errors with a wait that grows per object (no retry storm); the failure itself
/// was already reported on the resource by the reconciler.
fn component_error_policy<K: ComponentKind>(
    resource: Arc<K>,
    _: &Error,
    ctx: Arc<Context>,
) -> Action {
    reconcile::component::retry_after(resource.as_ref(), &ctx)
}

fn mesh_error_policy(mesh: Arc<FunctionMesh>, _: &Error, ctx: Arc<Context>) -> Action {
    reconcile::mesh::retry_after(mesh.as_ref(), &ctx)
}

/// A controller whose primary resource wakes it only when its generation (the spec), its
/// annotations (`managed`, `pause-rollout`) or its labels change: the status the reconciler
/// writes changes none of them, so it does not wake the reconciler that wrote it. Every event,
/// status changes included, is first shown to `keeper` (a component as its mesh sees it).
fn controller_for<K, T>(api: Api<K>, mut keeper: Option<Keeper<K, T>>) -> Controller<K>
where
    K: Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
    T: Send + Sync + 'static,
{
    let (reader, writer) = reflector::store();
    let changes = watcher(api, watch_config())
        .default_backoff()
        .modify(|object: &mut K| slim_meta(object.meta_mut()))
        .reflect(writer)
        .inspect(move |event| {
            if let (Some(keeper), Ok(event)) = (keeper.as_mut(), event) {
                keeper.observe(event);
            }
        })
        .applied_objects()
        .predicate_filter(
            predicates::generation
                .combine(predicates::annotations)
                .combine(predicates::labels),
            Default::default(),
        );
    Controller::for_stream(changes, reader)
}

/// A component as its mesh sees it.
fn seen_child<K: ComponentKind>(component: &K) -> (ObjectMeta, SeenChild) {
    let seen = SeenChild::of(component.meta(), component.status());
    (seen.meta.clone(), seen)
}

/// Lists come in pages of [`LIST_PAGE`] objects: a relist of thousands then holds one small
/// page of full objects at a time before the caches slim them, not one large one.
fn watch_config() -> watcher::Config {
    watcher::Config::default().page_size(LIST_PAGE)
}

/// Objects per list page (kube's default is 500).
pub const LIST_PAGE: u32 = 100;

fn controller_config() -> kube::runtime::controller::Config {
    // Bounded: a restart with thousands of resources must not open thousands of requests at
    // once (bench/README.md has the measurements behind the number).
    kube::runtime::controller::Config::default().concurrency(CONCURRENCY)
}

/// Reconciles running at once, per controller.
pub const CONCURRENCY: u16 = 16;

async fn run_component<K: ComponentKind>(
    ctx: Arc<Context>,
    namespace: Option<String>,
    woken: UnboundedReceiver<ObjectRef<K>>,
    mesh_view: Keeper<K, SeenChild>,
) {
    let ns = namespace.as_deref();
    let controller = controller_for(api::<K>(&ctx, ns), Some(mesh_view));
    let backend_config_changes = ctx.backend_configs.triggers(controller.store());
    controller
        .with_config(controller_config())
        // Its StatefulSet, Service, autoscaler or clean-up Job changed (observed.rs).
        .reconcile_on(woken)
        .reconcile_on(backend_config_changes)
        .shutdown_on_signal()
        .run(
            reconcile::component::reconcile::<K>,
            component_error_policy::<K>,
            ctx,
        )
        .for_each(|_| futures::future::ready(()))
        .await;
}

async fn run_mesh(
    ctx: Arc<Context>,
    namespace: Option<String>,
    woken: UnboundedReceiver<ObjectRef<FunctionMesh>>,
    children_synced: Vec<oneshot::Receiver<()>>,
) {
    // A mesh plans from its children's cache: wait for it to be complete.
    for synced in children_synced {
        let _ = synced.await;
    }
    let ns = namespace.as_deref();
    controller_for::<FunctionMesh, ()>(api::<FunctionMesh>(&ctx, ns), None)
        .with_config(controller_config())
        .reconcile_on(woken)
        .shutdown_on_signal()
        .run(reconcile::mesh::reconcile, mesh_error_policy, ctx)
        .for_each(|_| futures::future::ready(()))
        .await;
}

fn slim_statefulset_entry(sts: &StatefulSet) -> (ObjectMeta, StatefulSet) {
    let sts = observed::slim_statefulset(sts.clone());
    (sts.metadata.clone(), sts)
}

fn slim_meta_entry<K>(object: &PartialObjectMeta<K>) -> (ObjectMeta, ObjectMeta) {
    let mut meta = object.metadata.clone();
    slim_meta(&mut meta);
    (meta.clone(), meta)
}

fn keeper<K, T>(
    ctx: &Context,
    scope: Option<&str>,
    watched: (&'static str, Arc<Cache<T>>),
    slim: fn(&K) -> (ObjectMeta, T),
    wakers: &Wakers,
    synced: &mut Vec<oneshot::Receiver<()>>,
) -> Keeper<K, T> {
    let (tx, rx) = oneshot::channel();
    synced.push(rx);
    Keeper::new(
        scope.map(str::to_owned),
        watched,
        ctx.observed.own_writes.clone(),
        slim,
        wakers.clone(),
        tx,
    )
}

/// Watches each child kind of one scope once, keeping its cache and waking owners; returns
/// once every cache holds its first full list.
async fn watch_children(ctx: &Arc<Context>, namespace: Option<&str>, wakers: &Wakers) {
    let config = watch_config;
    let mut synced = Vec::new();
    let observed = &ctx.observed;
    let statefulsets = keeper(
        ctx,
        namespace,
        (STATEFULSET, observed.statefulsets.clone()),
        slim_statefulset_entry,
        wakers,
        &mut synced,
    );
    let services = keeper(
        ctx,
        namespace,
        (SERVICE, observed.services.clone()),
        slim_meta_entry,
        wakers,
        &mut synced,
    );
    let autoscalers = keeper(
        ctx,
        namespace,
        (HPA, observed.hpas.clone()),
        slim_meta_entry,
        wakers,
        &mut synced,
    );
    // Jobs are read when needed (clean-up); their watch only wakes owners.
    let jobs = keeper(
        ctx,
        namespace,
        (JOB, Arc::new(Cache::default())),
        slim_meta_entry,
        wakers,
        &mut synced,
    );
    tokio::spawn(
        statefulsets
            .follow(watcher(api::<StatefulSet>(ctx, namespace), config()).default_backoff()),
    );
    tokio::spawn(services.follow(
        watcher(api::<PartialObjectMeta<Service>>(ctx, namespace), config()).default_backoff(),
    ));
    tokio::spawn(
        autoscalers.follow(watcher(hpa_metadata(ctx, namespace), config()).default_backoff()),
    );
    tokio::spawn(jobs.follow(
        watcher(api::<PartialObjectMeta<Job>>(ctx, namespace), config()).default_backoff(),
    ));
    for rx in synced {
        let _ = rx.await;
    }
}

/// Runs every controller for each watched namespace (or all namespaces) until shutdown, once
/// the BackendConfigs are known (a resource rendered without them would roll twice) and the
/// children's caches are filled (a plan from a partial cache would re-apply what exists).
pub async fn run_all(ctx: Arc<Context>, namespaces: Vec<String>) {
    ctx.backend_configs.ready().await;
    let scopes: Vec<Option<String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.into_iter().map(Some).collect()
    };
    let mut tasks = Vec::new();
    for scope in scopes {
        let ns = scope.as_deref();
        let (wakers, woken) = observed::wakers();
        watch_children(&ctx, ns, &wakers).await;
        let mut children_synced = Vec::new();
        let observed = &ctx.observed;
        let functions = keeper(
            &ctx,
            ns,
            (Kind::Function.kind(), observed.functions.clone()),
            seen_child::<Function>,
            &wakers,
            &mut children_synced,
        );
        let sources = keeper(
            &ctx,
            ns,
            (Kind::Source.kind(), observed.sources.clone()),
            seen_child::<Source>,
            &wakers,
            &mut children_synced,
        );
        let sinks = keeper(
            &ctx,
            ns,
            (Kind::Sink.kind(), observed.sinks.clone()),
            seen_child::<Sink>,
            &wakers,
            &mut children_synced,
        );
        tasks.push(tokio::spawn(run_component(
            ctx.clone(),
            scope.clone(),
            woken.function,
            functions,
        )));
        tasks.push(tokio::spawn(run_component(
            ctx.clone(),
            scope.clone(),
            woken.source,
            sources,
        )));
        tasks.push(tokio::spawn(run_component(
            ctx.clone(),
            scope.clone(),
            woken.sink,
            sinks,
        )));
        tasks.push(tokio::spawn(run_mesh(
            ctx.clone(),
            scope,
            woken.mesh,
            children_synced,
        )));
    }
    for task in tasks {
        let _ = task.await;
    }
}
