//! Subscription clean-up on delete. A resource that asks for it (`cleanupSubscription: true`,
//! or a batch Source) carries the finalizer [`FINALIZER`]; when it is deleted, the operator
//! creates its clean-up Job (rendered by `fm_desired::cleanup`) and removes the finalizer once
//! the Job has succeeded. When the Job fails, or has not succeeded within
//! `--cleanup-timeout` of the deletion, the finalizer is removed anyway with a Warning Event
//! saying the subscription may remain: a delete never waits on Pulsar forever. The deadline
//! is counted from the resource's `deletionTimestamp`, so it survives operator restarts.

use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::json;
use tracing::{info, warn};

use crate::context::{Context, MANAGED_ANNOTATION};
use crate::error::Result;
use crate::kinds::ComponentKind;

pub use fm_desired::cleanup::FINALIZER;

/// How the Job ended, as its status says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Running,
    Succeeded,
    /// Failed, with the Job's reason and message when it gives them.
    Failed(String),
}

/// Reads a Job's outcome from its status: the `Complete` and `Failed` conditions a Job
/// controller writes (and `succeeded` pods, for controllers that count before concluding).
pub fn outcome(job: &Job) -> JobOutcome {
    let Some(status) = job.status.as_ref() else {
        return JobOutcome::Running;
    };
    let conditions = status.conditions.iter().flatten();
    for condition in conditions {
        if condition.status != "True" {
            continue;
        }
        match condition.type_.as_str() {
            "Complete" => return JobOutcome::Succeeded,
            "Failed" => {
                let why = [condition.reason.as_deref(), condition.message.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                return JobOutcome::Failed(why);
            }
            _ => {}
        }
    }
    if status.succeeded.unwrap_or(0) > 0 {
        JobOutcome::Succeeded
    } else {
        JobOutcome::Running
    }
}

/// What the clean-up step decided for a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// Live resource with the finalizer as it should be: reconcile it as usual.
    Continue,
    AddFinalizer,
    RemoveFinalizer,
    /// Being deleted, not ours to hold (no finalizer of ours): nothing to do.
    Released,
    CreateJob,
    /// The Job runs; look again after this long.
    Wait(Duration),
    Finished(JobOutcome),
    TimedOut,
}

/// The decision, from what is known: whether clean-up is wanted, whether the finalizer is
/// there, how long since the deletion (`None`: not deleted), and the Job when it exists.
fn decide(
    wanted: bool,
    has_finalizer: bool,
    deleted_for: Option<Duration>,
    timeout: Duration,
    job: Option<&Job>,
) -> Step {
    let Some(elapsed) = deleted_for else {
        return match (wanted, has_finalizer) {
            (true, false) => Step::AddFinalizer,
            (false, true) => Step::RemoveFinalizer,
            _ => Step::Continue,
        };
    };
    if !has_finalizer {
        return Step::Released;
    }
    if !wanted {
        return Step::RemoveFinalizer;
    }
    let finished = job.map(outcome).filter(|o| *o != JobOutcome::Running);
    match (finished, job) {
        (Some(outcome), _) => Step::Finished(outcome),
        _ if elapsed >= timeout => Step::TimedOut,
        (None, None) => Step::CreateJob,
        (None, Some(_)) => Step::Wait(timeout - elapsed),
    }
}

/// The clean-up step of a reconcile: `Some(action)` when the reconcile ends here (the
/// resource is being deleted), `None` when it goes on as usual.
pub async fn reconcile<K: ComponentKind>(resource: &K, ctx: &Context) -> Result<Option<Action>> {
    let deleted_at = resource.meta().deletion_timestamp.as_ref().map(|t| t.0);
    let managed = resource
        .annotations()
        .get(MANAGED_ANNOTATION)
        .map(String::as_str)
        != Some("false");
    let has_finalizer = resource.finalizers().iter().any(|f| f == FINALIZER);
    if deleted_at.is_none() && !managed {
        return Ok(None);
    }
    // An invalid spec cannot be rendered into a Job: it is reported by the usual reconcile
    // while live, and deleted without clean-up (nothing could have subscribed).
    let job = resource
        .cleanup_job(&ctx.options, ctx.cleanup_timeout)
        .ok()
        .flatten();
    let namespace = resource.namespace().unwrap_or_else(|| "default".into());
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &namespace);
    let job_name = job.as_ref().and_then(|j| j.metadata.name.clone());
    let existing = match (&deleted_at, &job_name) {
        (Some(_), Some(name)) if has_finalizer => jobs.get_opt(name).await?,
        _ => None,
    };
    // A deletion stamped in the future (clock skew) counts as just now.
    let deleted_for = deleted_at.map(|at| {
        Duration::try_from(Timestamp::now().duration_since(at)).unwrap_or(Duration::ZERO)
    });
    let step = decide(
        job.is_some(),
        has_finalizer,
        deleted_for,
        ctx.cleanup_timeout,
        existing.as_ref(),
    );
    let what = format!("{} {}/{}", K::KIND.kind(), namespace, resource.name_any());
    match step {
        Step::Continue => Ok(None),
        Step::AddFinalizer => {
            set_finalizers(resource, ctx, true).await?;
            info!(resource = %what, "finalizer added: the subscription is cleaned up on delete");
            Ok(None)
        }
        Step::RemoveFinalizer => {
            set_finalizers(resource, ctx, false).await?;
            Ok(deleted_at.map(|_| Action::await_change()))
        }
        Step::Released => Ok(Some(Action::await_change())),
        Step::CreateJob => {
            let Some(job) = job else {
                return Ok(Some(Action::await_change()));
            };
            match jobs.create(&PostParams::default(), &job).await {
                Ok(_) => info!(resource = %what, job = ?job_name, "clean-up Job created"),
                // Created by an earlier reconcile that did not see it yet.
                Err(kube::Error::Api(status)) if status.code == 409 => {}
                Err(e) => return Err(e.into()),
            }
            Ok(Some(Action::requeue(ctx.cleanup_timeout)))
        }
        Step::Wait(left) => Ok(Some(Action::requeue(left))),
        Step::Finished(JobOutcome::Succeeded) => {
            info!(resource = %what, "subscription cleaned up");
            set_finalizers(resource, ctx, false).await?;
            Ok(Some(Action::await_change()))
        }
        Step::Finished(JobOutcome::Failed(why)) => {
            let message = format!(
                "the clean-up Job {} failed ({why}); the subscription may remain in Pulsar",
                job_name.unwrap_or_default()
            );
            release_with_warning(resource, ctx, "CleanupFailed", &message).await
        }
        Step::Finished(JobOutcome::Running) => Ok(Some(Action::requeue(ctx.cleanup_timeout))),
        Step::TimedOut => {
            let message = format!(
                "the clean-up Job {} did not succeed within {}s of the deletion (--cleanup-timeout); the subscription may remain in Pulsar",
                job_name.unwrap_or_default(),
                ctx.cleanup_timeout.as_secs()
            );
            release_with_warning(resource, ctx, "CleanupTimedOut", &message).await
        }
    }
}

