//! Defaulting and validation before computing objects.
//!
//! The builders read every optional field with upstream's default already, so an
//! undefaulted spec yields the same objects as a defaulted one. Validation here covers what
//! would otherwise produce objects the API server rejects or runners that cannot start;
//! every problem is collected and reported together.

use fm_api::{Function, FunctionSpec, Sink, SinkSpec, Source, SourceSpec};

fn common_rules(common: &fm_api::spec_common::CommonSpec, errors: &mut Vec<String>) {
    match common
        .pulsar
        .as_ref()
        .and_then(|p| p.pulsar_config.as_deref())
    {
        Some(cm) if !cm.is_empty() => {}
        _ => errors.push(
            "pulsar.pulsarConfig: required (the ConfigMap with webServiceURL and brokerServiceURL)"
                .into(),
        ),
    }
    if let Some(r) = common.replicas.filter(|r| *r < 0) {
        errors.push(format!("replicas: must be >= 0, got {r}"));
    }
    if let (Some(min), Some(max)) = (common.min_replicas, common.max_replicas) {
        if min > max {
            errors.push(format!(
                "minReplicas: {min} is greater than maxReplicas {max}"
            ));
        }
    }
    if let Some(max) = common.max_replicas.filter(|m| *m < 1) {
        errors.push(format!("maxReplicas: must be >= 1, got {max}"));
    }
}

/// The spec to build from, and every problem found in it.
pub fn prepare_function(f: &Function) -> (FunctionSpec, Vec<String>) {
    let mut errors = Vec::new();
    common_rules(&f.spec.common, &mut errors);
    (f.spec.clone(), errors)
}

/// The spec to build from, and every problem found in it.
pub fn prepare_source(s: &Source) -> (SourceSpec, Vec<String>) {
    let mut errors = Vec::new();
    common_rules(&s.spec.common, &mut errors);
    (s.spec.clone(), errors)
}

/// The spec to build from, and every problem found in it.
pub fn prepare_sink(s: &Sink) -> (SinkSpec, Vec<String>) {
    let mut errors = Vec::new();
    common_rules(&s.spec.common, &mut errors);
    (s.spec.clone(), errors)
}
