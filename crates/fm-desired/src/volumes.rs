//! Volumes and mounts of the pod: the user's, credential files, crypto keys, log
//! configuration, and the emptyDirs a read-only root filesystem needs.

use std::collections::BTreeMap;

use fm_api::common::{CryptoConfig, PulsarMessaging};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, EmptyDirVolumeSource, KeyToPath, SecretVolumeSource, Volume, VolumeMount,
};

use crate::command::auth::{self, Mounts};
use crate::command::{LogFiles, Plan};
use crate::component::Component;
use crate::download::{DOWNLOAD_DIR, DOWNLOAD_VOLUME};
use crate::logging::{JavaLogSetup, PythonLogSetup, JAVA_LOG_DIR};
use crate::naming::volume_name;
use crate::violation::Violation;

/// Writable paths of the Java and Go runners, backed by emptyDirs under a read-only root:
/// instance and GC logs, heap dumps, and `java.io.tmpdir` (where connector NARs unpack).
pub const WRITABLE_DIRS: [(&str, &str); 3] = [
    ("fm-logs", "/pulsar/logs"),
    ("fm-pulsar-tmp", "/pulsar/tmp"),
    ("fm-tmp", "/tmp"),
];
pub const LOG_CONF_VOLUME: &str = "fm-log-conf";
/// Scratch `HOME` of the init-container downloader (pulsarctl writes its config there).
pub const DOWNLOADER_HOME_VOLUME: &str = "fm-downloader-home";
pub const DOWNLOADER_HOME: &str = "/tmp";

#[derive(Default)]
pub struct PodFiles {
    pub volumes: Vec<Volume>,
    pub mounts: Vec<VolumeMount>,
    pub problems: Vec<Violation>,
}

impl PodFiles {
    fn add_volume(&mut self, volume: Volume) {
        match self.volumes.iter().find(|v| v.name == volume.name) {
            // Two credentials from the same Secret key share one volume.
            Some(existing) if *existing == volume => {}
            Some(_) => self.problems.push(Violation::new(
                "pod.volumes",
                format!(
                    "the volume name `{}` is used by two different volumes (names of generated \
                     volumes: fm-*, <secret>-<key>, <configmap>-java-log-conf / -python-log-conf)",
                    volume.name
                ),
            )),
            None => self.volumes.push(volume),
        }
    }

    fn add_mount(&mut self, name: &str, path: &str) {
        if self.mounts.iter().any(|m| m.mount_path == path) {
            if !self
                .mounts
                .iter()
                .any(|m| m.mount_path == path && m.name == name)
            {
                self.problems.push(Violation::new(
                    "volumeMounts",
                    format!("two volumes are mounted at `{path}`"),
                ));
            }
            return;
        }
        self.mounts.push(VolumeMount {
            name: name.to_owned(),
            mount_path: path.to_owned(),
            read_only: None,
            ..Default::default()
        });
    }

