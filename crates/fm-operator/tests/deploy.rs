//! The install package: CRDs current, `kubectl kustomize` builds it, RBAC is exactly what the
//! code uses.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn deploy_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy"))
}

#[test]
fn committed_crds_are_generated_from_the_types() {
    let committed =
        std::fs::read_to_string(deploy_dir().join("crds.yaml")).expect("deploy/crds.yaml");
    let generated = fm_api::crds::to_yaml().expect("CRDs");
    assert!(
        committed == generated,
        "deploy/crds.yaml is stale: run `cargo run -p fm-operator -- crds > deploy/crds.yaml`"
    );
}

fn built() -> Vec<Value> {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(deploy_dir())
        .output()
        .expect("kubectl installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("YAML"))
        .collect()
}

fn grants(rules: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for rule in rules.as_array().expect("rules") {
        for group in rule["apiGroups"].as_array().expect("groups") {
            for resource in rule["resources"].as_array().expect("resources") {
                for verb in rule["verbs"].as_array().expect("verbs") {
                    out.insert((
                        group.as_str().expect("group").to_owned(),
                        resource.as_str().expect("resource").to_owned(),
                        verb.as_str().expect("verb").to_owned(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn kustomize_builds_the_package_and_rbac_matches_the_code() {
    let docs = built();
    let find = |kind: &str| {
        docs.iter()
            .find(|d| d["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
    };
    let role = grants(&find("ClusterRole")["rules"]);
    let required: BTreeSet<_> = fm_operator::rbac::REQUIRED
        .iter()
        .flat_map(|(g, r, verbs)| {
            verbs
                .iter()
                .map(move |v| (g.to_string(), r.to_string(), v.to_string()))
        })
        .collect();
    assert_eq!(
        role, required,
        "ClusterRole differs from the calls in rbac.rs"
    );
    let own: BTreeSet<_> = fm_operator::rbac::OWN_NAMESPACE
        .iter()
        .flat_map(|(g, r, verbs)| {
            verbs
                .iter()
                .map(move |v| (g.to_string(), r.to_string(), v.to_string()))
        })
        .collect();
    assert_eq!(grants(&find("Role")["rules"]), own);

    let deployment = find("Deployment");
    assert_eq!(deployment["metadata"]["namespace"], "function-mesh-system");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert_eq!(
        container["securityContext"]["capabilities"]["drop"][0],
        "ALL"
    );
    assert!(container["resources"]["limits"]["memory"].is_string());

    // The configuration file: the ConfigMap (renamed by its content's hash) is mounted where
    // `--config` reads it, and what it holds is a valid configuration.
    let config_map = find("ConfigMap");
    let name = config_map["metadata"]["name"].as_str().expect("name");
    assert!(name.starts_with("fm-operator-config-"), "{name}");
    assert_eq!(pod["volumes"][0]["configMap"]["name"], name);
    assert_eq!(
        container["volumeMounts"][0]["name"],
        pod["volumes"][0]["name"]
    );
    assert_eq!(
        container["volumeMounts"][0]["mountPath"],
        "/etc/fm-operator"
    );
    assert!(container["args"]
        .as_array()
        .expect("args")
        .contains(&Value::from("--config=/etc/fm-operator/config.yaml")));
    let text = config_map["data"]["config.yaml"]
        .as_str()
        .expect("config.yaml");
    assert_eq!(
        fm_operator::config_file::parse(text, fm_desired::Options::default()),
        Ok(fm_desired::Options::default()),
        "deploy/operator-config.yaml should hold the defaults (all commented out)"
    );
    assert_eq!(
        docs.iter()
            .filter(|d| d["kind"] == "CustomResourceDefinition")
            .count(),
        5
    );
}

/// The defaults `deploy/operator-config.yaml` shows, uncommented, are the code's defaults.
#[test]
fn the_shipped_configuration_file_shows_the_real_defaults() {
    let text = std::fs::read_to_string(deploy_dir().join("operator-config.yaml"))
        .expect("deploy/operator-config.yaml");
    let shown: String = text
        .lines()
        .skip_while(|l| !l.starts_with("# runnerImages:"))
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(shown.contains("runnerImages:"), "no settings shown");
    assert_eq!(
        fm_operator::config_file::parse(&shown, fm_desired::Options::default()),
        Ok(fm_desired::Options::default())
    );
}
