//! Authentication and TLS arguments, for the instance runners and for the admin tools that
//! download packages. New-style `authConfig` / `tlsConfig` win over the legacy Secrets
//! (`authSecret`, `tlsSecret`), whose keys arrive as env vars through `envFrom`.

use fm_api::common::{OAuth2Config, PulsarMessaging};
use serde_json::json;

use crate::quoting::Word;

pub const OAUTH2_PLUGIN: &str = "org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2";

/// Where credentials of one messaging block are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mounts {
    /// Prefix of the env vars injected from its ConfigMap and Secrets.
    pub env_prefix: &'static str,
    pub oauth2_dir: &'static str,
    pub tls_dir: &'static str,
}

impl Mounts {
    pub const MAIN: Mounts = Mounts {
        env_prefix: "",
        oauth2_dir: "/etc/oauth2",
        tls_dir: "/etc/tls/pulsar-functions",
    };
    pub const PACKAGE_SERVICE: Mounts = Mounts {
        env_prefix: "PACKAGE_",
        oauth2_dir: "/etc/oauth2-package-service",
        tls_dir: "/etc/tls/pulsar-functions-package-service",
    };

    fn env(&self, name: &str) -> String {
        format!("\"${{{}{name}}}\"", self.env_prefix)
    }

    fn env_or(&self, name: &str, default: &str) -> String {
        format!("\"${{{}{name}:-{default}}}\"", self.env_prefix)
    }
}

/// OAuth2 client-credential parameters. Both spellings are given: the Java client reads the
/// camelCase keys, the C++ client under the Python and Go instances the snake_case ones.
pub fn oauth2_params(o: &OAuth2Config, dir: &str) -> String {
    let key_file = format!("file://{dir}/{}", o.key_secret_key);
    let mut v = json!({
        "type": "client_credentials",
        "privateKey": key_file,
        "private_key": key_file,
        "credentials_url": key_file,
        "issuerUrl": o.issuer_url,
        "issuer_url": o.issuer_url,
        "audience": o.audience,
    });
    if let (Some(scope), Some(map)) = (
        o.scope.as_deref().filter(|s| !s.is_empty()),
        v.as_object_mut(),
    ) {
        map.insert("scope".into(), json!(scope));
    }
    v.to_string()
}

/// `(plugin, params)` words, or nothing when the block has no authentication.
pub fn plugin_and_params(m: Option<&PulsarMessaging>, mounts: Mounts) -> Option<(Word, Word)> {
    let m = m?;
    if let Some(a) = &m.auth_config {
        if let Some(o) = &a.oauth2_config {
            return Some((
                Word::lit(OAUTH2_PLUGIN),
                Word::lit(oauth2_params(o, mounts.oauth2_dir)),
            ));
        }
        if let Some(g) = &a.generic_auth {
            return Some((
                Word::lit(&g.client_authentication_plugin),
                Word::lit(&g.client_authentication_parameters),
            ));
        }
    }
    m.auth_secret.as_deref().filter(|s| !s.is_empty()).map(|_| {
        (
            Word::raw(mounts.env("clientAuthenticationPlugin")),
            Word::raw(mounts.env("clientAuthenticationParameters")),
        )
    })
}

/// `--client_auth_plugin P --client_auth_params A` for the Java/Python/generic instances.
pub fn instance_auth_args(m: Option<&PulsarMessaging>) -> Vec<Word> {
    match plugin_and_params(m, Mounts::MAIN) {
        Some((plugin, params)) => vec![
            Word::lit("--client_auth_plugin"),
            plugin,
            Word::lit("--client_auth_params"),
            params,
        ],
        None => Vec::new(),
    }
}