    fn secret_key(&mut self, secret: &str, key: &str, dir: &str) {
        let name = volume_name(&format!("{secret}-{key}"));
        self.add_volume(Volume {
            name: name.clone(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.to_owned()),
                items: Some(vec![KeyToPath {
                    key: key.to_owned(),
                    path: key.to_owned(),
                    mode: None,
                }]),
                ..Default::default()
            }),
            ..Default::default()
        });
        self.add_mount(&name, dir);
    }

    /// A scratch directory; skipped when the user already mounts something there.
    fn empty_dir(&mut self, name: &str, dir: &str) {
        if self.mounts.iter().any(|m| m.mount_path == dir) {
            return;
        }
        self.add_volume(Volume {
            name: name.to_owned(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Default::default()
        });
        self.add_mount(name, dir);
    }

    /// The user's log configuration: key `key` of ConfigMap `cm` appears as the file `path`
    /// (whose directory is mounted), whatever the key is called.
    fn config_map(&mut self, cm: &str, key: &str, suffix: &str, path: &str) {
        let name = volume_name(&format!("{cm}-{suffix}"));
        let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
        self.add_volume(Volume {
            name: name.clone(),
            config_map: Some(ConfigMapVolumeSource {
                name: cm.to_owned(),
                items: Some(vec![KeyToPath {
                    key: key.to_owned(),
                    path: file.to_owned(),
                    mode: None,
                }]),
                ..Default::default()
            }),
            ..Default::default()
        });
        self.add_mount(&name, dir);
    }

    fn credentials(&mut self, m: Option<&PulsarMessaging>, mounts: Mounts) {
        let Some(m) = m else { return };
        if let Some(t) = &m.tls_config {
            if auth::tls_cert_path(m, mounts).is_some() {
                if let (Some(name), Some(key)) = (&t.cert_secret_name, &t.cert_secret_key) {
                    self.secret_key(name, key, mounts.tls_dir);
                }
            }
        }
        if let Some(o) = m
            .auth_config
            .as_ref()
            .and_then(|a| a.oauth2_config.as_ref())
        {
            self.secret_key(&o.key_secret_name, &o.key_secret_key, mounts.oauth2_dir);
        }
    }

    fn crypto(&mut self, cfg: Option<&CryptoConfig>) {
        for s in cfg
            .and_then(|c| c.crypto_secrets.as_ref())
            .into_iter()
            .flatten()
        {
            if let Some(dir) = s.as_volume.as_deref().filter(|d| !d.is_empty()) {
                self.secret_key(&s.secret_name, &s.secret_key, dir);
            }
        }
    }
}

/// Everything mounted into the main container, in a fixed order.
pub fn pod_files(c: &Component<'_>, plan: &Plan, read_only_root: bool) -> PodFiles {
    let mut f = PodFiles::default();
    let pod = c.common.pod.as_ref();
    for v in pod.and_then(|p| p.volumes.as_ref()).into_iter().flatten() {
        f.add_volume(v.clone());
    }
    for m in c.common.volume_mounts.iter().flatten() {
        if f.mounts.iter().any(|x| x.mount_path == m.mount_path) {
            f.problems.push(Violation::new(
                "volumeMounts",
                format!("two volumes are mounted at `{}`", m.mount_path),
            ));
        } else {
            f.mounts.push(m.clone());
        }
    }
    // Upstream's order: the log files filebeat ships, credentials, producer keys, consumer
    // keys, log configuration, the package service's credentials.
    if crate::filebeat::wanted(c) {
        f.empty_dir(crate::filebeat::VOLUME, crate::filebeat::LOG_DIR);
    }
    f.credentials(c.pulsar(), Mounts::MAIN);

    let (input, output) = (c.specific.input(), c.specific.output());
    f.crypto(
        output
            .and_then(|o| o.producer_conf.as_ref())
            .and_then(|p| p.crypto_config.as_ref()),
    );
    for spec in input
        .and_then(|i| i.source_specs.as_ref())
        .map(BTreeMap::values)
        .into_iter()
        .flatten()
    {
        f.crypto(spec.crypto_config.as_ref());
    }

    match &plan.log_files {
        LogFiles::Java(JavaLogSetup::User {
            config_map,
            key,
            path,
        }) => f.config_map(config_map, key, "java-log-conf", path),
        LogFiles::Python(PythonLogSetup::User {
            config_map,
            key,
            path,
        }) => f.config_map(config_map, key, "python-log-conf", path),
        LogFiles::Java(JavaLogSetup::Generated { .. }) if read_only_root => {
            f.empty_dir(LOG_CONF_VOLUME, JAVA_LOG_DIR)
        }
        _ => {}
    }
    f.credentials(
        c.common.pulsar_package_service.as_ref(),
        Mounts::PACKAGE_SERVICE,
    );
    if read_only_root {
        for (name, dir) in WRITABLE_DIRS {
            f.empty_dir(name, dir);
        }
    }
    if plan.downloads {
        f.empty_dir(DOWNLOAD_VOLUME, DOWNLOAD_DIR);
    }
    if plan.init_download.is_some() {
        // A volume only: mounted in the downloader, not in the main container.
        f.add_volume(Volume {
            name: DOWNLOADER_HOME_VOLUME.to_owned(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Default::default()
        });
    }
    f
}
