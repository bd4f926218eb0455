//! Block YAML that every reader in the Kubernetes tool chain reads back as written.
//!
//! serde_yaml_ng writes YAML 1.2, where `yes`, `on`, `y`, `Off`, `1_000` and `12:30` are plain
//! strings. `kubectl apply -f` reads YAML 1.1 (go-yaml v2), where the first four are booleans,
//! and kustomize reads `1_000` as the integer 1000: a connector's free-form configuration would
//! silently change type, and a typed field would be refused by the API server. Here a string
//! is written plain only when YAML 1.1 and 1.2 readers alike read it as that same string;
//! otherwise it is double-quoted, with JSON's escapes (which YAML shares). Multi-line strings
//! become literal blocks when that is exact.
//!
//! Layout: two-space indentation, lists under a key not indented (as kubectl writes them),
//! empty collections as `{}` and `[]`, nothing folded. Every line ends with `\n`.

use serde_json::{Map, Number, Value};

/// The whole value as a YAML document (without `---`).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => entries(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => self::items(&mut out, items, 0, false),
        Value::Object(_) => out.push_str("{}\n"),
        Value::Array(_) => out.push_str("[]\n"),
        Value::String(s) => {
            double_quoted(&mut out, s);
            out.push('\n');
        }
        scalar => {
            inline_scalar(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

/// Any serialisable value, through its JSON form.
pub fn to_string_of(value: &impl serde::Serialize) -> Result<String, serde_json::Error> {
    serde_json::to_value(value).map(|v| to_string(&v))
}

/// Appends `value` as one item of a block list whose `- ` stands at column `indent`: the
/// same bytes `to_string` writes for that item inside the whole document.
pub fn push_item(out: &mut String, value: &Value, indent: usize) {
    pad(out, indent);
    out.push('-');
    after_indicator(out, value, indent, Parent::Item);
}

/// Strings that YAML readers are apt to take for something else, or to misread: booleans and
/// nulls of YAML 1.1 and 1.2, numbers, dates, times, indicators, escapes, line breaks of every
/// kind. For tests of anything that writes YAML.
pub const AMBIGUOUS: &[&str] = &[
    "",
    " ",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "NULL",
    "1",
    "010",
    "0x1F",
    "0o17",
    "1e3",
    ".inf",
    "-.inf",
    ".nan",
    "1_000",
    "12:30:00",
    "2026-11-25",
    "- item",
    "key: value",
    "# not a comment",
    "a #b",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick`",
    "|",
    ">",
    "'",
    "\"",
    "{a: 1}",
    "[1, 2]",
    "line\nbreak",
    "para\n\nnext",
    "two\n\n\nblank lines\n",
    "trailing newline\n",
    "  indented\nsecond",
    "\n",
    "line\u{2028}separator",
    "para\u{2029}graph\u{85}next",
    "carriage\rreturn",
    "\u{2028}  ",
    "tab\there",
    " leading",
    "trailing ",
    "---",
    "...",
    "é ü 漢字 🚀",
    "\\",
    "\u{0007}bell",
    "<<",
    "1_000",
    "12:30",
    "2026-11-25T10:00:00Z",
    "0b101",
    "+1",
    "-.5",
    "1.",
    "=",
    "Off",
    "NO",
    "a:",
    "a: b",
    "\u{feff}bom",
    "\t",
    "0xAB",
    "0b",
    "1e",
    "500m",
    "-c",
    "-1",
];

/// Keys longer than this are written as explicit (`? `) keys: YAML limits implicit keys to
/// 1024 characters.
const MAX_IMPLICIT_KEY: usize = 1000;

#[derive(Clone, Copy)]
enum Parent {
    /// After `key:`.
    Key,
    /// After `-`.
    Item,
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A map's entries at `indent`; with `first_inline` the first one continues the current line
/// (after `- `).
fn entries(out: &mut String, map: &Map<String, Value>, indent: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if !(first_inline && i == 0) {
            pad(out, indent);
        }
        if key.chars().count() > MAX_IMPLICIT_KEY {
            out.push_str("? ");
            double_quoted(out, key);
            out.push('\n');
            pad(out, indent);
        } else {
            string_scalar(out, key);
        }
        out.push(':');
        after_indicator(out, value, indent, Parent::Key);
    }
}

/// A list's items at `indent`; with `first_inline` the first one continues the current line.
fn items(out: &mut String, list: &[Value], indent: usize, first_inline: bool) {
    for (i, value) in list.iter().enumerate() {
        if !(first_inline && i == 0) {
            pad(out, indent);
        }
        out.push('-');
        after_indicator(out, value, indent, Parent::Item);
    }
}

/// What follows `key:` or `-` standing at `indent`, through the end of its last line.
fn after_indicator(out: &mut String, value: &Value, indent: usize, parent: Parent) {
    match (value, parent) {
        (Value::Object(map), Parent::Key) if !map.is_empty() => {
            out.push('\n');
            entries(out, map, indent + 2, false);
        }
        (Value::Object(map), Parent::Item) if !map.is_empty() => {
            out.push(' ');
            entries(out, map, indent + 2, true);
        }
        (Value::Array(list), Parent::Key) if !list.is_empty() => {
            out.push('\n');
            items(out, list, indent, false);
        }
        (Value::Array(list), Parent::Item) if !list.is_empty() => {
            out.push(' ');
            items(out, list, indent + 2, true);
        }
        (Value::String(s), _) if literal_block_fits(s) => literal_block(out, s, indent + 2),
        (scalar, _) => {
            out.push(' ');
            inline_scalar(out, scalar);
            out.push('\n');
        }
    }
}

fn inline_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => number(out, n),
        Value::String(s) => string_scalar(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

/// Integers as they are; floats always with a `.` in the mantissa and a sign in the exponent,
/// the form YAML 1.1 needs to read a float (`1e21` is a string to it).
fn number(out: &mut String, n: &Number) {
    let text = n.to_string();
    if !n.is_f64() {
        out.push_str(&text);
        return;
    }
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (text.as_str(), None),
    };
    out.push_str(mantissa);
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    if let Some(e) = exponent {
        out.push('e');
        if !e.starts_with(['+', '-']) {
            out.push('+');
        }
        out.push_str(e);
    }
}

fn string_scalar(out: &mut String, s: &str) {
    if plain_is_exact(s) {
        out.push_str(s);
    } else {
        double_quoted(out, s);
    }
}

/// Whether `s` written plain reads back as the string `s` in YAML 1.1 and 1.2: it starts
/// with a letter, `/`, `-` and a letter (a command-line flag), or is shaped like a
/// Kubernetes quantity (`500m`, `1.5Gi`); holds only letters, digits and `-_./:@+=` (no
/// comment, flow or quoting characters, no spaces); does not end with `:`; and is no boolean
/// or null in either version. Numbers, dates, times, `.inf`, indicators and merge keys all
/// start otherwise.
fn plain_is_exact(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    let starts_well = first.is_ascii_alphabetic()
        || first == b'/'
        || (first == b'-' && bytes.get(1).is_some_and(u8::is_ascii_alphabetic))
        || quantity_shaped(bytes);
    if !starts_well || s.ends_with(':') {
        return false;
    }
    if !bytes
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b"-_./:@+=".contains(&b))
    {
        return false;
    }
    const RESERVED: [&str; 9] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// Digits, optionally `.` and digits, then only letters: no YAML number, date or time has
/// this shape, except hexadecimal (`0xAB`), binary and octal with their prefixes.
fn quantity_shaped(bytes: &[u8]) -> bool {
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let whole = digits(0);
    if whole == 0 || (bytes[0] == b'0' && bytes.get(1).is_some_and(|b| b"xXoObB".contains(b))) {
        return false;
    }
    let mut at = whole;
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
    }
    at < bytes.len() && bytes[at..].iter().all(u8::is_ascii_alphabetic)
}

/// Characters a double-quoted scalar may hold as they are: YAML's printable set, less the
/// byte-order mark and the line and paragraph separators, which YAML 1.1 takes for breaks.
fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && !matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// The backslash escapes YAML's double-quoted scalars share with C-like string literals
/// (the mesh language's among them).
pub fn short_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\t' => "\\t",
        '\r' => "\\r",
        _ => return None,
    })
}

fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if let Some(escape) = short_escape(c) {
            out.push_str(escape);
            continue;
        }
        match c {
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
}

/// A multi-line string reads back exactly from a literal block when its only line breaks are
/// `\n`, every character is printable, and its first line starts with neither a space nor a
/// break (the block's indentation is taken from its first line).
fn literal_block_fits(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && s.chars().all(|c| c == '\n' || c == '\t' || printable(c))
}

/// ` |` (or `|-`, `|+` for no or several final breaks) and the lines at `indent`. Empty lines
/// stay empty: spaces on them would be content.
fn literal_block(out: &mut String, s: &str, indent: usize) {
    let body = s.trim_end_matches('\n');
    let final_breaks = s.len() - body.len();
    out.push_str(match final_breaks {
        0 => " |-\n",
        1 => " |\n",
        _ => " |+\n",
    });
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..final_breaks {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_is_kubectls() {
        let v = json!({
            "apiVersion": "v1",
            "metadata": {"name": "x", "labels": {}},
            "spec": {"list": [{"a": 1, "b": [true, null]}, [1.5, 2], "s"], "empty": []},
            "script": "line one\nline two\n",
        });
        assert_eq!(
            to_string(&v),
            "apiVersion: v1\nmetadata:\n  name: x\n  labels: {}\nspec:\n  list:\n  - a: 1\n    b:\n    - true\n    - null\n  - - 1.5\n    - 2\n  - s\n  empty: []\nscript: |\n  line one\n  line two\n"
        );
    }

    #[test]
    fn strings_another_reader_would_retype_are_quoted() {
        for s in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "true",
            "Null",
            "1_000",
            "12:30",
            "0.2",
            "1e3",
            "2026-11-25",
            "0x1F",
            ".inf",
            "~",
            "<<",
            "=",
            "",
            " a",
            "a ",
            "a: b",
            "a:",
            "#x",
            "@x",
            "a,b",
            "a b",
        ] {
            let mut out = String::new();
            string_scalar(&mut out, s);
            assert!(out.starts_with('"'), "{s:?} written {out}");
        }
        for s in [
            "0xAB", "0b", "1.", "1.e", "2", "-1", "-.5", "--flag", "1e3", "5m1",
        ] {
            let mut out = String::new();
            string_scalar(&mut out, s);
            assert!(out.starts_with('"'), "{s:?} written {out}");
        }
        for s in [
            "abc",
            "pulsar://b.svc:6650",
            "/pulsar/a.jar",
            "a-b_c.d",
            "Gi",
            "org.F",
            "500m",
            "1Gi",
            "1.5Gi",
            "-c",
            "-XX:+UseG1GC",
        ] {
            let mut out = String::new();
            string_scalar(&mut out, s);
            assert_eq!(out, s);
        }
    }

    #[test]
    fn floats_have_a_dot_and_a_signed_exponent() {
        let written: Vec<String> = [1.0, 1e21, 1.5e-7, -0.25]
            .iter()
            .map(|f| to_string(&json!(f)))
            .collect();
        assert_eq!(written, ["1.0\n", "1.0e+21\n", "1.5e-7\n", "-0.25\n"]);
    }

    #[test]
    fn a_pushed_item_is_what_the_document_holds() {
        let member = json!({"name": "f", "pod": {"env": [{"name": "A", "value": "x\ny"}]}});
        let whole = to_string(&json!({"spec": {"functions": [member.clone(), member.clone()]}}));
        let mut assembled = String::from("spec:\n  functions:\n");
        push_item(&mut assembled, &member, 2);
        push_item(&mut assembled, &member, 2);
        assert_eq!(assembled, whole);
    }
}
