//! The long explanation of each diagnostic code (`fmc explain CODE`), as rustc has: what the
//! rule protects against, a wrong example and a fixed one. The pages are markdown files beside
//! this module so they read well on their own; the match makes a missing page a compile error.

use super::Code;

/// The explanation page of `code`, in markdown.
pub fn explanation(code: Code) -> &'static str {
    match code {
        Code::Io => include_str!("explain/io.md"),
        Code::Admission => include_str!("explain/admission.md"),
        Code::Encoding => include_str!("explain/encoding.md"),
        Code::Syntax => include_str!("explain/syntax.md"),
        Code::FileTooLarge => include_str!("explain/file-too-large.md"),
        Code::TooDeep => include_str!("explain/too-deep.md"),
        Code::TooManySteps => include_str!("explain/too-many-steps.md"),
        Code::Duplicate => include_str!("explain/duplicate.md"),
        Code::UnknownTopic => include_str!("explain/unknown-topic.md"),
        Code::UnknownCluster => include_str!("explain/unknown-cluster.md"),
        Code::UnknownDefaults => include_str!("explain/unknown-defaults.md"),
        Code::UnknownStep => include_str!("explain/unknown-step.md"),
        Code::MissingSetting => include_str!("explain/missing-setting.md"),
        Code::InvalidValue => include_str!("explain/invalid-value.md"),
        Code::UnproducedTopic => include_str!("explain/unproduced-topic.md"),
        Code::UnreadTopic => include_str!("explain/unread-topic.md"),
        Code::CrossCluster => include_str!("explain/cross-cluster.md"),
        Code::Cycle => include_str!("explain/cycle.md"),
        Code::SchemaMismatch => include_str!("explain/schema-mismatch.md"),
        Code::InvalidName => include_str!("explain/invalid-name.md"),
        Code::NameTooLong => include_str!("explain/name-too-long.md"),
        Code::Replicas => include_str!("explain/replicas.md"),
        Code::Resources => include_str!("explain/resources.md"),
        Code::Url => include_str!("explain/url.md"),
        Code::PackageKind => include_str!("explain/package-kind.md"),
        Code::LiteralSecret => include_str!("explain/literal-secret.md"),
        Code::RelaxedSecurity => include_str!("explain/relaxed-security.md"),
        Code::Template => include_str!("explain/template.md"),
        Code::Window => include_str!("explain/window.md"),
        Code::ImportInvalid => include_str!("explain/import-invalid.md"),
        Code::ImportUnsupported => include_str!("explain/import-unsupported.md"),
        Code::ImportNote => include_str!("explain/import-note.md"),
    }
}

/// The code named by `text`, with or without the `fmc::` prefix.
pub fn parse_code(text: &str) -> Option<Code> {
    let name = text.strip_prefix("fmc::").unwrap_or(text);
    Code::ALL
        .iter()
        .copied()
        .find(|c| c.as_str().strip_prefix("fmc::") == Some(name))
}
