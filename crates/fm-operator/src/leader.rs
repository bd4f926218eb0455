//! Leader election through a coordination.k8s.io/v1 Lease, so two replicas can run safely:
//! only the holder reconciles. The lease is taken when absent or expired and renewed well
//! before it expires; a holder that fails to renew stops acting (the process exits and is
//! restarted by its Deployment) rather than risk two writers.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use tracing::{info, warn};

pub struct LeaseConfig {
    pub namespace: String,
    pub name: String,
    pub identity: String,
    pub duration: Duration,
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

fn expired(spec: &LeaseSpec, duration: Duration) -> bool {
    let Some(renewed) = spec.renew_time.as_ref() else {
        return true;
    };
    let secs = spec
        .lease_duration_seconds
        .map(|s| s as u64)
        .unwrap_or(duration.as_secs());
    let age = Timestamp::now().duration_since(renewed.0);
    age.as_secs() as u64 >= secs
}

/// Tries once to become (or stay) the holder. `Ok(true)` when we hold the lease.
pub async fn try_acquire(api: &Api<Lease>, cfg: &LeaseConfig) -> Result<bool, kube::Error> {
    let ours = |transitions: i32| LeaseSpec {
        holder_identity: Some(cfg.identity.clone()),
        lease_duration_seconds: Some(cfg.duration.as_secs() as i32),
        acquire_time: Some(now()),
        renew_time: Some(now()),
        lease_transitions: Some(transitions),
        ..Default::default()
    };
    match api.get_opt(&cfg.name).await? {
        None => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(cfg.name.clone()),
                    namespace: Some(cfg.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(ours(0)),
            };
            match api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
                Err(e) => Err(e),
            }
        }
        Some(mut lease) => {
            let spec = lease.spec.clone().unwrap_or_default();
            let held_by_us = spec.holder_identity.as_deref() == Some(cfg.identity.as_str());
            if !held_by_us && !expired(&spec, cfg.duration) {
                return Ok(false);
            }
            let mut next = ours(spec.lease_transitions.unwrap_or(0) + i32::from(!held_by_us));
            if held_by_us {
                next.acquire_time = spec.acquire_time.clone();
            }
            lease.spec = Some(next);
            // `replace` carries the resourceVersion we read: if another replica wrote the lease
            // in between, the server answers 409 and we did not get it.
            match api.replace(&cfg.name, &PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}

/// Waits until this replica holds the lease.
pub async fn acquire(api: &Api<Lease>, cfg: &LeaseConfig) {
    loop {
        match try_acquire(api, cfg).await {
            Ok(true) => {
                info!(lease = %cfg.name, identity = %cfg.identity, "became leader");
                return;
            }
            Ok(false) => {}
            Err(e) => warn!(error = %e, "leader election"),
        }
        tokio::time::sleep(cfg.duration / 3).await;
    }
}

/// Renews the lease until renewal fails; returns when leadership is lost.
pub async fn hold(api: Api<Lease>, cfg: LeaseConfig) {
    loop {
        tokio::time::sleep(cfg.duration / 3).await;
        match try_acquire(&api, &cfg).await {
            Ok(true) => {}
            Ok(false) => {
                warn!("lost the lease to another replica");
                return;
            }
            Err(e) => {
                warn!(error = %e, "could not renew the lease");
                // Keep trying until the lease would have expired, then give up.
                let deadline = tokio::time::Instant::now() + cfg.duration * 2 / 3;
                let mut renewed = false;
                while tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if matches!(try_acquire(&api, &cfg).await, Ok(true)) {
                        renewed = true;
                        break;
                    }
                }
                if !renewed {
                    return;
                }
            }
        }
    }
}
