//! Topic connectivity, cluster agreement and schema agreement along the graph's edges.

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::graph::{MeshGraph, Node, Role};
use crate::model::Mesh;
use crate::syntax::ast::{Schema, StepKind, TopicKind};

pub fn check(mesh: &Mesh, graph: &MeshGraph, diagnostics: &mut Diagnostics) {
    for &node in graph.topics.values() {
        let Node::Topic {
            full_name,
            declared,
        } = &graph.graph[node]
        else {
            continue;
        };
        let topic = declared.map(|i| &mesh.topics[i]);
        let kind = topic.map(|t| t.kind).unwrap_or(TopicKind::Internal);
        let writers: Vec<_> = graph
            .graph
            .edges_directed(node, Direction::Incoming)
            .collect();
        let readers: Vec<_> = graph
            .graph
            .edges_directed(node, Direction::Outgoing)
            .collect();

        if writers.is_empty() && kind != TopicKind::External {
            for read in &readers {
                let mut d = Diagnostic::error(
                    Code::UnproducedTopic,
                    read.weight().span,
                    format!("`{full_name}` is read here but nothing in the mesh writes it"),
                )
                .primary("read here");
                if let Some(t) = topic {
                    d = d.label(t.name.span, "declared here");
                }
                let name = topic.map(|t| t.name.value.as_str()).unwrap_or("name");
                d = d.help(format!(
                    "add a step with `out {name}`, or declare it `external topic {name}: …` if it is produced outside this mesh"
                ));
                diagnostics.push(d);
            }
        }
        if let Some(t) = topic {
            let read_by_step = readers.iter().any(|e| e.weight().role == Role::Input);
            let written_as_output = writers.iter().any(|e| e.weight().role == Role::Output);
            if kind == TopicKind::Internal && written_as_output && !read_by_step {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::UnreadTopic,
                        t.name.span,
                        format!("topic `{}` is written but nothing in the mesh reads it", t.name.value),
                    )
                    .primary("never read")
                    .help("add a sink or function that reads it, or declare it `external topic` if consumers live outside the mesh"),
                );
            }
            if writers.is_empty() && readers.is_empty() {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::UnreadTopic,
                        t.name.span,
                        format!("topic `{}` is declared but no step uses it", t.name.value),
                    )
                    .primary("unused")
                    .help("remove the declaration or use the topic in a step"),
                );
            }
        }
        check_clusters(mesh, graph, node, diagnostics);
    }
    check_step_shapes(mesh, diagnostics);
    check_input_schemas(mesh, graph, diagnostics);
}

/// A topic lives on one Pulsar cluster: the one it is declared `on`, else its writer's.
/// Every reader and writer must run against that cluster.
fn check_clusters(
    mesh: &Mesh,
    graph: &MeshGraph,
    node: petgraph::graph::NodeIndex,
    diagnostics: &mut Diagnostics,
) {
    let Node::Topic {
        full_name,
        declared,
    } = &graph.graph[node]
    else {
        return;
    };
    let declared_cluster = declared.and_then(|i| mesh.topics[i].cluster.as_ref());
    let mut home: Option<(String, crate::diag::Span, &'static str)> =
        declared_cluster.map(|c| (c.value.clone(), c.span, "declared on this cluster"));
    let edges = graph
        .graph
        .edges_directed(node, Direction::Incoming)
        .chain(graph.graph.edges_directed(node, Direction::Outgoing));
    for edge in edges {
        let step_node = if edge.source() == node {
            edge.target()
        } else {
            edge.source()
        };
        let Node::Step(i) = graph.graph[step_node] else {
            continue;
        };
        let step = &mesh.steps[i];
        let Some(cluster) = mesh.step_cluster(step) else {
            continue; // reported by the values pass
        };
        match &home {
            None => {
                home = Some((
                    cluster.name.value.clone(),
                    edge.weight().span,
                    "first used here, on that cluster",
                ))
            }
            Some((home_name, home_span, why)) if *home_name != cluster.name.value => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::CrossCluster,
                        edge.weight().span,
                        format!(
                            "step `{}` runs on cluster `{}` but topic `{full_name}` lives on cluster `{home_name}`",
                            step.name.value, cluster.name.value
                        ),
                    )
                    .primary(format!("used from cluster `{}`", cluster.name.value))
                    .label(*home_span, *why)
                    .help("a step can only reach topics on its own Pulsar cluster: move the step (`cluster …`), or replicate the topic and declare the replica `external topic … on …`"),
                );
            }
            Some(_) => {}
        }
    }
}

