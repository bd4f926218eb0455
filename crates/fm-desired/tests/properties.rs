//! Properties of the objects for any valid spec: names within Kubernetes limits, selectors
//! matching pod labels, the HPA pointing at the resource; typed objects round-trip.

use std::collections::BTreeMap;

use fm_api::{Function, Sink, Source};
use fm_desired::naming::{is_dns1035_label, MAX_SERVICE_NAME_LEN, MAX_STATEFULSET_NAME_LEN};
use fm_desired::{desired_for, DesiredObjects, Options};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Service;
use proptest::prelude::*;

fn dns1035(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-z]([a-z0-9-]{{0,{}}}[a-z0-9])?", max - 2))
        .expect("regex")
}

#[derive(Debug, Clone)]
struct Input {
    kind: u8,
    name: String,
    namespace: String,
    replicas: i32,
    max_replicas: Option<i32>,
    pod_labels: BTreeMap<String, String>,
    builtin: bool,
}

fn input() -> impl Strategy<Value = Input> {
    let label_keys = prop_oneof![
        Just("name".to_owned()),
        Just("app".to_owned()),
        Just("compute.functionmesh.io/name".to_owned()),
        "[a-z]{1,10}",
    ];
    (
        0u8..3,
        dns1035(43),
        dns1035(63),
        1i32..10,
        proptest::option::of(10i32..20),
        proptest::collection::btree_map(label_keys, "[a-z0-9]{1,10}", 0..4),
        any::<bool>(),
    )
        .prop_map(
            |(kind, name, namespace, replicas, max_replicas, pod_labels, builtin)| Input {
                kind,
                name,
                namespace,
                replicas,
                max_replicas,
                pod_labels,
                builtin,
            },
        )
}

fn spec_json(i: &Input) -> serde_json::Value {
    let mut spec = serde_json::json!({
        "className": "org.example.C",
        "replicas": i.replicas,
        "pulsar": { "pulsarConfig": "cluster" },
        "java": { "jar": "/pulsar/c.jar" },
        "resources": { "requests": { "cpu": "100m", "memory": "1G" }, "limits": { "cpu": "300m", "memory": "2G" } },
        "pod": { "labels": i.pod_labels },
    });
    if let Some(max) = i.max_replicas {
        spec["maxReplicas"] = max.into();
    }
    if i.builtin {
        spec["pod"]["builtinAutoscaler"] = serde_json::json!([
            "AverageUtilizationCPUPercent50",
            "AverageUtilizationMemoryPercent20"
        ]);
    }
    match i.kind {
        0 => spec["input"] = serde_json::json!({ "topics": ["persistent://public/default/in"] }),
        1 => {
            spec["output"] = serde_json::json!({ "topic": "persistent://public/default/out" });
            spec["sourceConfig"] = serde_json::json!({ "k": "v" });
        }
        _ => {
            spec["input"] = serde_json::json!({ "topics": ["persistent://public/default/in"] });
            spec["sinkConfig"] = serde_json::json!({ "k": "v" });
        }
    }
    spec
}

fn objects(i: &Input, uid: Option<&str>) -> (DesiredObjects, &'static str) {
    let doc = |kind: &str| {
        serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1",
            "kind": kind,
            "metadata": { "name": i.name, "namespace": i.namespace, "uid": uid },
            "spec": spec_json(i),
        })
    };
    let options = Options::default();
    match i.kind {
        0 => {
            let f: Function = serde_json::from_value(doc("Function")).expect("function");
            (desired_for(&f, None, &options).expect("valid"), "Function")
        }
        1 => {
            let s: Source = serde_json::from_value(doc("Source")).expect("source");
            (desired_for(&s, None, &options).expect("valid"), "Source")
        }
        _ => {
            let s: Sink = serde_json::from_value(doc("Sink")).expect("sink");
            (desired_for(&s, None, &options).expect("valid"), "Sink")
        }
    }
}

