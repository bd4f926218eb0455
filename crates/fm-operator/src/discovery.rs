//! What the API server serves, asked once at start.

use kube::Client;

use crate::context::HpaVersion;

/// Whether `autoscaling.k8s.io/v1` (the VerticalPodAutoscaler's API, a CRD of the VPA
/// project) is served.
pub async fn vpa_served(client: &Client) -> Result<bool, kube::Error> {
    let groups = client.list_api_groups().await?;
    Ok(groups
        .groups
        .iter()
        .any(|g| g.name == "autoscaling.k8s.io" && g.versions.iter().any(|v| v.version == "v1")))
}

/// `autoscaling/v2` when served (Kubernetes 1.23+), else `autoscaling/v2beta2`.
pub async fn hpa_version(client: &Client) -> Result<HpaVersion, kube::Error> {
    let groups = client.list_api_groups().await?;
    let autoscaling = groups.groups.iter().find(|g| g.name == HpaVersion::GROUP);
    let serves = |v: &str| autoscaling.is_some_and(|g| g.versions.iter().any(|x| x.version == v));
    Ok(if serves(HpaVersion::V2.version()) {
        HpaVersion::V2
    } else {
        HpaVersion::V2beta2
    })
}
