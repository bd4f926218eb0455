//! Admission webhooks for Function, Source, Sink and FunctionMesh, as upstream serves them:
//! a defaulting one and a validating one, so `kubectl apply` of a bad resource fails at once
//! with every reason named, instead of being stored and flagged later.
//!
//! The operator needs no cert-manager: it makes its own CA and serving certificate (`cert`),
//! keeps them in a Secret shared by its replicas (`store`), registers both webhook
//! configurations with that CA (`register`), renews before expiry and serves HTTPS (`server`).
//!
//! `failurePolicy` is `Ignore` by default: while no replica answers, resources are admitted
//! unchecked and the reconciler, which applies the same rules, marks an invalid one
//! `Ready: False` with reason `InvalidSpec`; nothing is lost but the early refusal. `Fail`
//! (upstream's choice) refuses every create and update of the four kinds while the operator
//! is down, and keeps refusing them after an uninstall that leaves the configurations behind.

pub mod cert;
pub mod register;
pub mod review;
pub mod server;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::Client;
use tokio::net::TcpListener;
use tracing::{info, warn};

use cert::Material;

/// How often the certificate is checked for renewal and the registration repaired.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(300);

/// How the API server reaches the webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// An `https://host[:port]` base URL (out-of-cluster runs, tests on loopback).
    Url(String),
    /// A Service on port 443 (in-cluster; `deploy/` has one).
    Service { namespace: String, name: String },
}

impl Endpoint {
    /// Parses `--webhook-url`: HTTPS, with a host, no query or fragment.
    pub fn url(text: &str) -> Result<Endpoint, String> {
        let uri: http::Uri = text.parse().map_err(|e| format!("not a URL: {e}"))?;
        if uri.scheme_str() != Some("https") {
            return Err("the API server calls webhooks over HTTPS only: use https://".into());
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err("the URL has no host".into());
        }
        if uri.query().is_some() || text.contains('#') {
            return Err("the URL must not have a query or a fragment".into());
        }
        Ok(Endpoint::Url(text.trim_end_matches('/').to_owned()))
    }

    /// Parses `--webhook-service [NAMESPACE/]NAME`; without a namespace it is empty, for the
    /// caller to fill with the operator's own (see [`Endpoint::in_namespace`]).
    pub fn service(text: &str) -> Result<Endpoint, String> {
        let (namespace, name) = text.split_once('/').unwrap_or(("", text));
        let dns_label = |s: &str| {
            !s.is_empty()
                && s.len() <= 63
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !s.starts_with('-')
                && !s.ends_with('-')
        };
        if !dns_label(name) || !(namespace.is_empty() || dns_label(namespace)) {
            return Err("expected [NAMESPACE/]NAME, each a DNS label".into());
        }
        Ok(Endpoint::Service {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }

    /// A Service given without a namespace is in `namespace`.
    pub fn in_namespace(self, namespace: &str) -> Endpoint {
        match self {
            Endpoint::Service {
                namespace: ns,
                name,
            } if ns.is_empty() => Endpoint::Service {
                namespace: namespace.to_owned(),
                name,
            },
            other => other,
        }
    }

    /// The names the serving certificate must be valid for.
    pub fn sans(&self) -> Vec<String> {
        match self {
            Endpoint::Url(url) => {
                let host = url
                    .parse::<http::Uri>()
                    .ok()
                    .and_then(|u| u.host().map(|h| h.trim_matches(['[', ']']).to_owned()))
                    .unwrap_or_default();
                vec![host]
            }
            Endpoint::Service { namespace, name } => vec![
                name.clone(),
                format!("{name}.{namespace}"),
                format!("{name}.{namespace}.svc"),
                format!("{name}.{namespace}.svc.cluster.local"),
            ],
        }
    }
}

/// The webhooks' `failurePolicy` (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailurePolicy {
    Ignore,
    Fail,
}

impl FailurePolicy {
    pub fn word(self) -> &'static str {
        match self {
            FailurePolicy::Ignore => "Ignore",
            FailurePolicy::Fail => "Fail",
        }
    }
}

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub endpoint: Endpoint,
    /// The Secret holding the certificate material, in the operator's namespace.
    pub secret_namespace: String,
    pub secret_name: String,
    pub failure_policy: FailurePolicy,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("certificate PEM: {0}")]
    Pem(String),
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("serialising: {0}")]
    Json(#[from] serde_json::Error),
}