/// TLS flags for an instance runner. `allow_insecure_flag` differs per runner: the Java
/// instance calls it `--tls_allow_insecure`, the Python one `--tls_allow_insecure_connection`.
pub fn instance_tls_args(m: Option<&PulsarMessaging>, allow_insecure_flag: &str) -> Vec<Word> {
    fn lit(s: impl Into<String>) -> Word {
        Word::lit(s)
    }
    let bool_word = |b: bool| Word::lit(if b { "true" } else { "false" });
    let Some(m) = m else {
        return vec![lit("--use_tls"), lit("false")];
    };
    if let Some(t) = &m.tls_config {
        let enabled = t.enabled.unwrap_or(false);
        let mut args = vec![lit("--use_tls"), bool_word(enabled)];
        if enabled {
            args.extend([
                lit(allow_insecure_flag),
                bool_word(t.allow_insecure.unwrap_or(false)),
                lit("--hostname_verification_enabled"),
                bool_word(t.hostname_verification.unwrap_or(true)),
            ]);
            if let Some(path) = tls_cert_path(m, Mounts::MAIN) {
                args.extend([lit("--tls_trust_cert_path"), lit(path)]);
            }
        }
        return args;
    }
    if m.tls_secret.as_deref().is_some_and(|s| !s.is_empty()) {
        let mounts = Mounts::MAIN;
        return vec![
            lit("--use_tls"),
            lit("true"),
            lit(allow_insecure_flag),
            Word::raw(mounts.env_or("tlsAllowInsecureConnection", "false")),
            lit("--hostname_verification_enabled"),
            Word::raw(mounts.env_or("tlsHostnameVerificationEnable", "true")),
            lit("--tls_trust_cert_path"),
            Word::raw(mounts.env("tlsTrustCertsFilePath")),
        ];
    }
    vec![lit("--use_tls"), lit("false")]
}

/// Path of the mounted CA certificate of a `tlsConfig`, when one is mounted.
pub fn tls_cert_path(m: &PulsarMessaging, mounts: Mounts) -> Option<String> {
    let t = m.tls_config.as_ref()?;
    let (name, key) = (
        t.cert_secret_name.as_deref()?,
        t.cert_secret_key.as_deref()?,
    );
    (!name.is_empty() && !key.is_empty()).then(|| format!("{}/{key}", mounts.tls_dir))
}

/// `--auth-plugin P --auth-params A` for pulsar-admin / pulsarctl.
pub fn admin_auth_args(m: Option<&PulsarMessaging>, mounts: Mounts) -> Vec<Word> {
    match plugin_and_params(m, mounts) {
        Some((plugin, params)) => vec![
            Word::lit("--auth-plugin"),
            plugin,
            Word::lit("--auth-params"),
            params,
        ],
        None => Vec::new(),
    }
}

/// TLS options of pulsar-admin / pulsarctl (boolean switches, not valued flags).
pub fn admin_tls_args(m: Option<&PulsarMessaging>, mounts: Mounts) -> Vec<Word> {
    let Some(m) = m else { return Vec::new() };
    fn lit(s: impl Into<String>) -> Word {
        Word::lit(s)
    }
    if let Some(t) = &m.tls_config {
        let mut args = Vec::new();
        if t.enabled.unwrap_or(false) {
            if t.allow_insecure.unwrap_or(false) {
                args.push(lit("--tls-allow-insecure"));
            }
            if t.hostname_verification.unwrap_or(true) {
                args.push(lit("--tls-enable-hostname-verification"));
            }
            if let Some(path) = tls_cert_path(m, mounts) {
                args.extend([lit("--tls-trust-cert-path"), lit(path)]);
            }
        }
        return args;
    }
    if m.tls_secret.as_deref().is_some_and(|s| !s.is_empty()) {
        // The legacy Secret's values are only known at run time: turn them into switches there.
        let p = mounts.env_prefix;
        return vec![
            Word::raw(format!(
                "$([ \"${{{p}tlsAllowInsecureConnection:-false}}\" = true ] && echo --tls-allow-insecure)"
            )),
            Word::raw(format!(
                "$([ \"${{{p}tlsHostnameVerificationEnable:-true}}\" = true ] && echo --tls-enable-hostname-verification)"
            )),
            lit("--tls-trust-cert-path"),
            Word::raw(mounts.env("tlsTrustCertsFilePath")),
        ];
    }
    Vec::new()
}

