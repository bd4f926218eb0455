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
    /// An object the resource needs exists under its name but belongs to someone else. Taking
    /// it over would fight its owner, so the operator stops and says so.
    #[error("{kind} {name} already exists and is controlled by {owner}, not by this resource; delete or rename it")]
    NotOwned {
        kind: String,
        name: String,
        owner: String,
    },
}

impl Error {
    /// A PascalCase reason for conditions and Events: the API server's own reason
    /// (`Forbidden`, `Invalid`, `Conflict`, …) when it answered, else what went wrong.
    pub fn reason(&self) -> String {
        match self {
            Error::Kube(kube::Error::Api(status)) if !status.reason.is_empty() => {
                status.reason.clone()
            }
            Error::Kube(kube::Error::Api(_)) => "ApiError".to_owned(),
            Error::Kube(_) => "ApiUnreachable".to_owned(),
            Error::Json(_) => "SerializationFailed".to_owned(),
            Error::Desired(_) => "InvalidSpec".to_owned(),
            Error::NotOwned { .. } => "NotOwned".to_owned(),
        }
    }

    /// The message for people: the API server's message verbatim when it answered.
    pub fn message(&self) -> String {
        match self {
            Error::Kube(kube::Error::Api(status)) => status.message.clone(),
            other => other.to_string(),
        }
    }
}

/// `Err(NotOwned)` when `existing` has a controller other than the object with `owner_uid`.
/// An object without a controller is adopted, as controller-runtime's `CreateOrUpdate` does.
pub fn check_owner<K: kube::Resource>(
    kind: &str,
    existing: &K,
    owner_uid: Option<&str>,
) -> Result<()> {
    check_owner_meta(kind, existing.meta(), owner_uid)
}

/// [`check_owner`] on the metadata alone (what the watch caches keep).
pub fn check_owner_meta(
    kind: &str,
    existing: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    owner_uid: Option<&str>,
) -> Result<()> {
    let foreign = existing
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true) && Some(o.uid.as_str()) != owner_uid);
    match foreign {
        Some(owner) => Err(Error::NotOwned {
            kind: kind.to_owned(),
            name: existing.name.clone().unwrap_or_default(),
            owner: format!("{} {}", owner.kind, owner.name),
        }),
        None => Ok(()),
    }
}

pub type Result<T> = std::result::Result<T, Error>;
