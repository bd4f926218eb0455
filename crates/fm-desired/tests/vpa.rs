//! The VerticalPodAutoscaler (`fm_desired::vpa`), with the values of upstream's `TestMakeVPA`
//! (`controllers/spec/vpa_test.go`): `updatePolicy` and `resourcePolicy` copied unchanged, and
//! the target the controllers give `MakeVPA` (`ApplyFunctionVPA` in `controllers/function.go`):
//! the resource itself.

use fm_api::Function;
use fm_desired::{desired_for, Options};
use serde_json::json;

const FUNCTION: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: fn, namespace: ns, uid: u-1 }
spec:
  className: org.example.Fn
  input: { topics: [persistent://public/default/in] }
  pulsar: { pulsarConfig: cluster }
  java: { jar: /pulsar/fn.jar }
  pod:
    vpa:
      updatePolicy: { updateMode: Auto }
      resourcePolicy:
        containerPolicies:
          - containerName: test-container
            minAllowed: { cpu: 100m, memory: 100Mi }
            maxAllowed: { cpu: 1000m, memory: 1000Mi }
            controlledResources: [cpu, memory]
            controlledValues: RequestsAndLimits
"#;

#[test]
fn the_vpa_is_upstreams() {
    let f: Function = serde_yaml_ng::from_str(FUNCTION).expect("parses");
    let objects = desired_for(&f, None, &Options::default()).expect("valid");
    let vpa = serde_json::to_value(objects.vpa.expect("a VPA")).expect("JSON");
    assert_eq!(vpa["apiVersion"], "autoscaling.k8s.io/v1");
    assert_eq!(vpa["kind"], "VerticalPodAutoscaler");
    assert_eq!(vpa["metadata"]["name"], "fn-function");
    assert_eq!(vpa["metadata"]["ownerReferences"][0]["uid"], "u-1");
    assert_eq!(
        vpa["spec"],
        json!({
            "targetRef": {"apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function", "name": "fn"},
            "updatePolicy": {"updateMode": "Auto"},
            "resourcePolicy": {"containerPolicies": [{
                "containerName": "test-container",
                "minAllowed": {"cpu": "100m", "memory": "100Mi"},
                "maxAllowed": {"cpu": "1000m", "memory": "1000Mi"},
                "controlledResources": ["cpu", "memory"],
                "controlledValues": "RequestsAndLimits"
            }]}
        })
    );
}

/// Upstream's second case: no `resourcePolicy`, none rendered; no `pod.vpa`, no VPA.
#[test]
fn without_resource_policy_or_vpa() {
    let text = FUNCTION
        .split("      resourcePolicy:")
        .next()
        .expect("head");
    let f: Function = serde_yaml_ng::from_str(text).expect("parses");
    let vpa = desired_for(&f, None, &Options::default())
        .expect("valid")
        .vpa
        .expect("a VPA");
    let spec = serde_json::to_value(&vpa.spec).expect("JSON");
    assert!(spec.get("resourcePolicy").is_none(), "{spec}");
    let none = FUNCTION.split("  pod:").next().expect("head");
    let f: Function = serde_yaml_ng::from_str(none).expect("parses");
    assert!(desired_for(&f, None, &Options::default())
        .expect("valid")
        .vpa
        .is_none());
}

/// `fm-operator render` shows it, as if the API were served.
#[test]
fn render_shows_the_vpa() {
    let docs = fm_api::load::load_stream(FUNCTION).expect("loads");
    let out = fm_desired::render_stream(&docs, &Options::default()).expect("renders");
    assert!(out.contains("kind: VerticalPodAutoscaler"), "{out}");
}
