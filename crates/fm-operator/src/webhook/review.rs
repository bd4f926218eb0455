//! What the admission webhooks decide, without any I/O: validation runs the desired-state
//! engine's own rules (the ones the reconciler applies; there is no second copy), defaulting
//! runs `fm_desired::defaults` and answers with the JSON patch from the object as sent to the
//! object as defaulted.

use fm_api::AnyComponent;
use fm_api::{Function, FunctionMesh, Sink, Source};
use fm_desired::{defaults, Options};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The kinds the webhooks serve: the three components, and the FunctionMesh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Component(fm_api::Kind),
    FunctionMesh,
}

/// Which of the two webhooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    Validate,
    Mutate,
}

impl Kind {
    /// Every kind served, the components in [`fm_api::Kind::ALL`]'s order, then the mesh.
    pub fn all() -> impl Iterator<Item = Kind> {
        fm_api::Kind::ALL
            .into_iter()
            .map(Kind::Component)
            .chain([Kind::FunctionMesh])
    }

    /// The resource (plural) in the API.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Component(kind) => kind.plural(),
            Kind::FunctionMesh => "functionmeshes",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Kind::Component(kind) => kind.word(),
            Kind::FunctionMesh => "functionmesh",
        }
    }
}

impl Hook {
    fn word(self) -> &'static str {
        match self {
            Hook::Validate => "validate",
            Hook::Mutate => "mutate",
        }
    }

    /// The webhook's name in its configuration, unique per kind.
    pub fn webhook_name(self, kind: Kind) -> String {
        let letter = match self {
            Hook::Validate => 'v',
            Hook::Mutate => 'm',
        };
        format!("{letter}{}.compute.functionmesh.io", kind.singular())
    }
}

/// The URL path of a webhook: upstream's paths, so the same Service and path serve either.
pub fn path(hook: Hook, kind: Kind) -> String {
    format!(
        "/{}-compute-functionmesh-io-v1alpha1-{}",
        hook.word(),
        kind.singular()
    )
}

/// The webhook a request path names.
pub fn route(request_path: &str) -> Option<(Hook, Kind)> {
    [Hook::Validate, Hook::Mutate]
        .into_iter()
        .flat_map(|hook| Kind::all().map(move |kind| (hook, kind)))
        .find(|(hook, kind)| path(*hook, *kind) == request_path)
}

fn typed<K: DeserializeOwned>(kind: Kind, object: &Value) -> Result<K, String> {
    serde_json::from_value(object.clone())
        .map_err(|e| format!("not a valid {}: {e}", kind.singular()))
}

/// The object as the component `kind` it was sent as.
fn component(kind: fm_api::Kind, object: &Value) -> Result<AnyComponent, String> {
    let served = Kind::Component(kind);
    Ok(match kind {
        fm_api::Kind::Function => AnyComponent::Function(Box::new(typed(served, object)?)),
        fm_api::Kind::Source => AnyComponent::Source(Box::new(typed(served, object)?)),
        fm_api::Kind::Sink => AnyComponent::Sink(Box::new(typed(served, object)?)),
    })
}

/// The desired-state engine's verdict on a component: its rules are the reconciler's.
fn check(component: &AnyComponent) -> Result<(), fm_desired::DesiredError> {
    let options = Options::default();
    match component {
        AnyComponent::Function(f) => fm_desired::desired_for(f.as_ref(), None, &options).map(drop),
        AnyComponent::Source(s) => fm_desired::desired_for(s.as_ref(), None, &options).map(drop),
        AnyComponent::Sink(s) => fm_desired::desired_for(s.as_ref(), None, &options).map(drop),
    }
}

/// `Err` with every reason when the object must be refused.
pub fn validate(kind: Kind, object: &Value) -> Result<(), String> {
    match kind {
        Kind::Component(kind) => check(&component(kind, object)?).map_err(|e| e.to_string()),
        Kind::FunctionMesh => validate_mesh(&typed::<FunctionMesh>(kind, object)?),
    }
}

/// A mesh is valid when it yields its children and every child is valid; each reason names the
/// member it comes from.
fn validate_mesh(mesh: &FunctionMesh) -> Result<(), String> {
    let children = fm_desired::children_for_mesh(mesh).map_err(|e| e.to_string())?;
    let prefix = format!("{}-", mesh.metadata.name.as_deref().unwrap_or(""));
    let mut reasons = Vec::new();
    for child in &children {
        if let Err(e) = check(child) {
            let member = child.name().strip_prefix(&prefix).unwrap_or(child.name());
            let list = child.kind().plural();
            for message in e.messages() {
                reasons.push(format!("spec.{list}[name={member}]: {message}"));
            }
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "FunctionMesh {} has invalid members: {}",
            mesh.metadata.name.as_deref().unwrap_or(""),
            reasons.join("; ")
        ))
    }
}

/// The JSON patch that defaults `object`; empty when it is already defaulted.
pub fn mutate(kind: Kind, object: &Value) -> Result<json_patch::Patch, String> {
    match kind {
        Kind::Component(fm_api::Kind::Function) => defaulted(kind, object, defaults::function),
        Kind::Component(fm_api::Kind::Source) => defaulted(kind, object, defaults::source),
        Kind::Component(fm_api::Kind::Sink) => defaulted(kind, object, defaults::sink),
        Kind::FunctionMesh => defaulted(kind, object, default_members),
    }
}

fn defaulted<K: DeserializeOwned + Serialize>(
    kind: Kind,
    object: &Value,
    apply: impl Fn(&mut K),
) -> Result<json_patch::Patch, String> {
    let mut resource: K = typed(kind, object)?;
    let before = serde_json::to_value(&resource).map_err(|e| e.to_string())?;
    apply(&mut resource);
    let after = serde_json::to_value(&resource).map_err(|e| e.to_string())?;
    Ok(json_patch::diff(&before, &after))
}

