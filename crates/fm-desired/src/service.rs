//! The headless Service giving each instance pod a stable DNS name (upstream:
//! `controllers/spec/common.go`, `MakeService`).

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::labels::{Labels, GRPC_PORT, METRICS_PORT};

/// `(name, port)` of the two instance ports, shared with the container.
pub const PORTS: [(&str, i32); 2] = [("tcp-grpc", GRPC_PORT), ("http-metrics", METRICS_PORT)];

/// `metadata` is prepared by the caller (name, namespace, labels, owner).
pub fn build(metadata: ObjectMeta, selector: &Labels) -> Service {
    Service {
        metadata,
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            // `protocol` is part of the ports' merge key: server-side apply on Kubernetes 1.20
            // rejects ports that omit it, so it is always spelled out.
            ports: Some(
                PORTS
                    .iter()
                    .map(|(name, port)| ServicePort {
                        name: Some((*name).to_owned()),
                        port: *port,
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    })
                    .collect(),
            ),
            selector: Some(selector.clone()),
            ..Default::default()
        }),
        status: None,
    }
}