/// Makes sure the Secret holds valid material for the endpoint (creating or renewing it) and
/// that both configurations carry its CA bundle; returns the material to serve. Registering
/// comes before serving, so the API server trusts a new CA before anyone presents it.
async fn refresh(client: &Client, config: &Config) -> Result<Material, Error> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &config.secret_namespace);
    let sans = config.endpoint.sans();
    let mut attempts = 0;
    let material = loop {
        attempts += 1;
        let current = secrets.get_opt(&config.secret_name).await?;
        let stored = current.as_ref().and_then(store::read);
        let now = SystemTime::now();
        match cert::ensure(stored, &sans, now)? {
            cert::Ensured::Kept(stored) => break stored,
            cert::Ensured::Renewed(renewed) => {
                match store::write(&secrets, &config.secret_name, current, &renewed).await {
                    Ok(()) => {
                        info!(secret = %config.secret_name, "webhook certificate written");
                        break renewed;
                    }
                    // Another replica wrote it first: use theirs.
                    Err(Error::Kube(kube::Error::Api(s))) if s.code == 409 && attempts < 3 => {
                        continue
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    };
    register::apply(
        client,
        &config.endpoint,
        &material.ca_bundle(),
        config.failure_policy,
    )
    .await?;
    Ok(material)
}

/// How long to wait before trying again to set up the certificate and registration.
const SETUP_RETRY: Duration = Duration::from_secs(10);

/// Serves the webhooks until the process ends; fails only if it cannot listen. Until the
/// certificate and registration are in place (the API server may be briefly away), it retries.
pub async fn run(client: Client, config: Config) -> Result<(), Error> {
    let listener = TcpListener::bind(config.addr).await?;
    let material = loop {
        match refresh(&client, &config).await {
            Ok(material) => break material,
            Err(error) => {
                warn!(%error, "webhook: setting up the certificate and registration; retrying");
                tokio::time::sleep(SETUP_RETRY).await;
            }
        }
    };
    let slot = Arc::new(server::CertSlot::new(&material)?);
    info!(addr = %config.addr, endpoint = ?config.endpoint, "serving admission webhooks");
    let renewal = {
        let slot = slot.clone();
        async move {
            let mut served = material;
            loop {
                tokio::time::sleep(CHECK_INTERVAL).await;
                match refresh(&client, &config).await {
                    Ok(material) if material != served => match slot.set(&material) {
                        Ok(()) => {
                            info!("webhook certificate renewed");
                            served = material;
                        }
                        Err(error) => warn!(%error, "webhook: the renewed certificate is unusable"),
                    },
                    Ok(_) => {}
                    Err(error) => {
                        warn!(%error, "webhook: renewal or registration failed; retrying")
                    }
                }
            }
        }
    };
    tokio::select! {
        result = server::serve(listener, slot) => result,
        () = renewal => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_with_a_host() {
        assert_eq!(
            Endpoint::url("https://127.0.0.1:9443/"),
            Ok(Endpoint::Url("https://127.0.0.1:9443".into()))
        );
        assert!(Endpoint::url("http://127.0.0.1:9443").is_err());
        assert!(Endpoint::url("https://x?y=1").is_err());
        assert!(Endpoint::url("127.0.0.1").is_err());
        assert_eq!(
            Endpoint::url("https://[::1]:9443").expect("ok").sans(),
            vec!["::1"]
        );
    }

    #[test]
    fn services_are_namespace_slash_name() {
        let service = Endpoint::service("function-mesh-system/fm-operator-webhook").expect("ok");
        assert!(service
            .sans()
            .contains(&"fm-operator-webhook.function-mesh-system.svc".to_owned()));
        assert_eq!(
            Endpoint::service("svc").expect("ok").in_namespace("ns"),
            Endpoint::Service {
                namespace: "ns".into(),
                name: "svc".into()
            }
        );
        assert!(Endpoint::service("a/b/c").is_err());
        assert!(Endpoint::service("Upper").is_err());
        assert!(Endpoint::service("ns/").is_err());
    }
}
