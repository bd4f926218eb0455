//! The operator's configuration file (`fm-operator run --config FILE`, `render --config FILE`):
//! operator-wide settings of the generated pods. The shape is upstream's controller
//! configuration (`controllers/spec/controller_configs.go`, the chart's ConfigMap
//! `function-mesh-controller-manager-configs`), so an upstream ConfigMap's `config.yaml` reads
//! unchanged; `runnerImages.connectors`, `enableInitContainers` and `downloaderImage` are ours.
//!
//! Read once at start: every problem of the file is reported together and the operator does
//! not start. Unlike upstream (which matched keys case-insensitively and ignored unknown
//! ones, `imagePullPolicy` among them), keys are exact and an unknown key is an error.

use std::collections::BTreeMap;

use fm_desired::Options;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    runner_images: Option<RunnerImagesFile>,
    runner_image_pull_secrets: Option<Vec<PullSecret>>,
    runner_image_pull_policy: Option<String>,
    resource_labels: Option<BTreeMap<String, String>>,
    resource_annotations: Option<BTreeMap<String, String>>,
    enable_init_containers: Option<bool>,
    downloader_image: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunnerImagesFile {
    java: Option<String>,
    python: Option<String>,
    go: Option<String>,
    connectors: Option<String>,
    generic_runtime: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullSecret {
    name: String,
}

/// A configuration file that cannot be used; every problem is named.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration file {path}: {}", problems.join("; "))]
pub struct ConfigError {
    pub path: String,
    pub problems: Vec<String>,
}

/// Reads `path` and applies it over `base` (the defaults and the flags).
pub fn load(path: &str, base: Options) -> Result<Options, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_owned(),
        problems: vec![format!("cannot be read: {e}")],
    })?;
    parse(&text, base).map_err(|problems| ConfigError {
        path: path.to_owned(),
        problems,
    })
}

/// Applies the configuration `text` over `base`; an empty file changes nothing (as upstream).
/// Every problem is returned.
pub fn parse(text: &str, base: Options) -> Result<Options, Vec<String>> {
    let file: File = if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
    {
        File::default()
    } else {
        serde_yaml_ng::from_str::<File>(text).map_err(|e| vec![e.to_string()])?
    };
    let mut options = base;
    let mut problems = Vec::new();
    let mut image = |key: &str, value: Option<String>, into: &mut String| {
        if let Some(value) = value {
            match check_image(&value) {
                Ok(()) => *into = value,
                Err(why) => problems.push(format!("{key}: {why}")),
            }
        }
    };
    if let Some(images) = file.runner_images {
        let target = &mut options.runner_images;
        image("runnerImages.java", images.java, &mut target.java);
        image("runnerImages.python", images.python, &mut target.python);
        image("runnerImages.go", images.go, &mut target.go);
        image(
            "runnerImages.connectors",
            images.connectors,
            &mut target.connectors,
        );
        // Added to the built-in languages (nodejs, python, executable, wasm), as upstream.
        for (language, value) in images.generic_runtime.into_iter().flatten() {
            let entry = target.generic.entry(language.clone()).or_default();
            image(
                &format!("runnerImages.genericRuntime.{language}"),
                Some(value),
                entry,
            );
        }
    }
    let mut downloader = options.downloader_image.clone();
    image("downloaderImage", file.downloader_image, &mut downloader);
    options.downloader_image = downloader;

    if let Some(secrets) = file.runner_image_pull_secrets {
        let mut names = Vec::new();
        for (i, secret) in secrets.into_iter().enumerate() {
            if !is_dns1123_subdomain(&secret.name) {
                problems.push(format!(
                    "runnerImagePullSecrets[{i}].name: `{}` is not a Secret name (lower-case letters, digits, `-` and `.`, at most 253)",
                    secret.name
                ));
            } else if !names.contains(&secret.name) {
                names.push(secret.name);
            }
        }
        options.image_pull_secrets = names;
    }
    if let Some(policy) = file.runner_image_pull_policy {
        if ["Always", "IfNotPresent", "Never"].contains(&policy.as_str()) {
            options.image_pull_policy = Some(policy);
        } else {
            problems.push(format!(
                "runnerImagePullPolicy: `{policy}` is not one of Always, IfNotPresent, Never"
            ));
        }
    }
    if let Some(labels) = file.resource_labels {
        for (key, value) in &labels {
            if let Err(why) = check_qualified_name(key) {
                problems.push(format!("resourceLabels: key `{key}` {why}"));
            }
            if !is_label_value(value) {
                problems.push(format!(
                    "resourceLabels.{key}: `{value}` is not a label value (at most 63 letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit)"
                ));
            }
        }
        options.resource_labels = labels;
    }
    if let Some(annotations) = file.resource_annotations {
        for key in annotations.keys() {
            if let Err(why) = check_qualified_name(key) {
                problems.push(format!("resourceAnnotations: key `{key}` {why}"));
            }
        }
        options.resource_annotations = annotations;
    }
    if let Some(init) = file.enable_init_containers {
        options.download_in_init_container = init;
    }
    if problems.is_empty() {
        Ok(options)
    } else {
        Err(problems)
    }
}

