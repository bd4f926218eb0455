//! How a generated resource is held until it is written. Most resources are one JSON tree. A
//! FunctionMesh keeps each member written out on its own instead: a mesh of thousands of
//! steps as one tree is over a hundred megabytes of small allocations, while its YAML is a few
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
    /// each member (a step's spec) as its list item, written where it stands in the
    /// document: see [`mesh_member`].
    pub lists: Vec<(&'static str, Vec<String>)>,
}

/// Column of the `- ` of a FunctionMesh member: `spec:` at 0, the list's key at 2, its
/// items (not indented under their key) at 2.
const MEMBER_INDENT: usize = 2;

/// A member's list item as the whole document would hold it.
pub fn mesh_member(member: &impl serde::Serialize) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(member)?;
    let mut item = String::new();
    fm_api::yaml::push_item(&mut item, &value, MEMBER_INDENT);
    // Thousands are kept until the file is assembled: without the slack of their growth.
    item.shrink_to_fit();
    Ok(item)
}

/// Block YAML of a value (see `fm_api::yaml`: what every Kubernetes YAML reader reads back as
/// written) without its final newline: what the built-in templates write. Only that one
/// newline goes: a string ending in blank lines is written as a keep-chomped block scalar
/// (`|+`), whose trailing blank lines are its content.
pub fn block_yaml(value: &impl serde::Serialize) -> Result<String, serde_json::Error> {
    let mut text = fm_api::yaml::to_string_of(value)?;
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

impl Body {
    /// Block YAML without the final newline, byte for byte what writing the whole tree would
    /// give.
    pub fn yaml(&self) -> Result<String, serde_json::Error> {
        match self {
            Body::Object(value) => block_yaml(value),
            Body::Mesh(mesh) => mesh.yaml(),
        }
    }

    /// The whole tree. For a FunctionMesh this reads the members back, which is exact (the
    /// writer's round trip is property-tested) and needed only by custom templates.
    pub fn value(&self) -> Result<Value, serde_yaml_ng::Error> {
        match self {
            Body::Object(value) => Ok(value.clone()),
            Body::Mesh(mesh) => {
                let mut spec = Map::new();
                for (list, members) in &mesh.lists {
                    let mut read = Vec::with_capacity(members.len());
                    for member in members {
                        // A one-item list, indented as it stands in the document.
                        let items: Vec<Value> = serde_yaml_ng::from_str(member)?;
                        read.extend(items);
                    }
                    spec.insert((*list).to_owned(), Value::Array(read));
                }
                let mut whole = mesh.head.clone();
                whole.insert("spec".into(), Value::Object(spec));
                Ok(Value::Object(whole))
            }
        }
    }
}

impl MeshBody {
    /// The head, then `spec:` with each list's key and its members' items as they are.
    fn yaml(&self) -> Result<String, serde_json::Error> {
        let head = fm_api::yaml::to_string_of(&self.head)?;
        // Megabytes for a large mesh: allocated once, at its size.
        let size = head.len()
            + "spec: {}\n".len()
            + self
                .lists
                .iter()
                .map(|(list, members)| {
                    list.len() + 4 + members.iter().map(String::len).sum::<usize>()
                })
                .sum::<usize>();
        let mut out = String::with_capacity(size);
        out.push_str(&head);
        out.push_str("spec:");
        if self.lists.is_empty() {
            out.push_str(" {}\n");
        } else {
            out.push('\n');
        }
        for (list, members) in &self.lists {
            out.push_str("  ");
            out.push_str(list);
            out.push_str(":\n");
            for member in members {
                out.push_str(member);
            }
        }
        out.pop();
        Ok(out)
    }
}