/// A Warning Event, then the finalizer goes: the resource is deleted without clean-up.
async fn release_with_warning<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    reason: &str,
    message: &str,
) -> Result<Option<Action>> {
    warn!(kind = K::KIND.kind(), namespace = ?resource.namespace(), name = %resource.name_any(),
          %reason, %message, "releasing the resource without clean-up");
    ctx.events.warn(resource, reason, "Cleanup", message).await;
    set_finalizers(resource, ctx, false).await?;
    Ok(Some(Action::await_change()))
}

/// Adds or removes [`FINALIZER`], keeping every other finalizer. The merge patch carries the
/// resourceVersion it was computed from, so a concurrent change of the list is a conflict
/// (retried) rather than a lost finalizer.
async fn set_finalizers<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    present: bool,
) -> Result<()> {
    let mut finalizers: Vec<String> = resource
        .finalizers()
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    if present {
        finalizers.push(FINALIZER.to_owned());
    }
    let namespace = resource.namespace().unwrap_or_else(|| "default".into());
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &namespace);
    let patch = json!({
        "metadata": {
            "finalizers": finalizers,
            "resourceVersion": resource.resource_version(),
        }
    });
    match api
        .patch(
            &resource.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
    {
        Ok(_) => Ok(()),
        // Gone already: nothing holds it any more.
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::batch::v1::{JobCondition, JobStatus};

    fn job(conditions: &[(&str, &str)], succeeded: i32) -> Job {
        Job {
            status: Some(JobStatus {
                conditions: Some(
                    conditions
                        .iter()
                        .map(|(t, s)| JobCondition {
                            type_: (*t).to_owned(),
                            status: (*s).to_owned(),
                            reason: Some("BackoffLimitExceeded".into()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                succeeded: Some(succeeded),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn outcomes() {
        assert_eq!(outcome(&Job::default()), JobOutcome::Running);
        assert_eq!(outcome(&job(&[], 0)), JobOutcome::Running);
        assert_eq!(
            outcome(&job(&[("Complete", "True")], 1)),
            JobOutcome::Succeeded
        );
        assert_eq!(outcome(&job(&[], 1)), JobOutcome::Succeeded);
        assert_eq!(
            outcome(&job(&[("Failed", "True")], 0)),
            JobOutcome::Failed("BackoffLimitExceeded".into())
        );
        assert_eq!(
            outcome(&job(&[("Failed", "False")], 0)),
            JobOutcome::Running
        );
    }

    #[test]
    fn decisions() {
        let t = Duration::from_secs(300);
        let running = job(&[], 0);
        let done = job(&[("Complete", "True")], 1);
        // Live resources: the finalizer follows the wish.
        assert_eq!(decide(true, false, None, t, None), Step::AddFinalizer);
        assert_eq!(decide(false, true, None, t, None), Step::RemoveFinalizer);
        assert_eq!(decide(true, true, None, t, None), Step::Continue);
        assert_eq!(decide(false, false, None, t, None), Step::Continue);
        // Deleted.
        let at = |s| Some(Duration::from_secs(s));
        assert_eq!(decide(true, false, at(1), t, None), Step::Released);
        assert_eq!(decide(false, true, at(1), t, None), Step::RemoveFinalizer);
        assert_eq!(decide(true, true, at(1), t, None), Step::CreateJob);
        assert_eq!(
            decide(true, true, at(100), t, Some(&running)),
            Step::Wait(Duration::from_secs(200))
        );
        assert_eq!(
            decide(true, true, at(100), t, Some(&done)),
            Step::Finished(JobOutcome::Succeeded)
        );
        // A finished Job counts even after the deadline; an unfinished one does not.
        assert_eq!(
            decide(true, true, at(400), t, Some(&done)),
            Step::Finished(JobOutcome::Succeeded)
        );
        assert_eq!(
            decide(true, true, at(300), t, Some(&running)),
            Step::TimedOut
        );
        assert_eq!(decide(true, true, at(301), t, None), Step::TimedOut);
    }
}
