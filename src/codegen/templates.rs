//! The minijinja templates that shape emitted files. User values reach the YAML only through
//! the `yaml` filter (a serialiser), never by pasting text, and every file a custom template
//! renders is parsed back and compared with what it must contain before anything is written.
//! A template may change layout and comments; it cannot change content. The built-in
//! resource template is the serialiser's output under a comment line; its round trip is
//! proved by a property test rather than re-checked on every compile.

use std::path::Path;

use minijinja::value::Serde;
use minijinja::{context, Environment, Error, ErrorKind};
use serde_json::{json, Value};

use super::document::block_yaml;
use super::resource::Resource;
use crate::diag::{Code, Diagnostic, Diagnostics, Span};

const RESOURCE: &str = "resource.yaml.j2";
const KUSTOMIZATION: &str = "kustomization.yaml.j2";
const PATCH: &str = "patch.yaml.j2";

const BUILTIN: [(&str, &str); 3] = [
    (RESOURCE, include_str!("../../templates/resource.yaml.j2")),
    (
        KUSTOMIZATION,
        include_str!("../../templates/kustomization.yaml.j2"),
    ),
    (PATCH, include_str!("../../templates/patch.yaml.j2")),
];

pub struct Templates {
    env: Environment<'static>,
    /// The resource template is the built-in one, whose output is the serialiser's own.
    builtin_resource: bool,
}

/// A resource serialised before rendering; the `yaml` filter hands it out unchanged. The
/// built-in resource template gets this instead of the resource as a template value, which
/// saves converting (and then parsing back) multi-megabyte resources. The filter takes the
/// text rather than copying it: the built-in template writes the resource once.
#[derive(Debug)]
struct Serialised(std::sync::Mutex<Option<String>>);

impl minijinja::value::Object for Serialised {}

/// Every value as `fm_api::yaml` writes it: maps and lists as block YAML, scalars on the line
/// they stand on (a string always double-quoted there, so it can never break out of it).
fn yaml_filter(value: minijinja::Value) -> Result<String, Error> {
    if let Some(serialised) = value.downcast_object_ref::<Serialised>() {
        let taken = serialised.0.lock().ok().and_then(|mut text| text.take());
        return taken.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                "the built-in resource template writes its resource once",
            )
        });
    }
    block_yaml(&value).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

impl Templates {
    pub fn builtin() -> Self {
        Self::with(
            BUILTIN
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )
        .unwrap_or_else(|_| unreachable!("built-in templates are valid"))
    }

    /// Templates from a directory; any of the three files it lacks comes from the built-ins.
    pub fn from_dir(dir: &Path) -> Result<Self, String> {
        if !dir.is_dir() {
            return Err(format!(
                "templates directory {} does not exist",
                dir.display()
            ));
        }
        let mut sources = Vec::new();
        for (name, builtin) in BUILTIN {
            let path = dir.join(name);
            let text = if path.exists() {
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("reading {}: {e}", path.display()))?
            } else {
                builtin.to_owned()
            };
            sources.push((name.to_owned(), text));
        }
        Self::with(sources)
    }

    fn with(sources: Vec<(String, String)>) -> Result<Self, String> {
        let mut env = Environment::new();
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        syntax.keep_trailing_newline(true);
        if let Ok(config) = syntax.build() {
            env.set_syntax(config);
        }
        // minijinja would JSON-escape output of `*.yaml.j2` templates; the `yaml` filter already
        // produces safe YAML, so escaping must be off.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.add_filter("yaml", yaml_filter);
        let builtin_resource = sources
            .iter()
            .any(|(name, text)| name == RESOURCE && text == BUILTIN[0].1);
        for (name, text) in sources {
            env.add_template_owned(name.clone(), text)
                .map_err(|e| format!("template {name}: {e}"))?;
        }
        Ok(Templates {
            env,
            builtin_resource,
        })
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, Diagnostics> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(format!("template {name}: {e}")))?;
        let mut text = template
            .render(ctx)
            .map_err(|e| template_error(format!("template {name} failed to render: {e}")))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }

    fn parse_back(name: &str, text: &str) -> Result<Value, Diagnostics> {
        serde_yaml_ng::from_str(text)
            .map_err(|e| template_error(format!("template {name} produced invalid YAML: {e}")))
    }

    pub fn resource(&self, source: &str, r: &Resource) -> Result<String, Diagnostics> {
        if self.builtin_resource {
            // The built-in template adds a comment line to the serialiser's output; that
            // serialiser's round trip is what tests/yaml_round_trip.rs proves, so there is
            // nothing to parse back. Custom templates are checked below.
            let yaml = r.body.yaml().map_err(|e| {
                template_error(format!("cannot serialise {} {}: {e}", r.kind, r.name))
            })?;
            return self.render(
                RESOURCE,
                context! { source, resource => minijinja::Value::from_object(Serialised(std::sync::Mutex::new(Some(yaml)))) },
            );
        }
        let value = r
            .body
            .value()
            .map_err(|e| template_error(format!("cannot read back {} {}: {e}", r.kind, r.name)))?;
        let text = self.render(
            RESOURCE,
            context! { source, resource => minijinja::Value::from(Serde(&value)) },
        )?;
        if Self::parse_back(RESOURCE, &text)? != value {
            return Err(template_error(format!(
                "template {RESOURCE} changed the content of {} {}",
                r.kind, r.name
            )));
        }
        Ok(text)
    }

    pub fn kustomization(
        &self,
        source: &str,
        namespace: Option<&str>,
        resources: &[String],
        patches: &[Value],
    ) -> Result<String, Diagnostics> {
        let text = self.render(
            KUSTOMIZATION,
            context! { source, namespace, resources => minijinja::Value::from(Serde(resources)), patches => minijinja::Value::from(Serde(patches)) },
        )?;
        let parsed = Self::parse_back(KUSTOMIZATION, &text)?;
        let expected_patches: Vec<Value> = patches
            .iter()
            .map(|p| {
                json!({"path": p["path"], "target": {"group": p["group"], "version": p["version"], "kind": p["kind"], "name": p["name"]}})
            })
            .collect();
        let ok = parsed["kind"] == "Kustomization"
            && parsed["resources"] == json!(resources)
            && parsed.get("namespace").and_then(Value::as_str) == namespace
            && (patches.is_empty() && parsed.get("patches").is_none()
                || parsed["patches"] == json!(expected_patches));
        if !ok {
            return Err(template_error(format!(
                "template {KUSTOMIZATION} did not produce the expected kustomization"
            )));
        }
        Ok(text)
    }

    pub fn patch(
        &self,
        source: &str,
        env: &str,
        operations: &[Value],
    ) -> Result<String, Diagnostics> {
        let text = self.render(
            PATCH,
            context! { source, env, operations => minijinja::Value::from(Serde(operations)) },
        )?;
        if Self::parse_back(PATCH, &text)? != json!(operations) {
            return Err(template_error(format!(
                "template {PATCH} changed the patch operations"
            )));
        }
        Ok(text)
    }
}

pub(crate) fn template_error(message: String) -> Diagnostics {
    Diagnostic::error(Code::Template, Span::new(0, 0), message)
        .help("check the templates directory given with --templates against the built-in ones in templates/")
        .into()
}
