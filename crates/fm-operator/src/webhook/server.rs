//! The HTTPS server the API server calls: TLS from the current certificate (swapped in place
//! when it is renewed, without a restart), one POST per AdmissionReview.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview};
use kube::core::DynamicObject;
use rustls::crypto::ring::default_provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, warn};

use super::cert::Material;
use super::review::{self, Hook, Kind};
use super::Error;

/// The API server sends at most 3 MiB per object; a little more for the review around it.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificate being served; replaced when renewed.
#[derive(Debug)]
pub struct CertSlot {
    current: RwLock<Arc<CertifiedKey>>,
}

fn certified_key(material: &Material) -> Result<CertifiedKey, Error> {
    let chain = CertificateDer::pem_slice_iter(material.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Pem(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(material.key_pem.as_bytes())
        .map_err(|e| Error::Pem(e.to_string()))?;
    let signing = default_provider().key_provider.load_private_key(key)?;
    Ok(CertifiedKey::new(chain, signing))
}

impl CertSlot {
    pub fn new(material: &Material) -> Result<Self, Error> {
        Ok(CertSlot {
            current: RwLock::new(Arc::new(certified_key(material)?)),
        })
    }

    /// Serves `material` from the next handshake on.
    pub fn set(&self, material: &Material) -> Result<(), Error> {
        let key = Arc::new(certified_key(material)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = key;
        Ok(())
    }
}

impl ResolvesServerCert for CertSlot {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

/// Accepts connections until the process ends.
pub async fn serve(listener: TcpListener, certificate: Arc<CertSlot>) -> Result<(), Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(certificate);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                warn!(%error, "webhook: accepting a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(error)) => {
                    debug!(%error, %peer, "webhook: TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let service = hyper::service::service_fn(handle);
            if let Err(error) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                debug!(%error, %peer, "webhook: connection ended");
            }
        });
    }
}

fn reply(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST {
        return Ok(reply(StatusCode::METHOD_NOT_ALLOWED, Vec::new()));
    }
    let Some((hook, kind)) = review::route(request.uri().path()) else {
        return Ok(reply(StatusCode::NOT_FOUND, Vec::new()));
    };
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, Vec::new())),
    };
    let response = match serde_json::from_slice::<AdmissionReview<DynamicObject>>(&body)
        .ok()
        .and_then(|review| TryInto::<AdmissionRequest<DynamicObject>>::try_into(review).ok())
    {
        Some(request) => answer(hook, kind, &request),
        None => AdmissionResponse::invalid("the body is not an AdmissionReview with a request"),
    };
    let body = serde_json::to_vec(&response.into_review()).unwrap_or_default();
    Ok(reply(StatusCode::OK, body))
}

/// The answer to one admission request.
pub fn answer(
    hook: Hook,
    kind: Kind,
    request: &AdmissionRequest<DynamicObject>,
) -> AdmissionResponse {
    let allowed = AdmissionResponse::from(request);
    let Some(object) = request.object.as_ref() else {
        return allowed;
    };
    let value = match serde_json::to_value(object) {
        Ok(value) => value,
        Err(e) => return allowed.deny(e),
    };
    match hook {
        // An object being deleted is only losing finalizers: never block that.
        Hook::Validate if object.metadata.deletion_timestamp.is_some() => allowed,
        Hook::Validate => match review::validate(kind, &value) {
            Ok(()) => allowed,
            Err(reasons) => allowed.deny(reasons),
        },
        Hook::Mutate => match review::mutate(kind, &value) {
            Ok(patch) if patch.0.is_empty() => allowed,
            Ok(patch) => match allowed.clone().with_patch(patch) {
                Ok(patched) => patched,
                Err(e) => allowed.deny(e),
            },
            // What cannot be read is not defaulted; validation says why it is refused.
            Err(_) => allowed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(operation: &str, object: serde_json::Value) -> AdmissionRequest<DynamicObject> {
        let review: AdmissionReview<DynamicObject> = serde_json::from_value(json!({
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {
                "uid": "u-1", "operation": operation, "name": "f", "namespace": "ns",
                "kind": {"group": "compute.functionmesh.io", "version": "v1alpha1", "kind": "Function"},
                "resource": {"group": "compute.functionmesh.io", "version": "v1alpha1", "resource": "functions"},
                "userInfo": {"username": "someone"}, "dryRun": false,
                "object": object
            }
        }))
        .expect("review");
        review.try_into().expect("request")
    }

    fn function(spec: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
               "metadata": {"name": "f", "namespace": "ns"}, "spec": spec})
    }

    #[test]
    fn an_invalid_function_is_denied_with_its_reasons() {
        let response = answer(
            Hook::Validate,
            Kind::Component(fm_api::Kind::Function),
            &request("CREATE", function(json!({"replicas": 1}))),
        );
        assert!(!response.allowed);
        assert_eq!(response.uid, "u-1");
        assert!(
            response.result.message.contains("is invalid"),
            "{}",
            response.result.message
        );
    }

    #[test]
    fn a_deleting_object_is_never_blocked() {
        let mut object = function(json!({"replicas": 1}));
        object["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        let response = answer(
            Hook::Validate,
            Kind::Component(fm_api::Kind::Function),
            &request("UPDATE", object),
        );
        assert!(response.allowed);
    }

    #[test]
    fn defaulting_answers_with_a_json_patch() {
        let response = answer(
            Hook::Mutate,
            Kind::Component(fm_api::Kind::Function),
            &request("CREATE", function(json!({}))),
        );
        assert!(response.allowed);
        let patch: serde_json::Value =
            serde_json::from_slice(response.patch.as_deref().expect("patch")).expect("JSON");
        let ops = patch.as_array().expect("ops");
        assert!(
            ops.iter()
                .any(|op| op["path"] == "/spec/tenant" && op["value"] == "public"),
            "{patch}"
        );
        let review = serde_json::to_value(response.into_review()).expect("JSON");
        assert_eq!(review["response"]["patchType"], "JSONPatch");
    }
}
