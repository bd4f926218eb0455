//! Why a reconcile failed. Invalid specs are not errors here: they become status conditions
//! and wait for the next change instead of retrying.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("serialising {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Desired(#[from] fm_desired::DesiredError),
}

pub type Result<T> = std::result::Result<T, Error>;
