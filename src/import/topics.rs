//! Topics recovered from the resources: every full name a step reads or writes gets a short
//! kebab-case name and the schema its `typeClassName` / schema type imply. A topic read but
//! produced by no imported step is declared `external`. A topic lives on the cluster of the
//! steps that use it (their `pulsar.pulsarConfig`): one full name used on two clusters is two
//! topics, as a mesh declares a replica, each `on` its cluster.

use crate::mapping::{schema_type, type_class};
use crate::syntax::ast::Schema;

use super::write;

/// Schema kinds of the language, as Pulsar's schema type names lower-cased.
const KINDS: &[&str] = &[
    "bytes",
    "string",
    "json",
    "avro",
    "protobuf",
    "protobuf-native",
    "key-value",
];

/// The schema that makes the compiler write back `type_class` and `schema_type` (Pulsar's
/// `typeClassName` and `sinkSchemaType`/`customSchemaSources` values), as far as the
/// language can say it. No type class at all is read as raw bytes, Pulsar's default.
pub fn observed(type_class_name: Option<&str>, schema_type_name: Option<&str>) -> Schema {
    let kind = schema_type_name
        .map(|s| s.to_ascii_lowercase().replace('_', "-"))
        .filter(|k| KINDS.contains(&k.as_str()));
    match (kind, type_class_name) {
        (None, None | Some("[B")) => Schema {
            kind: Some("bytes".into()),
            class: None,
        },
        (None, Some(class)) => Schema {
            kind: None,
            class: Some(class.into()),
        },
        (Some(kind), class) => {
            let plain = Schema {
                kind: Some(kind),
                class: None,
            };
            // `string` already implies java.lang.String, `bytes` implies [B.
            let class = class.filter(|c| type_class(&plain).as_deref() != Some(*c));
            Schema {
                class: class.map(str::to_owned),
                ..plain
            }
        }
    }
}

/// What the compiler writes for a topic of this schema: `(typeClassName, schema type)`.
pub fn generated(schema: &Schema) -> (Option<String>, Option<String>) {
    (type_class(schema), schema_type(schema))
}

#[derive(Clone, Debug)]
pub struct Topic {
    pub full: String,
    pub short: String,
    pub schema: Schema,
    pub produced: bool,
    /// The ConfigMap (so the cluster) of the steps using it.
    pub config_map: String,
}

#[derive(Clone, Debug, Default)]
pub struct Topics {
    list: Vec<Topic>,
}

impl Topics {
    /// Records a use of `full`; the first use fixes the schema (a step that disagrees keeps
    /// its own type in `spec { … }`).
    pub fn note(&mut self, full: &str, schema: Schema, produced: bool, config_map: &str) {
        if let Some(t) = self
            .list
            .iter_mut()
            .find(|t| t.full == full && t.config_map == config_map)
        {
            t.produced |= produced;
            return;
        }
        let base = super::kebab(full.rsplit('/').next().unwrap_or(full), "topic");
        let mut short = base.clone();
        let mut n = 2;
        while self.list.iter().any(|t| t.short == short) {
            short = format!("{base}-{n}");
            n += 1;
        }
        self.list.push(Topic {
            full: full.to_owned(),
            short,
            schema,
            produced,
            config_map: config_map.to_owned(),
        });
    }

    /// The topic `full` as used on the cluster of `config_map`.
    pub fn get(&self, full: &str, config_map: &str) -> Option<&Topic> {
        self.list
            .iter()
            .find(|t| t.full == full && t.config_map == config_map)
    }

    /// `topic` declarations in first-use order; `placed` gives the ` on CLUSTER` of a
    /// topic's ConfigMap when the mesh needs it said.
    pub fn declarations(
        &self,
        tenant: &str,
        namespace: &str,
        placed: impl Fn(&str) -> Option<String>,
    ) -> Vec<String> {
        let prefix = format!("persistent://{tenant}/{namespace}/");
        self.list
            .iter()
            .map(|t| {
                let external = if t.produced { "" } else { "external " };
                let name = match t.full.strip_prefix(&prefix) {
                    Some(rest) if rest == t.short => String::new(),
                    _ => format!(" = {}", write::string(&t.full)),
                };
                let on = placed(&t.config_map)
                    .map(|c| format!(" on {c}"))
                    .unwrap_or_default();
                format!(
                    "{external}topic {}{name}: {}{on}",
                    t.short,
                    schema_text(&t.schema)
                )
            })
            .collect()
    }
}

fn schema_text(schema: &Schema) -> String {
    match (&schema.kind, &schema.class) {
        (Some(kind), Some(class)) => format!("{kind} {}", write::string(class)),
        (Some(kind), None) => kind.clone(),
        (None, Some(class)) => write::string(class),
        (None, None) => "bytes".into(),
    }
}