fn round_trips<T>(object: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(object).expect("to JSON");
    let back: T = serde_json::from_str(&json).expect("from JSON");
    assert_eq!(&back, object, "JSON round trip");
    let yaml = serde_yaml_ng::to_string(object).expect("to YAML");
    let back: T = serde_yaml_ng::from_str(&yaml).expect("from YAML");
    assert_eq!(&back, object, "YAML round trip");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn objects_fit_kubernetes(i in input()) {
        let (o, kind) = objects(&i, Some("0000-uid"));
        let sts_name = o.statefulset.metadata.name.clone().expect("sts name");
        prop_assert!(sts_name.len() <= MAX_STATEFULSET_NAME_LEN, "{sts_name}");
        let svc_name = o.service.metadata.name.clone().expect("svc name");
        prop_assert!(svc_name.len() <= MAX_SERVICE_NAME_LEN && is_dns1035_label(&svc_name), "{svc_name}");

        let spec = o.statefulset.spec.as_ref().expect("sts spec");
        let selector = spec.selector.match_labels.clone().expect("selector");
        let pod_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).expect("pod labels");
        for (k, v) in &selector {
            prop_assert_eq!(pod_labels.get(k), Some(v), "selector label {} not on pods", k);
        }
        for v in pod_labels.values().chain(selector.values()) {
            prop_assert!(v.len() <= 63, "label value too long: {v}");
        }
        let svc_selector = o.service.spec.as_ref().and_then(|s| s.selector.clone()).expect("svc selector");
        for (k, v) in &svc_selector {
            prop_assert_eq!(pod_labels.get(k), Some(v), "service selector label {} not on pods", k);
        }
        prop_assert_eq!(spec.service_name.as_deref(), Some(svc_name.as_str()));
        prop_assert_eq!(spec.replicas, Some(i.replicas));
        prop_assert_eq!(&o.selector, &selector.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","));

        match (&o.hpa, i.max_replicas) {
            (Some(hpa), Some(max)) => {
                prop_assert_eq!(hpa.metadata.name.as_deref(), Some(sts_name.as_str()));
                let hs = hpa.spec.as_ref().expect("hpa spec");
                prop_assert_eq!(hs.max_replicas, max);
                prop_assert_eq!(hs.scale_target_ref.api_version.as_deref(), Some("compute.functionmesh.io/v1alpha1"));
                prop_assert_eq!(hs.scale_target_ref.kind.as_str(), kind);
                prop_assert_eq!(hs.scale_target_ref.name.as_str(), i.name.as_str());
                let metrics = hs.metrics.clone().expect("metrics");
                let targets: Vec<i32> = metrics.iter().filter_map(|m| m.resource.as_ref()?.target.average_utilization).collect();
                // limit/request is 3 for cpu and 2 for memory.
                if i.builtin {
                    prop_assert_eq!(targets, vec![150, 40]);
                } else {
                    prop_assert_eq!(targets, vec![240]);
                }
                round_trips::<HorizontalPodAutoscaler>(hpa);
                let v2beta2 = o.hpa_v2beta2().expect("converts").expect("present");
                prop_assert_eq!(&v2beta2["apiVersion"], "autoscaling/v2beta2");
                prop_assert_eq!(&v2beta2["spec"]["scaleTargetRef"]["name"], i.name.as_str());
            }
            (None, None) => {}
            (hpa, max) => prop_assert!(false, "hpa {hpa:?} for maxReplicas {max:?}"),
        }
        for owner in [&o.statefulset.metadata, &o.service.metadata].iter().filter_map(|m| m.owner_references.as_ref()) {
            prop_assert_eq!(owner.len(), 1);
            prop_assert_eq!(owner[0].controller, Some(true));
            prop_assert_eq!(owner[0].block_owner_deletion, Some(true));
            prop_assert_eq!(owner[0].kind.as_str(), kind);
        }
        round_trips::<StatefulSet>(&o.statefulset);
        round_trips::<Service>(&o.service);
    }

    #[test]
    fn quantities_never_panic(s in any::<String>(), n in 0u32..1_000_000, suffix in prop_oneof![Just(""), Just("m"), Just("k"), Just("Mi"), Just("G")]) {
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        let _ = fm_desired::quantity::to_units(&Quantity(s.clone()));
        let _ = fm_desired::quantity::to_millis(&Quantity(format!("{n}e{s}")));
        let scale: i128 = match suffix { "m" => 1, "k" => 1_000_000, "Mi" => 1_048_576_000, "G" => 1_000_000_000_000, _ => 1000 };
        prop_assert_eq!(fm_desired::quantity::to_millis(&Quantity(format!("{n}{suffix}"))), Some(i128::from(n) * scale));
    }

    #[test]
    fn too_long_or_non_dns_names_are_rejected(name in prop_oneof![dns1035(63).prop_filter("long", |n| n.len() > 43), "[0-9][a-z0-9]{0,10}"]) {
        let f: Function = serde_json::from_value(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1",
            "kind": "Function",
            "metadata": { "name": name },
            "spec": { "className": "C", "pulsar": { "pulsarConfig": "c" }, "java": { "jar": "c.jar" } },
        })).expect("function");
        prop_assert!(desired_for(&f, None, &Options::default()).is_err());
    }
}

#[test]
fn equal_inputs_give_equal_outputs() {
    let i = Input {
        kind: 0,
        name: "same".into(),
        namespace: "ns".into(),
        replicas: 2,
        max_replicas: Some(4),
        pod_labels: BTreeMap::new(),
        builtin: false,
    };
    assert_eq!(objects(&i, Some("u")).0, objects(&i, Some("u")).0);
}
