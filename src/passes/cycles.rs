//! Steps that feed each other in a loop. A loop is an error unless one of its topics is
//! declared `feedback topic`, the explicit opt-out for deliberate feedback loops.

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::graph::{MeshGraph, Node, Role};
use crate::model::Mesh;
use crate::syntax::ast::TopicKind;

pub fn check(mesh: &Mesh, graph: &MeshGraph, diagnostics: &mut Diagnostics) {
    // Step-to-step graph: A → B when A's output is one of B's inputs (through a non-feedback topic).
    let mut steps: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<_> = (0..mesh.steps.len()).map(|i| steps.add_node(i)).collect();
    for (&topic, feedback) in graph
        .topics
        .values()
        .map(|n| (n, is_feedback(mesh, graph, *n)))
    {
        if feedback {
            continue;
        }
        for write in graph.graph.edges_directed(topic, Direction::Incoming) {
            if write.weight().role != Role::Output {
                continue;
            }
            for read in graph.graph.edges_directed(topic, Direction::Outgoing) {
                if let (Node::Step(a), Node::Step(b)) =
                    (&graph.graph[write.source()], &graph.graph[read.target()])
                {
                    steps.update_edge(nodes[*a], nodes[*b], ());
                }
            }
        }
    }
    for component in tarjan_scc(&steps) {
        let looped = component.len() > 1
            || component
                .first()
                .is_some_and(|&n| steps.find_edge(n, n).is_some());
        if !looped {
            continue;
        }
        let mut members: Vec<usize> = component.iter().map(|&n| steps[n]).collect();
        members.sort_unstable();
        let path = members
            .iter()
            .map(|&i| mesh.steps[i].name.value.as_str())
            .chain(std::iter::once(mesh.steps[members[0]].name.value.as_str()))
            .collect::<Vec<_>>()
            .join(" → ");
        let first = &mesh.steps[members[0]];
        let mut d = Diagnostic::error(
            Code::Cycle,
            first.name.span,
            format!("steps form a cycle: {path}"),
        )
        .primary("the cycle starts here");
        for &i in &members[1..] {
            d = d.label(mesh.steps[i].name.span, "part of the cycle");
        }
        diagnostics.push(d.help(
            "if the loop is deliberate, declare one of its topics `feedback topic …`; otherwise break the loop",
        ));
    }
}

fn is_feedback(mesh: &Mesh, graph: &MeshGraph, node: petgraph::graph::NodeIndex) -> bool {
    matches!(&graph.graph[node], Node::Topic { declared: Some(i), .. } if mesh.topics[*i].kind == TopicKind::Feedback)
}