/// TLS arguments of pulsarctl, written as upstream writes them (`getPulsarctlCommandWithEnv`
/// in `controllers/spec/common.go`): both switches with an explicit `=true|false`.
pub fn pulsarctl_tls_args(m: Option<&PulsarMessaging>, mounts: Mounts) -> Vec<Word> {
    let Some(m) = m else { return Vec::new() };
    if let Some(t) = &m.tls_config {
        if !t.enabled.unwrap_or(false) {
            return Vec::new();
        }
        let mut args = vec![
            Word::lit(format!(
                "--tls-allow-insecure={}",
                t.allow_insecure.unwrap_or(false)
            )),
            Word::lit(format!(
                "--tls-enable-hostname-verification={}",
                t.hostname_verification.unwrap_or(true)
            )),
        ];
        if let Some(path) = tls_cert_path(m, mounts) {
            args.extend([Word::lit("--tls-trust-cert-path"), Word::lit(path)]);
        }
        return args;
    }
    if m.tls_secret.as_deref().is_some_and(|s| !s.is_empty()) {
        return vec![
            Word::lit("--tls-allow-insecure=")
                .then_raw(mounts.env_or("tlsAllowInsecureConnection", "false")),
            Word::lit("--tls-enable-hostname-verification=")
                .then_raw(mounts.env_or("tlsHostnameVerificationEnable", "true")),
            Word::lit("--tls-trust-cert-path"),
            Word::raw(mounts.env("tlsTrustCertsFilePath")),
        ];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quoting::command_line;
    use fm_api::common::{AuthConfig, TlsConfig};

    #[test]
    fn legacy_secret_uses_env() {
        let m = PulsarMessaging {
            auth_secret: Some("s".into()),
            tls_secret: Some("t".into()),
            ..Default::default()
        };
        assert_eq!(
            command_line(&instance_auth_args(Some(&m))),
            "--client_auth_plugin \"${clientAuthenticationPlugin}\" --client_auth_params \"${clientAuthenticationParameters}\""
        );
        assert_eq!(
            command_line(&instance_tls_args(Some(&m), "--tls_allow_insecure")),
            "--use_tls true --tls_allow_insecure \"${tlsAllowInsecureConnection:-false}\" --hostname_verification_enabled \"${tlsHostnameVerificationEnable:-true}\" --tls_trust_cert_path \"${tlsTrustCertsFilePath}\""
        );
    }

    #[test]
    fn new_style_config_wins() {
        let m = PulsarMessaging {
            auth_secret: Some("legacy".into()),
            auth_config: Some(AuthConfig {
                oauth2_config: Some(OAuth2Config {
                    audience: "aud".into(),
                    issuer_url: "https://issuer".into(),
                    scope: None,
                    key_secret_name: "k".into(),
                    key_secret_key: "auth.json".into(),
                }),
                generic_auth: None,
            }),
            tls_config: Some(TlsConfig {
                enabled: Some(true),
                cert_secret_name: Some("ca".into()),
                cert_secret_key: Some("ca.crt".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let args = command_line(&instance_auth_args(Some(&m)));
        assert!(args.starts_with(&format!(
            "--client_auth_plugin {OAUTH2_PLUGIN} --client_auth_params '{{"
        )));
        assert!(args.contains("\"privateKey\":\"file:///etc/oauth2/auth.json\""));
        assert_eq!(
            command_line(&instance_tls_args(Some(&m), "--tls_allow_insecure_connection")),
            "--use_tls true --tls_allow_insecure_connection false --hostname_verification_enabled true --tls_trust_cert_path /etc/tls/pulsar-functions/ca.crt"
        );
        assert_eq!(
            command_line(&admin_tls_args(Some(&m), Mounts::MAIN)),
            "--tls-enable-hostname-verification --tls-trust-cert-path /etc/tls/pulsar-functions/ca.crt"
        );
    }
}
