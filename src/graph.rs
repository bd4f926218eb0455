//! The mesh as a typed graph: steps and topics are nodes, reads and writes are edges.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{Mesh, Step};
use crate::suggest::help_for;
use crate::syntax::ast::{Spanned, TopicRef};

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Index into `Mesh::steps`.
    Step(usize),
    /// A topic by full name; `declared` is its index in `Mesh::topics` when declared.
    Topic {
        full_name: String,
        declared: Option<usize>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A regular input (`in`).
    Input,
    /// The one output (`out`).
    Output,
    /// Log or dead-letter topics: written by the runtime, not by the step's logic.
    Side,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub role: Role,
    /// Where the step names the topic.
    pub span: Span,
}

pub struct MeshGraph {
    pub graph: DiGraph<Node, Edge>,
    pub steps: Vec<NodeIndex>,
    /// Topic nodes keyed by declared short name, or by full name for topics a step names
    /// without declaring them. Two declared topics may share a full name when they live on
    /// different clusters (a geo-replicated topic and its mirror): they are distinct nodes.
    pub topics: BTreeMap<String, NodeIndex>,
}

impl MeshGraph {
    /// Builds the graph; topic names that resolve to nothing are reported.
    pub fn build(mesh: &Mesh, diagnostics: &mut Diagnostics) -> Self {
        let mut graph = DiGraph::new();
        let mut topics = BTreeMap::new();
        for (i, topic) in mesh.topics.iter().enumerate() {
            let node = graph.add_node(Node::Topic {
                full_name: topic.full_name.clone(),
                declared: Some(i),
            });
            topics.insert(topic.name.value.clone(), node);
        }
        let mut steps = Vec::new();
        for (i, step) in mesh.steps.iter().enumerate() {
            let node = graph.add_node(Node::Step(i));
            steps.push(node);
            for (topic, role) in step_topics(step) {
                let Some((key, full)) = resolve(mesh, topic, diagnostics) else {
                    continue;
                };
                let topic_node = *topics.entry(key).or_insert_with(|| {
                    graph.add_node(Node::Topic {
                        full_name: full,
                        declared: None,
                    })
                });
                let edge = Edge {
                    role,
                    span: topic.span,
                };
                if role == Role::Input {
                    graph.add_edge(topic_node, node, edge);
                } else {
                    graph.add_edge(node, topic_node, edge);
                }
            }
        }
        MeshGraph {
            graph,
            steps,
            topics,
        }
    }
}

/// Every topic a step names, with its role, in the order written.
pub fn step_topics(step: &Step) -> Vec<(&Spanned<TopicRef>, Role)> {
    let s = &step.settings;
    let mut out: Vec<_> = s
        .inputs
        .iter()
        .flatten()
        .map(|t| (t, Role::Input))
        .collect();
    out.extend(s.output.iter().map(|t| (t, Role::Output)));
    out.extend(s.log_topic.iter().map(|t| (t, Role::Side)));
    out.extend(s.dead_letter.iter().map(|t| (t, Role::Side)));
    let late_data = s.window.as_ref().and_then(|w| w.value.late_data.as_ref());
    out.extend(late_data.map(|t| (t, Role::Side)));
    out
}

/// The node key and full name of a topic as a step names it.
fn resolve(
    mesh: &Mesh,
    topic: &Spanned<TopicRef>,
    diagnostics: &mut Diagnostics,
) -> Option<(String, String)> {
    match &topic.value {
        TopicRef::Full(full) => Some(match mesh.topic_by_full_name(full) {
            Some(t) => (t.name.value.clone(), full.clone()),
            None => (full.clone(), full.clone()),
        }),
        TopicRef::Name(name) => match mesh.topic(name) {
            Some(t) => Some((name.clone(), t.full_name.clone())),
            None => {
                let mut d = Diagnostic::error(
                    Code::UnknownTopic,
                    topic.span,
                    format!("no topic named `{name}`"),
                )
                .primary("not declared");
                d = match help_for(name, mesh.topics.iter().map(|t| t.name.value.as_str())) {
                    Some(help) => d.help(help),
                    None => d.help(format!(
                        "declare it: `topic {name}: json` (or `external topic {name}: …` if it is produced outside the mesh)"
                    )),
                };
                diagnostics.push(d);
                None
            }
        },
    }
}
