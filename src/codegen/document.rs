//! How a generated resource is held until it is written. Most resources are one JSON tree. A
//! FunctionMesh keeps each member serialised on its own instead: a mesh of thousands of steps
//! as one tree is over a hundred megabytes of small allocations, while its YAML is a few
//! megabytes, and the tree was needed only to be written out.

use serde_json::{Map, Value};

/// The content of a generated resource.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// An object built whole: ConfigMaps and `--split` resources.
    Object(Value),
    /// A FunctionMesh, member by member.
    Mesh(MeshBody),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MeshBody {
    /// `apiVersion`, `kind` and `metadata`.
    pub head: Map<String, Value>,
    /// The spec's member lists in the order the spec serialises them (empty lists left out),
    /// each member (a step's spec: always a map) as its block YAML.
    pub lists: Vec<(&'static str, Vec<String>)>,
}

/// Block YAML of a value without the newline the serialiser ends it with: what the built-in
/// templates write. Only that one newline goes: a string ending in blank lines is written as a
/// keep-chomped block scalar (`|+`), whose trailing blank lines are its content.
pub fn block_yaml(value: &impl serde::Serialize) -> Result<String, serde_yaml_ng::Error> {
    let mut text = serde_yaml_ng::to_string(value)?;
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

impl Body {
    /// Block YAML, byte for byte what serialising the whole tree would give.
    pub fn yaml(&self) -> Result<String, serde_yaml_ng::Error> {
        match self {
            Body::Object(value) => block_yaml(value),
            Body::Mesh(mesh) => Ok(mesh.yaml()?),
        }
    }

    /// The whole tree. For a FunctionMesh this reads the members back, which is exact (the
    /// serialiser's round trip is property-tested) and needed only by custom templates.
    pub fn value(&self) -> Result<Value, serde_yaml_ng::Error> {
        match self {
            Body::Object(value) => Ok(value.clone()),
            Body::Mesh(mesh) => {
                let mut spec = Map::new();
                for (list, members) in &mesh.lists {
                    // With the newline `block_yaml` took off: a block scalar's last line
                    // break is content.
                    let members = members
                        .iter()
                        .map(|m| serde_yaml_ng::from_str(&format!("{m}\n")))
                        .collect::<Result<Vec<Value>, _>>()?;
                    spec.insert((*list).to_owned(), Value::Array(members));
                }
                let mut whole = mesh.head.clone();
                whole.insert("spec".into(), Value::Object(spec));
                Ok(Value::Object(whole))
            }
        }
    }
}

impl MeshBody {
    /// The serialiser writes a list under a map key without indenting its `- ` and never
    /// folds long lines (its width is unlimited), so a member's own block YAML, indented,
    /// is what it would write for that member in place.
    fn yaml(&self) -> Result<String, serde_yaml_ng::Error> {
        let mut out = block_yaml(&self.head)?;
        out.push_str("\nspec:");
        if self.lists.is_empty() {
            out.push_str(" {}");
        }
        for (list, members) in &self.lists {
            out.push_str("\n  ");
            out.push_str(list);
            out.push(':');
            for member in members {
                out.push('\n');
                indent_member(member, &mut out);
            }
        }
        Ok(out)
    }
}

/// What libyaml takes for a line break; after one it writes the indentation again before
/// the next character that is not a break (inside quoted scalars too).
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Appends a member as a list item two levels deep: `  - ` before its first line, four
/// spaces wherever libyaml would indent after a break. Nothing is added between breaks: an
/// empty line stays empty, as inside a literal block scalar spaces would become content.
fn indent_member(member: &str, out: &mut String) {
    out.push_str("  - ");
    let mut after_break = false;
    for c in member.chars() {
        if is_break(c) {
            after_break = true;
        } else if after_break {
            out.push_str("    ");
            after_break = false;
        }
        out.push(c);
    }
}