/// Each member of a mesh defaulted as a resource of its kind would be (its `name` is the
/// member's key, so it is never replaced).
fn default_members(mesh: &mut FunctionMesh) {
    fn each<K, S: Clone>(
        members: &mut Option<Vec<S>>,
        wrap: impl Fn(S) -> K,
        apply: impl Fn(&mut K),
        unwrap: impl Fn(K) -> S,
    ) {
        for member in members.iter_mut().flatten() {
            let mut resource = wrap(member.clone());
            apply(&mut resource);
            *member = unwrap(resource);
        }
    }
    each(
        &mut mesh.spec.functions,
        |spec| Function::new("", spec),
        defaults::function,
        |f| f.spec,
    );
    each(
        &mut mesh.spec.sources,
        |spec| Source::new("", spec),
        defaults::source,
        |s| s.spec,
    );
    each(
        &mut mesh.spec.sinks,
        |spec| Sink::new("", spec),
        defaults::sink,
        |s| s.spec,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn function(spec: Value) -> Value {
        json!({"apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
               "metadata": {"name": "f", "namespace": "ns"}, "spec": spec})
    }

    fn valid_spec() -> Value {
        json!({"className": "org.example.F", "replicas": 1,
               "input": {"topics": ["persistent://public/default/in"]},
               "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "100m", "memory": "512Mi"}},
               "pulsar": {"pulsarConfig": "cluster"}, "java": {"jar": "a.jar"}})
    }

    #[test]
    fn paths_route_back_to_their_webhook() {
        for hook in [Hook::Validate, Hook::Mutate] {
            for kind in Kind::all() {
                assert_eq!(route(&path(hook, kind)), Some((hook, kind)));
            }
        }
        assert_eq!(
            path(Hook::Mutate, Kind::Component(fm_api::Kind::Function)),
            "/mutate-compute-functionmesh-io-v1alpha1-function"
        );
        assert_eq!(route("/validate"), None);
    }

    #[test]
    fn a_valid_function_passes_and_an_invalid_one_names_every_reason() {
        assert_eq!(
            validate(
                Kind::Component(fm_api::Kind::Function),
                &function(valid_spec())
            ),
            Ok(())
        );
        let mut bad = valid_spec();
        bad["minReplicas"] = json!(3);
        bad["maxReplicas"] = json!(2);
        bad["java"] = json!({"jar": "a.jar"});
        bad["className"] = json!(null);
        let reasons =
            validate(Kind::Component(fm_api::Kind::Function), &function(bad)).expect_err("refused");
        assert!(reasons.contains("maxReplicas"), "{reasons}");
        assert!(reasons.contains("className"), "{reasons}");
    }

    #[test]
    fn a_wrongly_typed_object_is_refused_with_serde_s_reason() {
        let reasons = validate(
            Kind::Component(fm_api::Kind::Function),
            &function(json!({"replicas": "two"})),
        )
        .expect_err("refused");
        assert!(reasons.starts_with("not a valid function"), "{reasons}");
    }

    #[test]
    fn a_mesh_names_its_invalid_member() {
        let mut bad = valid_spec();
        bad["name"] = json!("broken");
        bad["pulsar"] = json!({});
        let mut good = valid_spec();
        good["name"] = json!("fine");
        let mesh = json!({"apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "FunctionMesh",
            "metadata": {"name": "m", "namespace": "ns"}, "spec": {"functions": [good, bad]}});
        let reasons = validate(Kind::FunctionMesh, &mesh).expect_err("refused");
        assert!(reasons.contains("spec.functions[name=broken]"), "{reasons}");
        assert!(!reasons.contains("name=fine"), "{reasons}");
    }

    #[test]
    fn defaulting_patches_only_what_is_missing() {
        let patch = mutate(
            Kind::Component(fm_api::Kind::Function),
            &function(valid_spec()),
        )
        .expect("patch");
        let mut object = function(valid_spec());
        json_patch::patch(&mut object, &patch).expect("applies");
        assert_eq!(object["spec"]["tenant"], "public");
        assert_eq!(object["spec"]["autoAck"], true);
        assert_eq!(object["spec"]["name"], "f");
        assert_eq!(object["spec"]["input"]["typeClassName"], "[B");
        assert_eq!(
            object["spec"]["input"]["topics"][0],
            "persistent://public/default/in"
        );
        assert_eq!(object["spec"]["replicas"], 1);
        let again = mutate(Kind::Component(fm_api::Kind::Function), &object).expect("patch");
        assert!(
            again.0.is_empty(),
            "defaulted objects are left alone: {again:?}"
        );
    }

    #[test]
    fn mesh_members_are_defaulted_by_kind() {
        let mut spec = valid_spec();
        spec["name"] = json!("a");
        let mut mesh = json!({"apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "FunctionMesh",
            "metadata": {"name": "m"}, "spec": {"functions": [spec], "sinks": [{"name": "k"}]}});
        let patch = mutate(Kind::FunctionMesh, &mesh).expect("patch");
        json_patch::patch(&mut mesh, &patch).expect("applies");
        assert_eq!(mesh["spec"]["functions"][0]["name"], "a");
        assert_eq!(
            mesh["spec"]["functions"][0]["maxPendingAsyncRequests"],
            1000
        );
        assert_eq!(mesh["spec"]["sinks"][0]["autoAck"], true);
        assert_eq!(mesh["spec"]["sinks"][0]["name"], "k");
    }
}
