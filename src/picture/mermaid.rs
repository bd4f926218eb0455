//! Mermaid flowcharts: rendered by GitHub and most Markdown viewers from a ```mermaid block.

use std::fmt::Write;

use super::{NodeKind, Picture};

pub fn write(p: &Picture) -> String {
    let mut out = String::new();
    out.push_str("flowchart LR\n");
    // Mesh and environment names are kebab-case, safe in a comment.
    let _ = writeln!(out, "  %% mesh {}", p.title);
    for (g, group) in p.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph {} [\"{}\"]", group.id, text(&group.label));
        for n in p.members(Some(g)) {
            node(&mut out, p, n, "    ");
        }
        out.push_str("  end\n");
    }
    for n in p.members(None) {
        node(&mut out, p, n, "  ");
    }
    for e in &p.edges {
        let arrow = if e.side { "-.->" } else { "-->" };
        let from = &p.nodes[e.from].id;
        let to = &p.nodes[e.to].id;
        if e.label.is_empty() {
            let _ = writeln!(out, "  {from} {arrow} {to}");
        } else {
            let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", text(&e.label));
        }
    }
    let boundary: Vec<&str> = p
        .nodes
        .iter()
        .filter(|n| n.kind.is_boundary())
        .map(|n| n.id.as_str())
        .collect();
    if !boundary.is_empty() {
        // Dashed outlines mark nodes that stand for the world outside the mesh.
        out.push_str("  classDef boundary stroke-dasharray: 5 5\n");
        let _ = writeln!(out, "  class {} boundary", boundary.join(","));
    }
    out
}

fn node(out: &mut String, p: &Picture, index: usize, indent: &str) {
    let n = &p.nodes[index];
    let label = format!("{}<br/>{}", text(&n.title), text(&n.detail));
    let (open, close) = match n.kind {
        NodeKind::Function => ("(", ")"),
        NodeKind::Source => (">", "]"),
        NodeKind::Sink => ("[(", ")]"),
        NodeKind::Entry => ("[/", "/]"),
        NodeKind::Exit => ("[\\", "\\]"),
    };
    let _ = writeln!(out, "{indent}{}{open}\"{label}\"{close}", n.id);
}

/// Text for inside a quoted Mermaid label. Mermaid has no backslash escapes; it takes
/// entity codes (`#quot;`, `#35;`), so characters that would end the label, start an
/// entity, or be read as HTML or Markdown become codes. Control characters become spaces.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn label_text() {
        assert_eq!(
            text(r#"json "a.B" <x> #1 | `y` & z"#),
            "json #quot;a.B#quot; #lt;x#gt; #35;1 #124; #96;y#96; #amp; z"
        );
        assert_eq!(text("a\nb"), "a b");
    }
}
