//! Wiring: one controller per kind, each watching its resource and the objects it owns, so a
//! deleted or edited child is repaired at once.

use std::sync::Arc;

use fm_api::{Function, FunctionMesh, Sink, Source};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use kube::Api;
use tracing::warn;

use crate::context::Context;
use crate::error::Error;
use crate::kinds::ComponentKind;
use crate::reconcile::{self, backoff};

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

/// Bounded, growing retry after errors, per object (no retry storm).
fn error_policy<K>(_: Arc<K>, error: &Error, _: Arc<Context>) -> Action {
    warn!(%error, "reconcile failed; retrying");
    Action::requeue(backoff(3))
}

async fn run_component<K: ComponentKind>(ctx: Arc<Context>, namespace: Option<String>) {
    let ns = namespace.as_deref();
    Controller::new(api::<K>(&ctx, ns), watcher::Config::default())
        .owns(api::<StatefulSet>(&ctx, ns), watcher::Config::default())
        .owns(api::<Service>(&ctx, ns), watcher::Config::default())
        .shutdown_on_signal()
        .run(reconcile::component::reconcile::<K>, error_policy::<K>, ctx)
        .for_each(|_| futures::future::ready(()))
        .await;
}

async fn run_mesh(ctx: Arc<Context>, namespace: Option<String>) {
    let ns = namespace.as_deref();
    Controller::new(api::<FunctionMesh>(&ctx, ns), watcher::Config::default())
        .owns(api::<Function>(&ctx, ns), watcher::Config::default())
        .owns(api::<Source>(&ctx, ns), watcher::Config::default())
        .owns(api::<Sink>(&ctx, ns), watcher::Config::default())
        .shutdown_on_signal()
        .run(
            reconcile::mesh::reconcile,
            error_policy::<FunctionMesh>,
            ctx,
        )
        .for_each(|_| futures::future::ready(()))
        .await;
}

/// Runs every controller for each watched namespace (or all namespaces) until shutdown.
pub async fn run_all(ctx: Arc<Context>, namespaces: Vec<String>) {
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
