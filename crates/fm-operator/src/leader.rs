//! Leader election through a coordination.k8s.io/v1 Lease, so two replicas can run safely:
//! only the holder reconciles. The lease is taken when free or expired and renewed well
//! before it expires; a holder that fails to renew stops acting (the process exits and is
//! restarted by its Deployment) rather than risk two writers. On shutdown the holder releases
//! the lease, so the next replica takes over at once instead of waiting for it to expire.
//!
//! Expiry is judged as client-go's `leaderelection` does: by this replica's own clock, from
//! the moment it saw the lease record last change, never by comparing the holder's
//! `renewTime` with the local clock (the two machines' clocks may disagree).

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use tokio::time::Instant;
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

/// The lease record as last seen, and when (by the local clock) it was first seen so.
#[derive(Clone, Debug, PartialEq)]
struct Observation {
    /// The record's identity: holder, renew time and transitions. Any renewal changes it.
    record: (Option<String>, Option<String>, Option<i32>),
    at: Instant,
}

fn record_of(spec: &LeaseSpec) -> (Option<String>, Option<String>, Option<i32>) {
    (
        spec.holder_identity.clone(),
        spec.renew_time.as_ref().map(|t| t.0.to_string()),
        spec.lease_transitions,
    )
}

/// Whether another replica's lease may be taken at `now`: it is free (no holder: released),
/// or its record has not changed for longer than its duration since we first saw it so.
fn may_take(spec: &LeaseSpec, observed_at: Instant, now: Instant, default: Duration) -> bool {
    if spec.holder_identity.as_deref().unwrap_or("").is_empty() {
        return true;
    }
    let duration = spec
        .lease_duration_seconds
        .and_then(|s| u64::try_from(s).ok())
        .map(Duration::from_secs)
        .unwrap_or(default);
    now.saturating_duration_since(observed_at) >= duration
}

/// One replica's side of the election.
pub struct Elector {
    api: Api<Lease>,
    cfg: LeaseConfig,
    observed: Option<Observation>,
}

impl Elector {
    pub fn new(api: Api<Lease>, cfg: LeaseConfig) -> Self {
        Elector {
            api,
            cfg,
            observed: None,
        }
    }

    /// Remembers `spec` as seen now, unless it is the record already seen (then the time
    /// it was first seen stays). Returns when the current record was first seen.
    fn observe(&mut self, spec: &LeaseSpec, now: Instant) -> Instant {
        let record = record_of(spec);
        match &self.observed {
            Some(o) if o.record == record => o.at,
            _ => {
                self.observed = Some(Observation { record, at: now });
                now
            }
        }
    }

