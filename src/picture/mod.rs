//! `fmc graph`: the mesh as a picture. A checked `Mesh` is first turned into a neutral
//! description (`Picture`: nodes, edges, clusters), which the writers for DOT, Mermaid and
//! SVG only lay out as text; so every format shows the same graph.
//!
//! Topics are the edges, not nodes: a topic written by `a` and read by `b` and `c` becomes
//! the edges `a → b` and `a → c`. Where a topic crosses the mesh's boundary (read but
//! produced outside, or written but read outside) there is no step at the other end, so it
//! gets a boundary node of its own.

mod dot;
mod mermaid;
mod svg;

use std::collections::HashSet;

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::diag::Diagnostics;
use crate::graph::{self, MeshGraph, Role};
use crate::model::{Mesh, Model};
use crate::passes::describe_schema;
use crate::syntax::ast::StepKind;

/// The output formats of `fmc graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Dot,
    Mermaid,
    Svg,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    #[error("no environment named `{name}`; {}", known_envs(.known))]
    UnknownEnv { name: String, known: Vec<String> },
    #[error("the SVG layout failed: {0}")]
    Layout(String),
}

fn known_envs(known: &[String]) -> String {
    if known.is_empty() {
        "the mesh declares no environments".into()
    } else {
        format!("known environments: {}", known.join(", "))
    }
}

/// Draws the base mesh, or the effective mesh of environment `env`, in `format`.
pub fn draw(model: &Model, env: Option<&str>, format: Format) -> Result<String, PictureError> {
    let picture = Picture::from_mesh(select(model, env)?);
    match format {
        Format::Dot => Ok(dot::write(&picture)),
        Format::Mermaid => Ok(mermaid::write(&picture)),
        Format::Svg => svg::write(&picture),
    }
}

/// The base mesh, or the named environment's effective mesh.
pub fn select<'m>(model: &'m Model, env: Option<&str>) -> Result<&'m Mesh, PictureError> {
    let Some(name) = env else {
        return Ok(&model.base);
    };
    model
        .envs
        .iter()
        .find(|m| m.env.as_ref().is_some_and(|e| e.value == name))
        .ok_or_else(|| PictureError::UnknownEnv {
            name: name.to_string(),
            known: model
                .envs
                .iter()
                .filter_map(|m| m.env.as_ref().map(|e| e.value.clone()))
                .collect(),
        })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Function,
    Source,
    Sink,
    /// Where data enters the mesh: an external topic, or an input pattern.
    Entry,
    /// Where data leaves the mesh: a topic written but read by no step.
    Exit,
}

impl NodeKind {
    pub fn word(self) -> &'static str {
        match self {
            NodeKind::Function => "function",
            NodeKind::Source => "source",
            NodeKind::Sink => "sink",
            NodeKind::Entry => "entry",
            NodeKind::Exit => "exit",
        }
    }

    pub fn is_boundary(self) -> bool {
        matches!(self, NodeKind::Entry | NodeKind::Exit)
    }
}

/// A Pulsar cluster that steps run against; drawn as a box around its steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// `[a-z0-9_]`, unique; writers may use it as an identifier unquoted.
    pub id: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// `[a-z0-9_]`, unique, never a bare keyword (always prefixed).
    pub id: String,
    pub kind: NodeKind,
    /// The step's or topic's name.
    pub title: String,
    /// The second line: runtime and cluster of a step, the role of a boundary node.
    pub detail: String,
    /// Index into `Picture::groups`.
    pub group: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Indices into `Picture::nodes`.
    pub from: usize,
    pub to: usize,
    /// `topic: schema`; empty for an input pattern (it has no single topic).
    pub label: String,
    /// Written by the runtime (log topic, dead letters), not by the step's logic.
    pub side: bool,
}

