//! One broken admission rule: the field it is about and what is wrong. Kept apart so every
//! reader can place it: the operator and the webhooks print `field: message`, the compiler
//! points at the statement that sets the field.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Path of the field in the resource's spec, as upstream names it (`maxReplicas`,
    /// `windowConfig.windowLengthCount`, `pulsar.authConfig`, `input`).
    pub field: String,
    /// What is wrong, without the field's name.
    pub message: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The field's first segment (`pulsar` for `pulsar.authConfig`, `input` for
    /// `input.sourceSpecs.t.receiverQueueSize`): the spec field a mesh statement sets.
    pub fn top_field(&self) -> &str {
        self.field.split(['.', '[']).next().unwrap_or(&self.field)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::Violation;

    #[test]
    fn prints_as_field_then_message_and_knows_its_top_field() {
        let v = Violation::new("input.sourceSpecs.t.receiverQueueSize", "must be >= 0");
        assert_eq!(
            v.to_string(),
            "input.sourceSpecs.t.receiverQueueSize: must be >= 0"
        );
        assert_eq!(v.top_field(), "input");
        assert_eq!(Violation::new("java.javaOpts[0]", "x").top_field(), "java");
    }
}