/// Sources write and do not read; sinks read and do not write; functions read.
fn check_step_shapes(mesh: &Mesh, diagnostics: &mut Diagnostics) {
    for step in &mesh.steps {
        let s = &step.settings;
        let reads = s.inputs.as_ref().is_some_and(|i| !i.is_empty()) || s.input_pattern.is_some();
        match step.kind.value {
            StepKind::Source => {
                if let Some(first) = s.inputs.iter().flatten().next() {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            first.span,
                            "a source does not read topics",
                        )
                        .help("sources bring data into Pulsar: give them `out TOPIC` only"),
                    );
                }
                if s.output.is_none() {
                    diagnostics.push(missing(step, "a source needs `out TOPIC`"));
                }
            }
            StepKind::Sink => {
                if let Some(out) = &s.output {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            out.span,
                            "a sink does not write a topic",
                        )
                        .help("sinks move data out of Pulsar: give them `in TOPIC` only"),
                    );
                }
                if !reads {
                    diagnostics.push(missing(
                        step,
                        "a sink needs `in TOPIC` (or `in pattern \"…\"`)",
                    ));
                }
            }
            StepKind::Function => {
                if !reads {
                    diagnostics.push(missing(
                        step,
                        "a function needs `in TOPIC` (or `in pattern \"…\"`)",
                    ));
                }
            }
        }
    }
}

fn missing(step: &crate::model::Step, message: &str) -> Diagnostic {
    Diagnostic::error(
        Code::MissingSetting,
        step.name.span,
        format!("step `{}`: {message}", step.name.value),
    )
    .primary("declared here")
}

/// A step has one input type: every topic it reads must carry the same schema.
fn check_input_schemas(mesh: &Mesh, graph: &MeshGraph, diagnostics: &mut Diagnostics) {
    for (i, &node) in graph.steps.iter().enumerate() {
        let step = &mesh.steps[i];
        let mut first: Option<(Schema, crate::diag::Span, String)> = None;
        let mut inputs: Vec<_> = graph
            .graph
            .edges_directed(node, Direction::Incoming)
            .collect();
        inputs.sort_by_key(|e| e.weight().span);
        for edge in inputs {
            let Node::Topic {
                full_name,
                declared: Some(t),
            } = &graph.graph[edge.source()]
            else {
                continue;
            };
            let schema = mesh.topics[*t].schema.value.clone();
            match &first {
                None => first = Some((schema, edge.weight().span, full_name.clone())),
                Some((s, span, name)) if *s != schema => diagnostics.push(
                    Diagnostic::error(
                        Code::SchemaMismatch,
                        edge.weight().span,
                        format!(
                            "step `{}` reads topics with different schemas: `{}` is {} but `{name}` is {}",
                            step.name.value,
                            full_name,
                            describe(&schema),
                            describe(s)
                        ),
                    )
                    .primary(describe(&schema))
                    .label(*span, describe(s))
                    .help("a step has one input type; convert one stream first, or split the step"),
                ),
                Some(_) => {}
            }
        }
    }
}

pub fn describe(schema: &Schema) -> String {
    match (&schema.kind, &schema.class) {
        (Some(kind), Some(class)) => format!("{kind} \"{class}\""),
        (Some(kind), None) => kind.clone(),
        (None, Some(class)) => format!("\"{class}\""),
        (None, None) => "bytes".into(),
    }
}
