//! Graphviz DOT: `dot -Tsvg` (or any DOT viewer) draws it with cluster boxes.

use std::fmt::Write;

use super::{NodeKind, Picture};

pub fn write(p: &Picture) -> String {
    let mut out = String::new();
    // `writeln!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "digraph {} {{", quote(&p.title));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, label={}, labelloc=t, fontname=\"Helvetica\"];",
        quote(&format!("mesh {}", p.title))
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (g, group) in p.groups.iter().enumerate() {
        // Graphviz draws a box only around subgraphs whose name starts with `cluster`.
        let _ = writeln!(out, "\n  subgraph {} {{", group.id);
        let _ = writeln!(out, "    label={};", quote(&group.label));
        out.push_str("    style=rounded;\n");
        for n in p.members(Some(g)) {
            node(&mut out, p, n, "    ");
        }
        out.push_str("  }\n");
    }
    out.push('\n');
    for n in p.members(None) {
        node(&mut out, p, n, "  ");
    }
    if !p.edges.is_empty() {
        out.push('\n');
    }
    for e in &p.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label={}", quote(&e.label)));
        }
        if e.side {
            attrs.push("style=dashed".to_string());
        }
        let _ = write!(out, "  {} -> {}", p.nodes[e.from].id, p.nodes[e.to].id);
        if !attrs.is_empty() {
            let _ = write!(out, " [{}]", attrs.join(", "));
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn node(out: &mut String, p: &Picture, index: usize, indent: &str) {
    let n = &p.nodes[index];
    let shape = match n.kind {
        NodeKind::Function => "shape=box, style=rounded",
        NodeKind::Source => "shape=cds",
        NodeKind::Sink => "shape=cylinder",
        NodeKind::Entry | NodeKind::Exit => "shape=parallelogram, style=dashed",
    };
    let label = format!("{}\n{}", n.title, n.detail);
    let _ = writeln!(out, "{indent}{} [{shape}, label={}];", n.id, quote(&label));
}

/// A DOT string literal. Inside quotes DOT knows only `\"`; other backslashes are escape
/// sequences of the label language (`\n`, `\l`, `\N`…), so a literal one is doubled. Line
/// breaks become `\n`, other control characters spaces.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
        assert_eq!(quote("x\ny\tz"), r#""x\ny z""#);
    }
}
