//! fm-operator: watches Function, Source, Sink and FunctionMesh resources and makes the
//! cluster match them. The cluster is the single source of truth: the operator keeps no state
//! of its own and never talks to Pulsar.

pub mod apply;
pub mod backend_config;
pub mod config_file;
pub mod context;
pub mod controllers;
pub mod discovery;
pub mod error;
pub mod events;
pub mod kinds;
pub mod leader;
pub mod metrics;
pub mod observed;
pub mod rbac;
pub mod reconcile;
pub mod render;
pub mod webhook;
