//! What code generation produces: each object with the file it goes to, and the whole tree of
//! files `fmc compile` writes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::document::Body;

/// One generated Kubernetes object and the file it goes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// File name without `.yaml`, unique in the output.
    pub stem: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub body: Body,
}

impl Resource {
    /// The whole object as JSON.
    pub fn value(&self) -> Result<Value, serde_yaml_ng::Error> {
        self.body.value()
    }
}

/// Everything `fmc compile` writes, by path relative to the output directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    /// The base resources' files in resource order (workloads first, then ConfigMaps).
    pub base_order: Vec<String>,
}

impl Output {
    /// The base resources as one multi-document stream (`-o -`).
    pub fn stream(&self) -> String {
        let mut stream = String::new();
        for (i, path) in self.base_order.iter().enumerate() {
            if i > 0 {
                stream.push_str("---\n");
            }
            let text = self.files.get(path).map(String::as_str).unwrap_or_default();
            stream.push_str(text);
            if !text.ends_with('\n') {
                stream.push('\n');
            }
        }
        stream
    }
}

/// A Function Mesh API object.
pub(crate) fn resource(stem: String, name: &str, kind: &str, body: Body) -> Resource {
    Resource {
        stem,
        api_version: fm_api::API_VERSION.into(),
        kind: kind.into(),
        name: name.into(),
        body,
    }
}
