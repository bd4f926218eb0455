//! The filebeat sidecar that publishes the instance's log files to `logTopic` when
//! `logTopicAgent` is `sidecar` (upstream: `makeFilebeatContainer`, `generateFilebeatVolumes`
//! and `GenerateContainerVolumeMounts` in `controllers/spec/common.go`, its configuration
//! `controllers/spec/template/filebeat-config.yaml.tmpl`). The instance then writes its logs
//! to rolling files in the shared `filebeat-logs` volume (see `logging`) instead of sending
//! them to the topic itself.

use fm_api::common::{AuthConfig, LogTopicAgent};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EnvFromSource, EnvVar, SecurityContext, VolumeMount,
};

use crate::component::Component;
use crate::violation::Violation;

pub const CONTAINER: &str = "filebeat";
/// Upstream's default image (`DefaultFilebeatImage`).
pub const DEFAULT_IMAGE: &str = "streamnative/filebeat:v0.6.0";
/// The emptyDir the instance writes its log files to and filebeat reads them from.
pub const VOLUME: &str = "filebeat-logs";
/// Where it is mounted in both containers: the instances' log directory.
pub const LOG_DIR: &str = "/pulsar/logs/functions";
/// Where the configuration is written (upstream's `DefaultFilebeatConfig`).
pub const CONFIG_PATH: &str = "/usr/share/filebeat/config/filebeat.yaml";
const TOKEN_PLUGIN: &str = "org.apache.pulsar.client.impl.auth.AuthenticationToken";

/// filebeat's configuration, as upstream's template renders it, except the input path: `**`
/// also reaches the Python instance's per-function subdirectories (README). The `\$` become
/// `$` in the double-quoted `echo` below; filebeat then expands `${…}` from its environment.
pub const CONFIG: &str = r#"filebeat.inputs:
- type: log
  paths:
  - /pulsar/logs/functions/**/*.log
output.pulsar:
  fast_fail: true
  url: \${brokerServiceURL}
  topic: \${logTopic}
  name: \${POD_NAME}
  token: \${clientAuthenticationParameters:""}
  oauth2:
    enabled: \${oauth2Enabled:false}
    issuerUrl: \${oauth2IssuerUrl:""}
    privateKey: \${oauth2PrivateKey:""}
    audience: \${oauth2Audience:""}
    scope: \${oauth2Scope:""}
log_level: info"#;

/// Whether the resource gets the sidecar: `logTopicAgent: sidecar` and a log topic to send
/// to. (Upstream also added the volume and rolling log files without a log topic, for no
/// reader.)
pub fn wanted(c: &Component<'_>) -> bool {
    c.common.log_topic_agent == Some(LogTopicAgent::Sidecar)
        && c.common.log_topic.as_deref().is_some_and(|t| !t.is_empty())
}

/// The container command: upstream's, byte for byte.
pub fn command() -> Vec<String> {
    vec![
        "/bin/sh".to_owned(),
        "-c".to_owned(),
        "--".to_owned(),
        format!(
            "echo \"{CONFIG}\" > {CONFIG_PATH} && /usr/share/filebeat/filebeat -e -c {CONFIG_PATH}"
        ),
    ]
}

fn var(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: Some(value.to_owned()),
        value_from: None,
    }
}

/// The OAuth2 settings filebeat's Pulsar output reads, from the resource's `authConfig`; a
/// token for the token plugin. Other plugins give filebeat nothing (it supports only these).
fn auth_env(auth: Option<&AuthConfig>, oauth2_dir: &str) -> Result<Vec<EnvVar>, Violation> {
    let Some(auth) = auth else {
        return Ok(Vec::new());
    };
    let oauth2 = |issuer: &str, audience: &str, key: &str, scope: Option<&str>| {
        let mut env = vec![
            var("oauth2Enabled", "true"),
            var("oauth2IssuerUrl", issuer),
            var("oauth2Audience", audience),
            var("oauth2PrivateKey", key),
        ];
        if let Some(scope) = scope.filter(|s| !s.is_empty()) {
            env.push(var("oauth2Scope", scope));
        }
        env
    };
    if let Some(g) = &auth.generic_auth {
        return match g.client_authentication_plugin.as_str() {
            TOKEN_PLUGIN => Ok(vec![var(
                "clientAuthenticationParameters",
                &g.client_authentication_parameters,
            )]),
            crate::command::auth::OAUTH2_PLUGIN => {
                // Upstream dropped the whole sidecar, silently, when these did not parse.
                let params: std::collections::BTreeMap<String, serde_json::Value> =
                    serde_json::from_str(&g.client_authentication_parameters).map_err(|e| {
                        Violation::new(
                            "pulsar.authConfig.genericAuth.clientAuthenticationParameters",
                            format!("the filebeat sidecar needs the OAuth2 parameters as a JSON object: {e}"),
                        )
                    })?;
                let field = |k: &str| params.get(k).and_then(|v| v.as_str()).unwrap_or("");
                Ok(oauth2(
                    field("issuerUrl"),
                    field("audience"),
                    field("privateKey"),
                    Some(field("scope")),
                ))
            }
            _ => Ok(Vec::new()),
        };
    }
    Ok(auth
        .oauth2_config
        .as_ref()
        .map(|o| {
            oauth2(
                &o.issuer_url,
                &o.audience,
                &format!("{oauth2_dir}/{}", o.key_secret_key),
                o.scope.as_deref(),
            )
        })
        .unwrap_or_default())
}

/// The sidecar. `env_from` and `credential_mounts` are the main container's (the cluster
/// ConfigMap and the messaging Secrets; the TLS and OAuth2 files), `user_mounts` the spec's
/// `volumeMounts`.
pub fn container(
    c: &Component<'_>,
    env_from: Option<Vec<EnvFromSource>>,
    user_mounts: &[VolumeMount],
    credential_mounts: Vec<VolumeMount>,
) -> Result<Container, Violation> {
    let log_topic = c.common.log_topic.clone().unwrap_or_default();
    let mut env: Vec<EnvVar> = c
        .common
        .pod
        .as_ref()
        .and_then(|p| p.env.clone())
        .unwrap_or_default();
    env.push(var("logTopic", &log_topic));
    env.push(crate::statefulset::pod_name_env());
    env.extend(auth_env(
        c.auth_config(),
        crate::command::auth::Mounts::MAIN.oauth2_dir,
    )?);
    // One entry per name (server-side apply refuses repeated keys): the later one wins.
    let mut unique: Vec<EnvVar> = Vec::with_capacity(env.len());
    for v in env {
        match unique.iter_mut().find(|u| u.name == v.name) {
            Some(existing) => *existing = v,
            None => unique.push(v),
        }
    }
    let mut mounts = user_mounts.to_vec();
    mounts.push(VolumeMount {
        name: VOLUME.to_owned(),
        mount_path: LOG_DIR.to_owned(),
        ..Default::default()
    });
    mounts.extend(credential_mounts);
    Ok(Container {
        name: CONTAINER.to_owned(),
        image: Some(
            c.common
                .filebeat_image
                .clone()
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| DEFAULT_IMAGE.to_owned()),
        ),
        command: Some(command()),
        env: Some(unique),
        env_from,
        image_pull_policy: Some("IfNotPresent".to_owned()),
        volume_mounts: Some(mounts),
        // Upstream's: filebeat's image runs as its own user and writes its configuration.
        security_context: Some(SecurityContext {
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".to_owned()]),
                add: None,
            }),
            allow_privilege_escalation: Some(false),
            run_as_user: Some(1000),
            ..Default::default()
        }),
        ..Default::default()
    })
}