    fn ours(&self, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(self.cfg.identity.clone()),
            lease_duration_seconds: i32::try_from(self.cfg.duration.as_secs()).ok(),
            acquire_time: Some(now()),
            renew_time: Some(now()),
            lease_transitions: Some(transitions),
            ..Default::default()
        }
    }

    /// Tries once to become (or stay) the holder. `Ok(true)` when we hold the lease.
    pub async fn try_acquire(&mut self) -> Result<bool, kube::Error> {
        let Some(mut lease) = self.api.get_opt(&self.cfg.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.cfg.name.clone()),
                    namespace: Some(self.cfg.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(self.ours(0)),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
                Err(e) => Err(e),
            };
        };
        let spec = lease.spec.clone().unwrap_or_default();
        let held_by_us = spec.holder_identity.as_deref() == Some(self.cfg.identity.as_str());
        let now = Instant::now();
        let seen_at = self.observe(&spec, now);
        if !held_by_us && !may_take(&spec, seen_at, now, self.cfg.duration) {
            return Ok(false);
        }
        let mut next = self.ours(spec.lease_transitions.unwrap_or(0) + i32::from(!held_by_us));
        if held_by_us {
            next.acquire_time = spec.acquire_time.clone();
        }
        lease.spec = Some(next);
        // `replace` carries the resourceVersion we read: if another replica wrote the lease
        // in between, the server answers 409 and we did not get it.
        match self
            .api
            .replace(&self.cfg.name, &PostParams::default(), &lease)
            .await
        {
            Ok(written) => {
                if let Some(spec) = written.spec.as_ref() {
                    self.observe(spec, Instant::now());
                }
                Ok(true)
            }
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Waits until this replica holds the lease.
    pub async fn acquire(&mut self) {
        loop {
            match self.try_acquire().await {
                Ok(true) => {
                    info!(lease = %self.cfg.name, identity = %self.cfg.identity, "became leader");
                    return;
                }
                Ok(false) => {}
                Err(e) => warn!(error = %e, "leader election"),
            }
            tokio::time::sleep(self.cfg.duration / 3).await;
        }
    }

    /// Renews the lease until renewal fails; returns when leadership is lost.
    pub async fn hold(&mut self) {
        loop {
            tokio::time::sleep(self.cfg.duration / 3).await;
            match self.try_acquire().await {
                Ok(true) => {}
                Ok(false) => {
                    warn!("lost the lease to another replica");
                    return;
                }
                Err(e) => {
                    warn!(error = %e, "could not renew the lease");
                    // Keep trying until the lease would have expired, then give up.
                    let deadline = Instant::now() + self.cfg.duration * 2 / 3;
                    let mut renewed = false;
                    while Instant::now() < deadline {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        if matches!(self.try_acquire().await, Ok(true)) {
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

    /// Gives the lease up (on shutdown, after the last reconcile): no holder, so the next
    /// replica takes it at once. Nothing is written when another replica holds it by now.
    pub async fn release(&mut self) -> Result<(), kube::Error> {
        let Some(mut lease) = self.api.get_opt(&self.cfg.name).await? else {
            return Ok(());
        };
        let Some(spec) = lease.spec.as_mut() else {
            return Ok(());
        };
        if spec.holder_identity.as_deref() != Some(self.cfg.identity.as_str()) {
            return Ok(());
        }
        spec.holder_identity = None;
        spec.renew_time = Some(now());
        self.api
            .replace(&self.cfg.name, &PostParams::default(), &lease)
            .await?;
        info!(lease = %self.cfg.name, "released the lease");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(by: &str, renewed: &str) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(by.into()),
            lease_duration_seconds: Some(15),
            renew_time: Some(MicroTime(renewed.parse().expect("timestamp"))),
            lease_transitions: Some(1),
            ..Default::default()
        }
    }

    fn elector() -> Elector {
        // The Api is never called by these tests; a client that goes nowhere will do.
        let (service, _handle) = tower_test::mock::pair::<
            http::Request<kube::client::Body>,
            http::Response<kube::client::Body>,
        >();
        let client = kube::Client::new(service, "default");
        Elector::new(
            Api::namespaced(client, "ns"),
            LeaseConfig {
                namespace: "ns".into(),
                name: "l".into(),
                identity: "me".into(),
                duration: Duration::from_secs(15),
            },
        )
    }

    #[tokio::test]
    async fn expiry_counts_from_when_the_record_was_seen_not_from_its_renew_time() {
        let mut e = elector();
        let t0 = Instant::now();
        // A renewTime far in the past (the holder's clock is behind ours): not expired yet,
        // because we just saw this record for the first time.
        let old = held("other", "2001-01-01T00:00:00Z");
        let seen = e.observe(&old, t0);
        assert!(!may_take(&old, seen, t0, Duration::from_secs(15)));
        // The same record 10 s later: still within its 15 s.
        let seen = e.observe(&old, t0 + Duration::from_secs(10));
        assert_eq!(seen, t0);
        assert!(!may_take(
            &old,
            seen,
            t0 + Duration::from_secs(10),
            Duration::from_secs(15)
        ));
        // Renewed at 14 s (a new record): the clock starts again.
        let renewed = held("other", "2001-01-01T00:00:05Z");
        let seen = e.observe(&renewed, t0 + Duration::from_secs(14));
        assert!(!may_take(
            &renewed,
            seen,
            t0 + Duration::from_secs(20),
            Duration::from_secs(15)
        ));
        // Unchanged for 15 s of our clock: expired.
        assert!(may_take(
            &renewed,
            seen,
            t0 + Duration::from_secs(29),
            Duration::from_secs(15)
        ));
    }

    #[tokio::test]
    async fn a_released_lease_is_taken_at_once() {
        let mut e = elector();
        let t0 = Instant::now();
        let mut released = held("other", "2030-01-01T00:00:00Z");
        released.holder_identity = None;
        let seen = e.observe(&released, t0);
        assert!(may_take(&released, seen, t0, Duration::from_secs(15)));
        released.holder_identity = Some(String::new());
        assert!(may_take(&released, seen, t0, Duration::from_secs(15)));
    }
}
