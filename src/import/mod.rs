//! `fmc import`: existing Function Mesh YAML → a mesh file. Clusters, topics and edges are
//! recovered; every field without a construct in the language is kept verbatim in the step's
//! `spec { … }` block or reported as a warning — nothing is dropped silently.
//!
//! - `read`: the YAML stream, loaded strictly, into workloads and ConfigMaps
//! - `topics`, `clusters`: what the steps share
//! - `step`: one resource spec → one step's statements (with `fields`, `runtime`, `pod`)
//! - `write`: literals and layout

mod clusters;
mod extras;
mod fields;
mod pod;
mod read;
mod runtime;
mod secrets;
mod step;
mod topics;
mod write;

use serde_json::Value as Json;

use crate::diag::Code;
use crate::syntax::ast::Runtime;

pub use secrets::MovedSecret;

/// Why an input cannot be imported, with its stable code (`fmc::import-invalid`: not valid
/// Function Mesh YAML; `fmc::import-unsupported`: something a mesh cannot say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub code: Code,
    pub message: String,
}

impl ImportError {
    fn invalid(message: String) -> Self {
        ImportError {
            code: Code::ImportInvalid,
            message,
        }
    }

    fn unsupported(message: String) -> Self {
        ImportError {
            code: Code::ImportUnsupported,
            message,
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The message, so an error reads as the text it says.
impl std::ops::Deref for ImportError {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

/// Something the import could not carry over exactly, with its stable code
/// (`fmc::import-note`; `fmc::literal-secret` for a secret moved to `--secrets-out`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub code: Code,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The message, so a warning reads as the text it says.
impl std::ops::Deref for Warning {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

impl Imported {
    /// The Secrets holding the moved literal secrets, as a YAML stream (empty when none).
    pub fn secret_manifests(&self) -> String {
        secrets::manifests(&self.secrets, self.namespace.as_deref())
    }
}

/// The imported mesh and what could not be carried over exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub mesh: String,
    pub warnings: Vec<Warning>,
    /// Literal secrets moved out of the resources, for `--secrets-out`; never printed.
    pub secrets: Vec<MovedSecret>,
    /// The Kubernetes namespace of the resources, which their Secrets belong in too.
    pub namespace: Option<String>,
    /// True when the input was one FunctionMesh (compile without `--split` to get it back);
    /// false for standalone resources (compile with `--split`).
    pub function_mesh: bool,
}

/// Imports a multi-document YAML stream. An invalid document is an error naming the
/// document and the field.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let docs = read::read(text).map_err(ImportError::invalid)?;
    let mut warnings = docs.warnings.clone();
    if docs.workloads.is_empty() {
        return Err(ImportError::unsupported(
            "no Function, Source, Sink or FunctionMesh in the input".into(),
        ));
    }
    for w in &docs.workloads {
        refuse_generic_runtime(w)?;
    }
    if docs.meshes.len() > 1 {
        return Err(ImportError::unsupported(format!(
            "{} FunctionMeshes in one input ({}); a mesh file holds one: import them one at a time",
            docs.meshes.len(),
            docs.meshes.join(", ")
        )));
    }
    let (mesh_name, step_names) = names(&docs, &mut warnings);

    // The Pulsar tenant and namespace: the first step that says, else Pulsar's defaults.
    let spec_str = |key: &str| {
        docs.workloads
            .iter()
            .find_map(|w| w.spec.get(key).and_then(Json::as_str))
            .map(str::to_owned)
    };
    let tenant = spec_str("tenant").unwrap_or_else(|| "public".into());
    let pulsar_namespace = spec_str("namespace").unwrap_or_else(|| "default".into());

    let mut topics = topics::Topics::default();
    for w in &docs.workloads {
        step::note_topics(w, &mut topics);
    }
    let mut clusters = clusters::Clusters::new(docs.config_maps.clone(), &mesh_name);
    let config_maps: std::collections::BTreeSet<_> = docs
        .workloads
        .iter()
        .map(|w| {
            w.spec
                .get("pulsar")
                .and_then(|p| p.get("pulsarConfig"))
                .and_then(Json::as_str)
                .unwrap_or("pulsar")
        })
        .collect();
    // A ConfigMap becomes a cluster when a step's `pulsar.pulsarConfig` names it, or when
    // it is one fmc writes for a cluster no step uses; any other (a log configuration, a
    // package service's URLs) would vanish from the output.
    let mut unused_clusters = Vec::new();
    for (document, name) in &docs.config_map_documents {
        if config_maps.contains(name.as_str()) {
            continue;
        }
        if clusters.is_own_config_map(name) {
            unused_clusters.push(name.clone());
        } else {
            warnings.push(format!(
                "document {document} (ConfigMap {name}): not imported; only the ConfigMaps a step's \
                 `pulsar.pulsarConfig` names become clusters, apply it separately"
            ));
        }
    }
    let mut drafts = Vec::new();
    let mut moved = Vec::new();
    let mut moved_notes = Vec::new();
    for (w, name) in docs.workloads.iter().zip(&step_names) {
        let mut cx = step::Context {
            secret: format!("{mesh_name}-{name}-secrets"),
            moved: &mut moved,
            moved_notes: &mut moved_notes,
            tenant: &tenant,
            pulsar_namespace: &pulsar_namespace,
            topics: &topics,
            clusters: &mut clusters,
            name_clusters: config_maps.len() + unused_clusters.len() > 1,
            warnings: &mut warnings,
        };
        drafts.push(step::map(w, name, &mut cx));
    }
    for config_map in &unused_clusters {
        clusters.declare_unused(config_map, &mut warnings);
    }

    let mut body: Vec<String> = Vec::new();
    mesh_metadata(&docs, &mesh_name, &mut body, &mut warnings);
    if tenant != "public" {
        body.push(format!("tenant {}", write::string(&tenant)));
    }
    if pulsar_namespace != "default" {
        body.push(format!(
            "pulsar-namespace {}",
            write::string(&pulsar_namespace)
        ));
    }
    let mut sections = vec![body.join("\n")];
    if clusters.list.len() > 1 {
        sections.push(format!("default-cluster {}", clusters.list[0].ident));
    }
    sections.extend(clusters.declarations());
    let default_cluster = clusters.list.first().map(|c| c.ident.clone());
    let placed = |config_map: &str| {
        let cluster = clusters.list.iter().find(|c| c.config_map == config_map)?;
        (clusters.list.len() > 1 && Some(&cluster.ident) != default_cluster.as_ref())
            .then(|| cluster.ident.clone())
    };
    sections.push(
        topics
            .declarations(&tenant, &pulsar_namespace, placed)
            .join("\n"),
    );
    sections.extend(drafts.iter().map(step_text));
    let sections: Vec<String> = sections
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| write::indent(&s, 2))
        .collect();
    let function_mesh = !docs.meshes.is_empty();
    let how = if function_mesh {
        "compile without --split to get the FunctionMesh back"
    } else {
        "compile with --split to get one resource per step back"
    };
    let mesh = format!(
        "// Imported by `fmc import` from {} resource(s); {how}.\nmesh {mesh_name} {{\n{}\n}}\n",
        docs.workloads.len(),
        sections.join("\n\n")
    );
    // The canonical layout, as `fmc fmt` gives it. The writer's text always parses (tested);
    // if the formatter ever refused it, the unformatted text is still a correct mesh.
    let source = crate::diag::SourceFile::new("imported.fm".to_owned(), mesh);
    let mesh = crate::format::format(&source).unwrap_or(source.text);
    let namespace = docs.metas.first().and_then(|(_, m)| m.namespace.clone());
    let note = |code| move |message| Warning { code, message };
    let warnings = warnings
        .into_iter()
        .map(note(Code::ImportNote))
        .chain(moved_notes.into_iter().map(note(Code::LiteralSecret)))
        .collect();
    Ok(Imported {
        mesh,
        warnings,
        secrets: moved,
        namespace,
        function_mesh,
    })
}

/// A Function on the generic runtime in a language the mesh has no word for (upstream's
/// generic runner knows `nodejs`, `python`, `executable` and `wasm`) cannot be written as a
/// step: the import stops and says why.
fn refuse_generic_runtime(w: &read::Workload) -> Result<(), ImportError> {
    let generic = w.spec.get("genericRuntime").is_some_and(|g| !g.is_null());
    let other = ["java", "python", "golang"]
        .iter()
        .any(|k| w.spec.get(*k).is_some_and(|b| !b.is_null()));
    if generic && !other && runtime::generic_runtime(&w.spec).is_none() {
        let language = w
            .spec
            .get("genericRuntime")
            .and_then(|g| g.get("language"))
            .and_then(Json::as_str)
            .map(|l| format!(" in the language `{l}`"))
            .unwrap_or_default();
        let what = match &w.mesh {
            Some(mesh) => format!("FunctionMesh {mesh}, function {}", w.name),
            None => format!("Function {}", w.name),
        };
        return Err(ImportError::unsupported(format!(
            "document {} ({what}): runs on the generic runtime{language}, which a mesh cannot say \
             (its generic functions are nodejs, wasm, executable or generic-python); leave it out of the input and apply it as it is",
            w.document
        )));
    }
    Ok(())
}

fn step_text(d: &step::Draft) -> String {
    let runtime = match (d.runtime, &d.class) {
        (Runtime::Go, _) | (_, None) => d.runtime.word().to_owned(),
        (r, Some(class)) => format!("{} {}", r.word(), write::string(class)),
    };
    let kind = d.kind.word();
    format!(
        "{kind} {} = {runtime} {{\n{}\n}}",
        d.name,
        write::indent(&d.statements.join("\n"), 2)
    )
}

/// The mesh's name and each step's. A FunctionMesh gives both. Standalone resources are
/// named `<mesh>-<step>` by `--split`, so the mesh takes the dash-separated prefix the names
/// share and each step the rest: the resources keep their names.
fn names(docs: &read::Documents, warnings: &mut Vec<String>) -> (String, Vec<String>) {
    let mut steps: Vec<String> = Vec::new();
    let mesh = if let Some(mesh) = docs.meshes.first() {
        for w in &docs.workloads {
            steps.push(w.name.clone());
            if w.mesh.is_none() {
                warnings.push(format!(
                    "document {} ({}): a standalone resource beside a FunctionMesh becomes a member of it",
                    w.document, w.name
                ));
            }
        }
        mesh.clone()
    } else {
        let split: Vec<Vec<&str>> = docs
            .workloads
            .iter()
            .map(|w| w.name.split('-').collect())
            .collect();
        let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
        // Leave at least one segment for each step name.
        let mut prefix = 0;
        while prefix + 1 < shortest && split.iter().all(|s| s[prefix] == split[0][prefix]) {
            prefix += 1;
        }
        for s in &split {
            steps.push(s[prefix..].join("-"));
        }
        if prefix == 0 {
            warnings.push(
                "the resource names share no prefix: the mesh is `imported` and each resource is renamed `imported-<name>`".into(),
            );
            "imported".to_owned()
        } else {
            split[0][..prefix].join("-")
        }
    };
    let mesh_ident = kebab(&mesh, "imported");
    if mesh_ident != mesh {
        warnings.push(format!("mesh name `{mesh}` is written `{mesh_ident}`"));
    }
    let mut seen = Vec::new();
    for (step, w) in steps.iter_mut().zip(&docs.workloads) {
        let mut ident = kebab(step, "step");
        let base = ident.clone();
        let mut n = 2;
        while seen.contains(&ident) {
            ident = format!("{base}-{n}");
            n += 1;
        }
        if ident != *step {
            warnings.push(format!(
                "document {} ({}): step name `{step}` is written `{ident}`",
                w.document, w.name
            ));
        }
        seen.push(ident.clone());
        *step = ident;
    }
    (mesh_ident, steps)
}

/// Namespace, labels and annotations shared by every resource become the mesh's; any that
/// differ between resources are reported (the language has them per mesh only).
fn mesh_metadata(
    docs: &read::Documents,
    mesh_name: &str,
    body: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    let Some((_, first)) = docs.metas.first() else {
        return;
    };
    let field = |m: &read::Meta, which: &str| match which {
        "namespace" => m.namespace.clone().map(Json::String),
        "labels" => m.labels.clone(),
        _ => m.annotations.clone(),
    };
    for which in ["namespace", "labels", "annotations"] {
        let value = field(first, which);
        if docs.metas.iter().any(|(_, m)| field(m, which) != value) {
            warnings.push(format!(
                "the resources' metadata.{which} differ; the mesh has one for all: not imported"
            ));
            continue;
        }
        let value = match value {
            Some(Json::Object(labels)) if which == "labels" => {
                Some(Json::Object(without_own_labels(labels, mesh_name)))
            }
            other => other,
        };
        match &value {
            Some(Json::String(namespace)) => {
                body.push(format!("namespace {}", write::string(namespace)))
            }
            Some(Json::Object(map)) if !map.is_empty() => body.push(format!(
                "{which} {}",
                write::value(&Json::Object(map.clone()))
            )),
            _ => {}
        }
    }
}

/// Labels without the two fmc writes on every resource of a mesh it compiled
/// (`app.kubernetes.io/managed-by: fmc`, `app.kubernetes.io/part-of: <mesh>`), which it would
/// write again.
fn without_own_labels(
    mut labels: serde_json::Map<String, Json>,
    mesh_name: &str,
) -> serde_json::Map<String, Json> {
    let ours = labels.get("app.kubernetes.io/managed-by") == Some(&Json::from("fmc"));
    if ours {
        labels.shift_remove("app.kubernetes.io/managed-by");
        if labels.get("app.kubernetes.io/part-of") == Some(&Json::from(mesh_name)) {
            labels.shift_remove("app.kubernetes.io/part-of");
        }
    }
    labels
}

/// A kebab-case identifier for the language: lower-case letters and digits in dash-separated
/// groups, starting with a letter; `fallback` when nothing is left.
pub(crate) fn kebab(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    match out.chars().next() {
        None => fallback.to_owned(),
        Some(c) if c.is_ascii_digit() && !fallback.is_empty() => format!("{fallback}-{out}"),
        Some(_) => out,
    }
}
