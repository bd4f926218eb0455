//! Operator-wide settings and the cluster ConfigMap values that shape the desired objects.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

/// Default runner image tag: the Pulsar release the StreamNative runner images are built
/// from. Upstream's built-in default (`2.10.0.0-rc10`) is years old; its own samples use 3.2.
pub const DEFAULT_RUNNER_TAG: &str = "3.2.2.1";

/// Images used when a spec has no `image`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerImages {
    pub java: String,
    pub python: String,
    pub go: String,
    /// Connector (Source/Sink) image when the connector is not downloaded as a package:
    /// the built-in connectors ship in `pulsar-all`.
    pub connectors: String,
    /// Generic runtime images by `language`.
    pub generic: BTreeMap<String, String>,
}

impl Default for RunnerImages {
    fn default() -> Self {
        let runner = |lang: &str| {
            format!("streamnative/pulsar-functions-{lang}-runner:{DEFAULT_RUNNER_TAG}")
        };
        let generic = [
            ("nodejs", "nodejs"),
            ("python", "python"),
            ("executable", "base"),
            ("wasm", "base"),
        ]
        .into_iter()
        .map(|(lang, flavour)| {
            (
                lang.to_owned(),
                format!("streamnative/pulsar-functions-generic-{flavour}-runner:0.1.0"),
            )
        })
        .collect();
        RunnerImages {
            java: runner("java"),
            python: runner("python"),
            go: runner("go"),
            connectors: format!("streamnative/pulsar-all:{DEFAULT_RUNNER_TAG}"),
            generic,
        }
    }
}

/// Operator-wide knobs (upstream: flags and the controller config file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub runner_images: RunnerImages,
    /// Pull policy for specs that set none; `None` leaves it to the API server's default.
    pub image_pull_policy: Option<String>,
    /// Added to every pod's `imagePullSecrets` (private runner registries).
    pub image_pull_secrets: Vec<String>,
    /// Spread replicas over nodes with a preferred pod anti-affinity (`--add-default-affinity`).
    pub default_affinity: bool,
    /// Labels and annotations added to every pod template (controller config).
    pub resource_labels: BTreeMap<String, String>,
    pub resource_annotations: BTreeMap<String, String>,
    /// Mount the root filesystem read-only where the runner allows it (Java, Go).
    pub read_only_root_filesystem: bool,
    /// Download packages in a `downloader` init container instead of in the main container
    /// (upstream's `--enable-init-containers`).
    pub download_in_init_container: bool,
    /// Image of that init container when the spec has no `downloaderImage`.
    pub downloader_image: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runner_images: RunnerImages::default(),
            image_pull_policy: None,
            image_pull_secrets: Vec::new(),
            default_affinity: true,
            resource_labels: BTreeMap::new(),
            resource_annotations: BTreeMap::new(),
            read_only_root_filesystem: true,
            download_in_init_container: false,
            downloader_image: crate::download::DEFAULT_DOWNLOADER_IMAGE.to_owned(),
        }
    }
}

/// The values of the `spec.pulsar.pulsarConfig` ConfigMap, when known. Pods read them through
/// `envFrom`; here they only feed a digest annotation, so that changing them rolls the pods.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterConfig {
    pub data: BTreeMap<String, String>,
}

impl ClusterConfig {
    pub fn from_config_map(cm: &ConfigMap) -> ClusterConfig {
        ClusterConfig {
            data: cm.data.clone().unwrap_or_default(),
        }
    }

    pub fn web_service_url(&self) -> Option<&str> {
        self.data.get("webServiceURL").map(String::as_str)
    }

    pub fn broker_service_url(&self) -> Option<&str> {
        self.data.get("brokerServiceURL").map(String::as_str)
    }

    /// A stable 64-bit FNV-1a digest of the data (hex). Not cryptographic: it only needs to
    /// change when the data changes, and to be identical across processes and versions.
    pub fn digest(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (k, v) in &self.data {
            for b in k.bytes().chain([0u8]).chain(v.bytes()).chain([0u8]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_stable_and_sensitive() {
        let mut a = ClusterConfig::default();
        a.data
            .insert("brokerServiceURL".into(), "pulsar://a:6650".into());
        let d1 = a.digest();
        assert_eq!(d1, a.clone().digest());
        a.data
            .insert("brokerServiceURL".into(), "pulsar://b:6650".into());
        assert_ne!(d1, a.digest());
        assert_eq!(ClusterConfig::default().digest(), "cbf29ce484222325");
    }
}