/// The neutral description every writer draws. Order is declaration order throughout, so
/// the output is deterministic.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// The mesh name, with the environment in parentheses.
    pub title: String,
    pub groups: Vec<Group>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Picture {
    pub fn from_mesh(mesh: &Mesh) -> Picture {
        let mut ids = Ids::default();
        let title = match &mesh.env {
            Some(env) => format!("{} ({})", mesh.name.value, env.value),
            None => mesh.name.value.clone(),
        };
        // Only clusters that run a step get a box; an empty box says nothing.
        let step_cluster: Vec<Option<usize>> = mesh
            .steps
            .iter()
            .map(|s| {
                let name = &mesh.step_cluster(s)?.name.value;
                mesh.clusters.iter().position(|c| &c.name.value == name)
            })
            .collect();
        let mut groups = Vec::new();
        let mut group_of_cluster = vec![None; mesh.clusters.len()];
        for (i, cluster) in mesh.clusters.iter().enumerate() {
            if step_cluster.contains(&Some(i)) {
                group_of_cluster[i] = Some(groups.len());
                let pulsar = cluster.pulsar_cluster_name();
                let label = if pulsar == cluster.name.value {
                    format!("cluster {pulsar}")
                } else {
                    format!("cluster {} ({pulsar})", cluster.name.value)
                };
                groups.push(Group {
                    id: ids.fresh("cluster_", &cluster.name.value),
                    label,
                });
            }
        }

        let mut nodes: Vec<Node> = mesh
            .steps
            .iter()
            .zip(&step_cluster)
            .map(|(step, cluster)| {
                let runtime = step.runtime.value.word();
                let detail = match cluster {
                    Some(c) => format!("{runtime} @ {}", mesh.clusters[*c].name.value),
                    None => runtime.to_string(),
                };
                Node {
                    id: ids.fresh("step_", &step.name.value),
                    kind: match step.kind.value {
                        StepKind::Function => NodeKind::Function,
                        StepKind::Source => NodeKind::Source,
                        StepKind::Sink => NodeKind::Sink,
                    },
                    title: step.name.value.clone(),
                    detail,
                    group: cluster.and_then(|c| group_of_cluster[c]),
                }
            })
            .collect();
        let mut edges = Vec::new();

        // The model was checked, so building the graph finds nothing new to report.
        let mesh_graph = MeshGraph::build(mesh, &mut Diagnostics::default());
        let g = &mesh_graph.graph;
        // Node indices follow creation order: declared topics as declared, then topics
        // named by full name as first mentioned.
        for topic in g.node_indices() {
            let graph::Node::Topic {
                full_name,
                declared,
            } = &g[topic]
            else {
                continue;
            };
            let (name, label) = match declared.map(|i| &mesh.topics[i]) {
                Some(t) => (
                    t.name.value.clone(),
                    format!("{}: {}", t.name.value, describe_schema(&t.schema.value)),
                ),
                None => (full_name.clone(), full_name.clone()),
            };
            let mut writers: Vec<(usize, bool)> = g
                .edges_directed(topic, Direction::Incoming)
                .filter_map(|e| step_index(g, e.source()).map(|s| (s, e.weight().role)))
                .map(|(s, role)| (s, role == Role::Side))
                .collect();
            let mut readers: Vec<usize> = g
                .edges_directed(topic, Direction::Outgoing)
                .filter_map(|e| step_index(g, e.target()))
                .collect();
            // petgraph lists edges newest first; sort back into step order, once each.
            writers.sort_unstable();
            writers.dedup();
            readers.sort_unstable();
            readers.dedup();
            match (writers.is_empty(), readers.is_empty()) {
                (true, true) => {} // declared but unused: nothing flows
                (true, false) => {
                    let from = nodes.len();
                    nodes.push(Node {
                        id: ids.fresh("in_", &name),
                        kind: NodeKind::Entry,
                        title: name,
                        detail: "external input".into(),
                        group: None,
                    });
                    for to in readers {
                        edges.push(Edge {
                            from,
                            to,
                            label: label.clone(),
                            side: false,
                        });
                    }
                }
                (false, true) => {
                    let to = nodes.len();
                    nodes.push(Node {
                        id: ids.fresh("out_", &name),
                        kind: NodeKind::Exit,
                        title: name,
                        detail: "external output".into(),
                        group: None,
                    });
                    for (from, side) in writers {
                        edges.push(Edge {
                            from,
                            to,
                            label: label.clone(),
                            side,
                        });
                    }
                }
                (false, false) => {
                    for &(from, side) in &writers {
                        for &to in &readers {
                            edges.push(Edge {
                                from,
                                to,
                                label: label.clone(),
                                side,
                            });
                        }
                    }
                }
            }
        }

        // `in pattern "…"` reads whatever topics match, from anywhere: an entry of its own.
        for (i, step) in mesh.steps.iter().enumerate() {
            if let Some(pattern) = &step.settings.input_pattern {
                let from = nodes.len();
                nodes.push(Node {
                    id: ids.fresh("pattern_", &step.name.value),
                    kind: NodeKind::Entry,
                    title: "topics matching".into(),
                    detail: pattern.value.clone(),
                    group: None,
                });
                edges.push(Edge {
                    from,
                    to: i,
                    label: String::new(),
                    side: false,
                });
            }
        }

        Picture {
            title,
            groups,
            nodes,
            edges,
        }
    }

    /// Indices of the nodes in group `group` (`None`: outside every cluster), in order.
    pub fn members(&self, group: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| n.group == group)
            .map(|(i, _)| i)
    }
}

fn step_index(
    g: &petgraph::graph::DiGraph<graph::Node, graph::Edge>,
    node: petgraph::graph::NodeIndex,
) -> Option<usize> {
    match g[node] {
        graph::Node::Step(i) => Some(i),
        graph::Node::Topic { .. } => None,
    }
}

/// Identifiers safe in every format: lower-case letters, digits and `_`, with a prefix so no
/// identifier is a keyword (`end` breaks Mermaid, `node` breaks DOT).
#[derive(Default)]
struct Ids(HashSet<String>);

impl Ids {
    fn fresh(&mut self, prefix: &str, name: &str) -> String {
        let base: String = prefix
            .chars()
            .chain(name.chars().map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            }))
            .collect();
        // Full topic names can map to the same identifier (`a/b` and `a-b`).
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_unique() {
        let mut ids = Ids::default();
        assert_eq!(
            ids.fresh("in_", "persistent://a/b-c"),
            "in_persistent___a_b_c"
        );
        assert_eq!(
            ids.fresh("in_", "persistent://a/b/c"),
            "in_persistent___a_b_c_2"
        );
        assert_eq!(ids.fresh("step_", "end"), "step_end");
    }
}
