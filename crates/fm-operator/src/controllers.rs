//! Wiring: one controller per kind, each watching its resource and the objects it owns, so a
//! deleted or edited child is repaired at once.

use std::sync::Arc;

use fm_api::{Function, FunctionMesh, Sink, Source};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::{predicates, reflector, watcher, Predicate, WatchStreamExt};
use kube::{Api, Resource};

use crate::context::Context;
use crate::error::Error;
use crate::kinds::ComponentKind;
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

/// The autoscalers in the served HPA version, in `namespace` or everywhere.
fn hpas(ctx: &Context, namespace: Option<&str>) -> Api<kube::api::DynamicObject> {
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
/// writes changes none of them, so it does not wake the reconciler that wrote it.
fn controller_for<K>(api: Api<K>) -> Controller<K>
where
    K: Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let changes = watcher(api, watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(
            predicates::generation
                .combine(predicates::annotations)
                .combine(predicates::labels),
            Default::default(),
        );
    Controller::for_stream(changes, reader)
}

async fn run_component<K: ComponentKind>(ctx: Arc<Context>, namespace: Option<String>) {
    let ns = namespace.as_deref();
    let controller = controller_for(api::<K>(&ctx, ns));
    let backend_config_changes = ctx.backend_configs.triggers(controller.store());
    controller
        .owns(api::<StatefulSet>(&ctx, ns), watcher::Config::default())
        .owns(api::<Service>(&ctx, ns), watcher::Config::default())
        .reconcile_on(backend_config_changes)
        .owns(api::<Job>(&ctx, ns), watcher::Config::default())
        // A deleted or edited autoscaler is repaired at once, not at the next resync.
        .owns_with(
            hpas(&ctx, ns),
            crate::apply::hpa_resource(ctx.hpa),
            watcher::Config::default(),
        )
        .shutdown_on_signal()
        .run(
            reconcile::component::reconcile::<K>,
            component_error_policy::<K>,
            ctx,
        )
        .for_each(|_| futures::future::ready(()))
        .await;
}

async fn run_mesh(ctx: Arc<Context>, namespace: Option<String>) {
    let ns = namespace.as_deref();
    controller_for(api::<FunctionMesh>(&ctx, ns))
        .owns(api::<Function>(&ctx, ns), watcher::Config::default())
        .owns(api::<Source>(&ctx, ns), watcher::Config::default())
        .owns(api::<Sink>(&ctx, ns), watcher::Config::default())
        .shutdown_on_signal()
        .run(reconcile::mesh::reconcile, mesh_error_policy, ctx)
        .for_each(|_| futures::future::ready(()))
        .await;
}

/// Runs every controller for each watched namespace (or all namespaces) until shutdown, once
/// the BackendConfigs are known (a resource rendered without them would roll twice).
pub async fn run_all(ctx: Arc<Context>, namespaces: Vec<String>) {
    ctx.backend_configs.ready().await;
    let scopes: Vec<Option<String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.into_iter().map(Some).collect()
    };
    let mut tasks = Vec::new();
    for ns in scopes {
        tasks.push(tokio::spawn(run_component::<Function>(
            ctx.clone(),
            ns.clone(),
        )));
        tasks.push(tokio::spawn(run_component::<Source>(
            ctx.clone(),
            ns.clone(),
        )));
        tasks.push(tokio::spawn(run_component::<Sink>(ctx.clone(), ns.clone())));
        tasks.push(tokio::spawn(run_mesh(ctx.clone(), ns)));
    }
    for task in tasks {
        let _ = task.await;
    }
}
