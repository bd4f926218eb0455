//! The HorizontalPodAutoscaler (upstream: `controllers/spec/hpa.go`, `MakeHPA`): on when
//! `maxReplicas` is set, scaling the custom resource itself through its scale subresource.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::component::Component;
use crate::error::DesiredError;
use crate::quantity;

/// Utilisation target when the spec names no metrics.
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;

/// A built-in rule name (`AverageUtilization{CPU,Memory}Percent{80,50,20}`) → (resource, %).
pub fn builtin_rule(rule: &str) -> Option<(&'static str, i32)> {
    let rest = rule.strip_prefix("AverageUtilization")?;
    let (resource, percent) = if let Some(p) = rest.strip_prefix("CPUPercent") {
        ("cpu", p)
    } else {
        ("memory", rest.strip_prefix("MemoryPercent")?)
    };
    match percent {
        "80" | "50" | "20" => percent.parse().ok().map(|p| (resource, p)),
        _ => None,
    }
}

/// Kubernetes computes utilisation against the **request**; users think of the limit. So
/// `percent` of the limit becomes `percent × limit / request` of the request (1 when either
/// is missing or zero), rounded down — e.g. 80% with cpu 100m/200m → 160.
pub fn scaled_target(c: &Component<'_>, resource: &str, percent: i32) -> i32 {
    let resources = c.common.resources.as_ref();
    let millis = |m: Option<&std::collections::BTreeMap<String, Quantity>>| {
        m.and_then(|m| m.get(resource))
            .and_then(quantity::to_millis)
            .filter(|v| *v > 0)
    };
    let request = millis(resources.and_then(|r| r.requests.as_ref()));
    let limit = millis(resources.and_then(|r| r.limits.as_ref()));
    match (request, limit) {
        (Some(req), Some(lim)) => {
            let scaled = i128::from(percent) * lim / req;
            i32::try_from(scaled).unwrap_or(i32::MAX)
        }
        _ => percent,
    }
}

fn utilization(resource: &str, percent: i32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: resource.to_owned(),
            target: MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(percent),
                ..Default::default()
            },
        }),
        ..Default::default()
    }
}

/// The HPA, or `None` when autoscaling is off. `metadata` is prepared by the caller.
pub fn build(
    c: &Component<'_>,
    api_version: &str,
    metadata: ObjectMeta,
) -> Option<HorizontalPodAutoscaler> {
    let max = c.common.max_replicas?;
    let min = c.min_replicas();
    let pod = c.common.pod.as_ref();
    let builtin: Vec<(&str, i32)> = pod
        .and_then(|p| p.builtin_autoscaler.as_ref())
        .map(|rules| rules.iter().filter_map(|r| builtin_rule(r)).collect())
        .unwrap_or_default();
    let custom_metrics = pod.and_then(|p| p.auto_scaling_metrics.clone());
    let behavior = pod.and_then(|p| p.auto_scaling_behavior.clone());

    let (metrics, behavior) = if !builtin.is_empty() && max > min {
        // First CPU rule and first memory rule only (validation rejects more).
        let mut metrics = Vec::new();
        for resource in ["cpu", "memory"] {
            if let Some((_, pct)) = builtin.iter().find(|(r, _)| *r == resource) {
                metrics.push(utilization(resource, scaled_target(c, resource, *pct)));
            }
        }
        (Some(metrics), None)
    } else if custom_metrics.is_some() || behavior.is_some() || max <= min {
        (custom_metrics, behavior)
    } else {
        (
            Some(vec![utilization(
                "cpu",
                scaled_target(c, "cpu", DEFAULT_CPU_UTILIZATION),
            )]),
            None,
        )
    };

    Some(HorizontalPodAutoscaler {
        metadata,
        spec: Some(HorizontalPodAutoscalerSpec {
            min_replicas: Some(min),
            max_replicas: max,
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some(api_version.to_owned()),
                kind: c.kind.kind().to_owned(),
                name: c.name.to_owned(),
            },
            metrics,
            behavior,
        }),
        status: None,
    })
}

/// The same HPA as `autoscaling/v2beta2`, for API servers older than 1.23 (Kubernetes 1.20
/// serves only v2beta1/v2beta2). The v2 schema is v2beta2's with nothing removed and no
/// field renamed, so conversion is a change of `apiVersion`; the result is plain JSON because
/// k8s-openapi no longer ships the v2beta2 types.
pub fn to_v2beta2(hpa: &HorizontalPodAutoscaler) -> Result<serde_json::Value, DesiredError> {
    let mut value = serde_json::to_value(hpa).map_err(|e| DesiredError::Serialize {
        what: "HorizontalPodAutoscaler".into(),
        message: e.to_string(),
    })?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "apiVersion".into(),
            serde_json::Value::String("autoscaling/v2beta2".into()),
        );
        obj.remove("status");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules() {
        assert_eq!(
            builtin_rule("AverageUtilizationCPUPercent80"),
            Some(("cpu", 80))
        );
        assert_eq!(
            builtin_rule("AverageUtilizationMemoryPercent20"),
            Some(("memory", 20))
        );
        assert_eq!(builtin_rule("AverageUtilizationCPUPercent30"), None);
        assert_eq!(builtin_rule("bogus"), None);
    }
}