/// An image reference as Kubernetes takes it: not empty, no blanks or control characters.
fn check_image(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("an image cannot be empty".into());
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{value}` is not an image reference (it contains a blank)"
        ));
    }
    Ok(())
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9_.-]` with alphanumerics at both ends.
fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain, the name a
/// non-empty label value.
fn check_qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if !is_dns1123_subdomain(prefix) {
            return Err(format!(
                "has the prefix `{prefix}`, which is not a DNS subdomain"
            ));
        }
    }
    if name.is_empty() || !is_label_value(name) {
        return Err(
            "is not a key (`[prefix/]name`, the name at most 63 letters, digits, `-`, `_`, `.`)"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// upstream's `testdata/controller_configs.yaml`, read by its `TestParseConfigFiles`.
    const UPSTREAM: &str = "runnerImages:
  java: streamnative/pulsar-functions-java-runner:latest
  python: streamnative/pulsar-functions-python-runner:latest
  go: streamnative/pulsar-functions-go-runner:latest
resourceLabels:
  functionmesh.io/managedBy: function-mesh
  foo: bar
resourceAnnotations:
  fooAnnotation: barAnnotation
";

    #[test]
    fn upstreams_test_file_reads_as_upstreams_test_expects() {
        let o = parse(UPSTREAM, Options::default()).expect("valid");
        assert_eq!(
            o.runner_images.java,
            "streamnative/pulsar-functions-java-runner:latest"
        );
        assert_eq!(
            o.runner_images.python,
            "streamnative/pulsar-functions-python-runner:latest"
        );
        assert_eq!(
            o.runner_images.go,
            "streamnative/pulsar-functions-go-runner:latest"
        );
        assert_eq!(o.resource_labels.len(), 2);
        assert_eq!(
            o.resource_labels["functionmesh.io/managedBy"],
            "function-mesh"
        );
        assert_eq!(o.resource_labels["foo"], "bar");
        assert_eq!(o.resource_annotations.len(), 1);
        assert_eq!(o.resource_annotations["fooAnnotation"], "barAnnotation");
        // What the file does not set keeps its default.
        assert_eq!(
            o.runner_images.connectors,
            Options::default().runner_images.connectors
        );
        assert_eq!(
            o.runner_images.generic,
            Options::default().runner_images.generic
        );
    }

    /// upstream's `testdata/empty_controller_configs.yaml` (`TestParseEmptyConfigFiles`).
    #[test]
    fn an_empty_file_changes_nothing() {
        for text in ["", "---\n", "# nothing yet\n", "\n\n"] {
            assert_eq!(
                parse(text, Options::default()),
                Ok(Options::default()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_setting_of_the_chart_configmap() {
        let text = "runnerImages:
  java: registry.example/java-runner:4.0.1
  python: registry.example/python-runner:4.0.1
  go: registry.example/go-runner:4.0.1
  connectors: registry.example/pulsar-all:4.0.1
  genericRuntime:
    nodejs: registry.example/node-runner:1
    rust: registry.example/rust-runner:1
runnerImagePullSecrets:
  - name: registry-a
  - name: registry-b
  - name: registry-a
runnerImagePullPolicy: Always
resourceLabels: {team: data}
resourceAnnotations: {example.com/owner: data-team}
enableInitContainers: true
downloaderImage: registry.example/pulsarctl:4.0
";
        let o = parse(text, Options::default()).expect("valid");
        assert_eq!(
            o.runner_images.connectors,
            "registry.example/pulsar-all:4.0.1"
        );
        assert_eq!(
            o.runner_images.generic["nodejs"],
            "registry.example/node-runner:1"
        );
        assert_eq!(
            o.runner_images.generic["rust"],
            "registry.example/rust-runner:1"
        );
        assert_eq!(
            o.runner_images.generic["wasm"],
            Options::default().runner_images.generic["wasm"]
        );
        assert_eq!(o.image_pull_secrets, vec!["registry-a", "registry-b"]);
        assert_eq!(o.image_pull_policy.as_deref(), Some("Always"));
        assert_eq!(o.resource_labels["team"], "data");
        assert_eq!(o.resource_annotations["example.com/owner"], "data-team");
        assert!(o.download_in_init_container);
        assert_eq!(o.downloader_image, "registry.example/pulsarctl:4.0");
    }

    #[test]
    fn flags_below_the_file_are_kept() {
        let base = Options {
            default_affinity: false,
            ..Options::default()
        };
        let o = parse("runnerImagePullPolicy: Never\n", base).expect("valid");
        assert!(!o.default_affinity);
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it_and_the_known_ones() {
        let problems = parse("imagePullPolicy: Always\n", Options::default()).unwrap_err();
        assert_eq!(
            problems,
            vec!["unknown field `imagePullPolicy`, expected one of `runnerImages`, `runnerImagePullSecrets`, `runnerImagePullPolicy`, `resourceLabels`, `resourceAnnotations`, `enableInitContainers`, `downloaderImage`"]
        );
        let problems = parse("runnerImages:\n  javaa: x\n", Options::default()).unwrap_err();
        assert_eq!(
            problems,
            vec!["runnerImages: unknown field `javaa`, expected one of `java`, `python`, `go`, `connectors`, `genericRuntime` at line 2 column 3"]
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let text = "runnerImages:
  java: ''
  go: 'go runner:1'
runnerImagePullSecrets:
  - name: Not_A_Name
runnerImagePullPolicy: always
resourceLabels:
  'bad key!': x
  team: 'not a value'
resourceAnnotations:
  'Example.com/x': y
";
        let problems = parse(text, Options::default()).unwrap_err();
        assert_eq!(
            problems,
            vec![
                "runnerImages.java: an image cannot be empty",
                "runnerImages.go: `go runner:1` is not an image reference (it contains a blank)",
                "runnerImagePullSecrets[0].name: `Not_A_Name` is not a Secret name (lower-case letters, digits, `-` and `.`, at most 253)",
                "runnerImagePullPolicy: `always` is not one of Always, IfNotPresent, Never",
                "resourceLabels: key `bad key!` is not a key (`[prefix/]name`, the name at most 63 letters, digits, `-`, `_`, `.`)",
                "resourceLabels.team: `not a value` is not a label value (at most 63 letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit)",
                "resourceAnnotations: key `Example.com/x` has the prefix `Example.com`, which is not a DNS subdomain",
            ]
        );
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        let problems = parse("enableInitContainers: maybe\n", Options::default()).unwrap_err();
        assert_eq!(
            problems,
            vec!["enableInitContainers: invalid type: string \"maybe\", expected a boolean at line 1 column 23"]
        );
    }

    #[test]
    fn a_missing_file_says_which() {
        let e = load("/nonexistent/fm-operator.yaml", Options::default()).unwrap_err();
        assert_eq!(e.path, "/nonexistent/fm-operator.yaml");
        assert!(
            e.to_string()
                .starts_with("configuration file /nonexistent/fm-operator.yaml: cannot be read: "),
            "{e}"
        );
    }
}
