//! Names of the generated objects, and the limits that keep them valid.
//!
//! For a resource `<n>` of kind `<k>` (`function`, `source`, `sink`): StatefulSet and HPA
//! `<n>-<k>`, headless Service `<n>-<k>-headless`, container `pulsar-<k>` (upstream:
//! `controllers/spec/utils.go`, `makeJobName`; `controllers/spec/common.go`,
//! `MakeHeadlessServiceName` and `FunctionContainerName`).

/// Upstream's cap on resource names: `<n>-function` (52) plus the StatefulSet controller's
/// `-<10 char revision hash>` stays within the 63-character label value limit.
pub const MAX_NAME_LEN: usize = 43;
/// Longest StatefulSet name whose `controller-revision-hash` label (`<sts>-<hash>`) fits 63.
pub const MAX_STATEFULSET_NAME_LEN: usize = 52;
/// DNS-1035 label limit (Service names).
pub const MAX_SERVICE_NAME_LEN: usize = 63;

pub use fm_api::component::Kind;

use crate::violation::Violation;

/// `<n>-<k>`: StatefulSet, HPA, and the `app.kubernetes.io/name` label.
pub fn workload_name(name: &str, kind: Kind) -> String {
    format!("{name}-{}", kind.word())
}

/// `<n>-<k>-headless`.
pub fn service_name(name: &str, kind: Kind) -> String {
    format!("{name}-{}-headless", kind.word())
}

/// Checks that `name` yields valid object names: a DNS-1035 label (the Service name must be
/// one, so the resource name must start with a letter) of at most [`MAX_NAME_LEN`] characters.
/// Returns every problem.
pub fn check_resource_name(name: &str) -> Vec<Violation> {
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(Violation::new("metadata.name", "must not be empty"));
        return problems;
    }
    if name.len() > MAX_NAME_LEN {
        problems.push(Violation::new(
            "metadata.name",
            format!(
                "`{name}` is {} characters; at most {MAX_NAME_LEN} are allowed so that \
                 the StatefulSet's pod revision label stays within 63 characters",
                name.len()
            ),
        ));
    }
    if !is_dns1035_label(name) {
        problems.push(Violation::new(
            "metadata.name",
            format!(
                "`{name}` must consist of lower-case letters, digits and '-', start with \
                 a letter and end with a letter or digit (the headless Service name is derived from it)"
            ),
        ));
    }
    problems
}

/// RFC 1035 label: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1035_label(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Volume names generated from Secret/ConfigMap names (upstream: `controllers/spec/utils.go`,
/// `sanitizeVolumeName`): lower-cased, anything
/// outside `[-a-z0-9]` replaced by `-`, trimmed of `-`. Upstream cut long names at 63, so two
/// keys of one long-named Secret could collide; here a name over 63 keeps its first 54
/// characters and gains an 8-digit digest of the full name.
pub fn volume_name(raw: &str) -> String {
    let mapped: String = raw
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mapped = mapped.trim_matches('-');
    if mapped.len() <= 63 {
        return mapped.to_owned();
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in raw.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{}-{h:08x}", mapped[..54].trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(workload_name("ex1", Kind::Function), "ex1-function");
        assert_eq!(service_name("s", Kind::Sink), "s-sink-headless");
        assert_eq!(Kind::Source.container_name(), "pulsar-source");
    }

    #[test]
    fn name_checks() {
        assert!(check_resource_name("java-function-sample").is_empty());
        assert_eq!(check_resource_name(&"a".repeat(44)).len(), 1);
        assert_eq!(check_resource_name("1abc").len(), 1);
        assert_eq!(check_resource_name("").len(), 1);
        assert!(!is_dns1035_label("a-"));
    }

    #[test]
    fn volume_names() {
        assert_eq!(volume_name("My_Secret-ca.crt"), "my-secret-ca-crt");
        let long = volume_name(&format!("-{}", "x".repeat(80)));
        assert_eq!(long.len(), 63);
        assert_ne!(long, volume_name(&format!("-{}y", "x".repeat(80))));
    }
}
