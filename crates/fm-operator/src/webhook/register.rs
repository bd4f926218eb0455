//! The operator registers its webhooks itself, with the CA bundle of the certificate it
//! serves: a ValidatingWebhookConfiguration and a MutatingWebhookConfiguration, each with one
//! webhook per kind, reached by URL (out-of-cluster runs) or through a Service (in-cluster).

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhook, MutatingWebhookConfiguration, RuleWithOperations, ServiceReference,
    ValidatingWebhook, ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::ByteString;
use kube::api::{Api, ObjectMeta, Patch, PatchParams};
use kube::Client;

use super::review::{path, Hook, Kind};
use super::{Endpoint, FailurePolicy};
use crate::context::FIELD_MANAGER;

/// The name of both configurations.
pub const CONFIGURATION_NAME: &str = "fm-operator";
/// Seconds the API server waits for an answer.
const TIMEOUT_SECONDS: i32 = 5;

fn client_config(endpoint: &Endpoint, path: &str, ca_bundle: &str) -> WebhookClientConfig {
    let ca_bundle = Some(ByteString(ca_bundle.as_bytes().to_vec()));
    match endpoint {
        Endpoint::Url(base) => WebhookClientConfig {
            url: Some(format!("{}{path}", base.trim_end_matches('/'))),
            ca_bundle,
            service: None,
        },
        Endpoint::Service { namespace, name } => WebhookClientConfig {
            service: Some(ServiceReference {
                namespace: namespace.clone(),
                name: name.clone(),
                path: Some(path.to_owned()),
                port: Some(443),
            }),
            ca_bundle,
            url: None,
        },
    }
}

fn rules(kind: Kind) -> Vec<RuleWithOperations> {
    vec![RuleWithOperations {
        api_groups: Some(vec!["compute.functionmesh.io".into()]),
        api_versions: Some(vec!["v1alpha1".into()]),
        operations: Some(vec!["CREATE".into(), "UPDATE".into()]),
        resources: Some(vec![kind.plural().into()]),
        scope: Some("Namespaced".into()),
    }]
}

fn metadata() -> ObjectMeta {
    ObjectMeta {
        name: Some(CONFIGURATION_NAME.to_owned()),
        labels: Some(
            [(
                "app.kubernetes.io/name".to_owned(),
                "fm-operator".to_owned(),
            )]
            .into(),
        ),
        ..Default::default()
    }
}

pub fn validating(
    endpoint: &Endpoint,
    ca_bundle: &str,
    policy: FailurePolicy,
) -> ValidatingWebhookConfiguration {
    ValidatingWebhookConfiguration {
        metadata: metadata(),
        webhooks: Some(
            Kind::all()
                .map(|kind| ValidatingWebhook {
                    name: Hook::Validate.webhook_name(kind),
                    admission_review_versions: vec!["v1".into()],
                    client_config: client_config(endpoint, &path(Hook::Validate, kind), ca_bundle),
                    rules: Some(rules(kind)),
                    failure_policy: Some(policy.word().into()),
                    match_policy: Some("Equivalent".into()),
                    side_effects: "None".into(),
                    timeout_seconds: Some(TIMEOUT_SECONDS),
                    ..Default::default()
                })
                .collect(),
        ),
    }
}

pub fn mutating(
    endpoint: &Endpoint,
    ca_bundle: &str,
    policy: FailurePolicy,
) -> MutatingWebhookConfiguration {
    MutatingWebhookConfiguration {
        metadata: metadata(),
        webhooks: Some(
            Kind::all()
                .map(|kind| MutatingWebhook {
                    name: Hook::Mutate.webhook_name(kind),
                    admission_review_versions: vec!["v1".into()],
                    client_config: client_config(endpoint, &path(Hook::Mutate, kind), ca_bundle),
                    rules: Some(rules(kind)),
                    failure_policy: Some(policy.word().into()),
                    match_policy: Some("Equivalent".into()),
                    side_effects: "None".into(),
                    timeout_seconds: Some(TIMEOUT_SECONDS),
                    reinvocation_policy: Some("Never".into()),
                    ..Default::default()
                })
                .collect(),
        ),
    }
}

/// Applies both configurations (server-side apply: idempotent, so every replica may do it).
pub async fn apply(
    client: &Client,
    endpoint: &Endpoint,
    ca_bundle: &str,
    policy: FailurePolicy,
) -> Result<(), kube::Error> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let validating = validating(endpoint, ca_bundle, policy);
    Api::<ValidatingWebhookConfiguration>::all(client.clone())
        .patch(
            CONFIGURATION_NAME,
            &params,
            &Patch::Apply(&with_type(validating, "ValidatingWebhookConfiguration")),
        )
        .await?;
    Api::<MutatingWebhookConfiguration>::all(client.clone())
        .patch(
            CONFIGURATION_NAME,
            &params,
            &Patch::Apply(&with_type(
                mutating(endpoint, ca_bundle, policy),
                "MutatingWebhookConfiguration",
            )),
        )
        .await?;
    Ok(())
}

/// Server-side apply needs `apiVersion` and `kind` in the body; k8s-openapi's structs leave
/// them to serialisation, so they are added here.
fn with_type<T: serde::Serialize>(object: T, kind: &str) -> serde_json::Value {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    value["apiVersion"] = "admissionregistration.k8s.io/v1".into();
    value["kind"] = kind.into();
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_endpoint_gets_one_url_per_webhook() {
        let config = validating(
            &Endpoint::Url("https://127.0.0.1:9443".into()),
            "PEM",
            FailurePolicy::Ignore,
        );
        let hooks = config.webhooks.expect("webhooks");
        assert_eq!(hooks.len(), 4);
        assert_eq!(
            hooks[0].client_config.url.as_deref(),
            Some("https://127.0.0.1:9443/validate-compute-functionmesh-io-v1alpha1-function")
        );
        assert_eq!(
            hooks[0].client_config.ca_bundle,
            Some(ByteString(b"PEM".to_vec()))
        );
        assert_eq!(
            hooks[3].rules.as_ref().expect("rules")[0].resources,
            Some(vec!["functionmeshes".to_owned()])
        );
        assert_eq!(hooks[0].failure_policy.as_deref(), Some("Ignore"));
    }

    #[test]
    fn a_service_endpoint_names_the_service_and_path() {
        let config = mutating(
            &Endpoint::Service {
                namespace: "function-mesh-system".into(),
                name: "fm-operator-webhook".into(),
            },
            "PEM",
            FailurePolicy::Fail,
        );
        let hook = &config.webhooks.expect("webhooks")[2];
        let service = hook.client_config.service.as_ref().expect("service");
        assert_eq!(service.name, "fm-operator-webhook");
        assert_eq!(
            service.path.as_deref(),
            Some("/mutate-compute-functionmesh-io-v1alpha1-sink")
        );
        assert_eq!(hook.name, "msink.compute.functionmesh.io");
        assert_eq!(hook.failure_policy.as_deref(), Some("Fail"));
    }
}
