//! Mesh text: literals written the way the grammar reads them back (grammar/mesh.pest), and
//! the whole file assembled with a 2-space indent in a fixed order, so an import is
//! deterministic and diffs well.

use fm_api::yaml::short_escape;
use serde_json::Value as Json;

/// A string literal: quoted with the grammar's escapes, or a raw string `r"…"` when the text
/// has quotes or backslashes and no control characters (regexes and JSON read better raw).
pub fn string(text: &str) -> String {
    let plain = !text.contains(['"', '\\']);
    let controls = text.chars().any(char::is_control);
    if !plain && !controls {
        // Enough `#` that no `"###…` inside the text can end the raw string early.
        let mut hashes = String::new();
        while text.contains(&format!("\"{hashes}")) {
            hashes.push('#');
        }
        return format!("r{hashes}\"{text}\"{hashes}");
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if let Some(escape) = short_escape(c) {
            out.push_str(escape);
            continue;
        }
        match c {
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A map key: bare when the grammar's `bare_key` accepts it, quoted otherwise.
pub fn key(text: &str) -> String {
    let mut chars = text.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        && !text.contains("//");
    if bare {
        text.to_owned()
    } else {
        string(text)
    }
}

/// Longest one-line form of a list or map before it is broken over several lines.
const INLINE_WIDTH: usize = 72;

/// A JSON value as a mesh literal. Numbers stay numbers (the compiler turns a plain number
/// back into a JSON number), strings stay strings even when they look like numbers.
/// Continuation lines are indented relative to the first line; the caller indents the rest.
pub fn value(v: &Json) -> String {
    let inline = inline_value(v);
    if inline.len() <= INLINE_WIDTH && !inline.contains('\n') {
        return inline;
    }
    match v {
        Json::Array(items) => {
            let body: Vec<String> = items.iter().map(value).collect();
            block('[', ']', &body)
        }
        Json::Object(map) => {
            let body: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), value(v)))
                .collect();
            block('{', '}', &body)
        }
        _ => inline,
    }
}

fn block(open: char, close: char, entries: &[String]) -> String {
    let mut out = format!("{open}\n");
    for entry in entries {
        out.push_str(&indent(entry, 2));
        out.push('\n');
    }
    out.push(close);
    out
}

fn inline_value(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => string(s),
        Json::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(inline_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Object(map) if map.is_empty() => "{}".into(),
        Json::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", key(k), inline_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Indents every line of `text` by `by` spaces (empty lines stay empty).
pub fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_escape_or_go_raw() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("a\nb"), "\"a\\nb\"");
        assert_eq!(
            string("say \"hi\""),
            "r\"say \"hi\"\"".replace("r\"say", "r#\"say") + "#"
        );
        assert_eq!(string(r"\d+"), "r\"\\d+\"");
        assert_eq!(string("q\"\n"), "\"q\\\"\\n\"");
    }

    #[test]
    fn keys_quote_when_not_bare() {
        assert_eq!(key("mongodb.hosts"), "mongodb.hosts");
        assert_eq!(key("persistent://a/b/c"), "\"persistent://a/b/c\"");
        assert_eq!(key("1x"), "\"1x\"");
        assert_eq!(key("a//b"), "\"a//b\"");
    }

    /// What `string`, `key` and `value` write, the parser reads back unchanged.
    #[test]
    fn the_parser_reads_back_what_is_written() {
        use crate::syntax::ast::MeshItem;
        let tricky = [
            "",
            "plain",
            "say \"hi\"",
            r"C:\dir\file",
            "line\nbreak\ttab\r",
            "\"#",
            "both \" and \n",
            "bell \u{7}",
            "ünïcödé ✓",
            "r\"raw-looking\"",
            "// not a comment # nor this",
        ];
        let entries: Vec<String> = tricky
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}: {}", key(&format!("k{i} {s}")), string(s)))
            .collect();
        let nested =
            json!({"n": 1, "f": 0.5, "neg": -3, "list": ["a\"b", {"deep": null}], "t": true});
        let text = format!(
            "mesh m {{ labels {{ {} }} annotations {{ x: {} }} }}",
            entries.join("\n"),
            value(&nested)
        );
        let file = crate::diag::SourceFile::new("t.fm", text.clone());
        let mesh = crate::syntax::parse(&file).unwrap_or_else(|d| panic!("{text}\n{d:?}"));
        let mut labels = None;
        let mut annotations = None;
        for item in &mesh.items {
            match item {
                MeshItem::Labels(m) => labels = Some(m.value.clone()),
                MeshItem::Annotations(m) => annotations = Some(m.value.clone()),
                _ => {}
            }
        }
        let labels = labels.unwrap_or_default();
        for (i, s) in tricky.iter().enumerate() {
            let (k, v) = &labels[i];
            assert_eq!(k.value, format!("k{i} {s}"));
            assert_eq!(v.value, crate::syntax::ast::Value::String((*s).to_owned()));
        }
        let annotations = annotations.unwrap_or_default();
        assert_eq!(
            crate::mapping::value_to_json(&annotations[0].1.value),
            nested
        );
    }

    #[test]
    fn values_break_when_long() {
        assert_eq!(
            value(&json!({"a": 1, "b": [true, null]})),
            "{ a: 1, b: [true, null] }"
        );
        let long = json!({"k": "x".repeat(80)});
        assert_eq!(value(&long), format!("{{\n  k: \"{}\"\n}}", "x".repeat(80)));
    }
}
