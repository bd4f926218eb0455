//! Why desired objects could not be computed.

use crate::violation::Violation;

/// Every problem found, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesiredError {
    /// The spec breaks rules; every broken rule, with the field it is about.
    #[error("{kind} {namespace}/{name} is invalid: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        kind: String,
        namespace: String,
        name: String,
        errors: Vec<Violation>,
    },
    /// A generated object could not be serialised (reported rather than panicking).
    #[error("could not serialise {what}: {message}")]
    Serialize { what: String, message: String },
    /// Several resources had problems (rendering a stream).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<DesiredError>),
}

impl DesiredError {
    /// `Ok` when there is nothing to report, the error itself when there is one, else `Many`.
    pub fn combine(mut errors: Vec<DesiredError>) -> Result<(), DesiredError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(DesiredError::Many(errors)),
        }
    }

    /// The field messages of an `Invalid` error (flattened across `Many`).
    pub fn messages(&self) -> Vec<String> {
        match self {
            DesiredError::Invalid { errors, .. } => {
                errors.iter().map(ToString::to_string).collect()
            }
            DesiredError::Serialize { message, .. } => vec![message.clone()],
            DesiredError::Many(all) => all.iter().flat_map(DesiredError::messages).collect(),
        }
    }
}
