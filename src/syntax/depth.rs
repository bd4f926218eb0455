//! A cheap pre-scan that refuses pathological nesting before the recursive-descent parser
//! could exhaust the stack.
//!
//! The scan follows the grammar's lexical rules closely enough never to *under*-count:
//! brackets inside strings, raw strings and comments do not count, a quote inside a comment
//! does not start a string, and nested block comments count as nesting (the grammar recurses
//! into them). Over-counting is harmless — it can only happen in input that fails to parse.

use crate::diag::{Code, Diagnostic, Span};

/// The first place where `{`, `[` or `/*` nesting exceeds `limit`, if any.
pub fn check_depth(text: &str, limit: usize) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i + 1),
            b'r' if starts_raw_string(bytes, i) => i = skip_raw_string(bytes, i + 1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line(bytes, i),
            b'#' => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(text, i, depth, limit)?;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Err(too_deep(text, i, limit));
                }
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn too_deep(text: &str, at: usize, limit: usize) -> Diagnostic {
    // `at` is always an ASCII delimiter, so `at + 1` is a character boundary.
    Diagnostic::error(
        Code::TooDeep,
        Span::new(at, (at + 1).min(text.len())),
        format!("nesting deeper than {limit} levels"),
    )
    .primary("this level is too deep")
    .help("flatten the structure; meshes never need this depth")
}

/// Index just after the closing quote of a `"…"` string whose body starts at `i`.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// `r"` or `r#…#"` not preceded by a name character (where `r` would end a word).
fn starts_raw_string(bytes: &[u8], i: usize) -> bool {
    let after_word =
        i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || b"-_".contains(&bytes[i - 1]));
    if after_word {
        return false;
    }
    let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
    bytes.get(i + 1 + hashes) == Some(&b'"')
}

/// Index just after a raw string whose `#`s start at `i` (`r` already consumed).
fn skip_raw_string(bytes: &[u8], i: usize) -> usize {
    let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
    let mut j = i + hashes + 1;
    while j < bytes.len() {
        if bytes[j] == b'"'
            && bytes[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    j
}

fn skip_line(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

/// Index just after the block comment opening at `start` (comments nest, and each level
/// counts towards the limit on top of the surrounding `depth`).
fn skip_block_comment(
    text: &str,
    start: usize,
    depth: usize,
    limit: usize,
) -> Result<usize, Diagnostic> {
    let bytes = text.as_bytes();
    let mut nested = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            nested += 1;
            if depth + nested > limit {
                return Err(too_deep(text, i, limit));
            }
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            nested -= 1;
            i += 2;
            if nested == 0 {
                return Ok(i);
            }
        } else {
            i += 1;
        }
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::check_depth;

    fn nested(open: &str, close: &str, n: usize) -> String {
        format!("{}{}", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn counts_brackets_and_comments() {
        assert!(check_depth(&nested("{", "}", 64), 64).is_ok());
        assert!(check_depth(&nested("{", "}", 65), 64).is_err());
        assert!(check_depth(&nested("[", "]", 65), 64).is_err());
        assert!(check_depth(&nested("/*", "*/", 65), 64).is_err());
        assert!(check_depth(&format!("{{ {} }}", nested("/*", "*/", 64)), 64).is_err());
    }

    #[test]
    fn ignores_brackets_in_strings_and_comments() {
        let n = 100;
        assert!(check_depth(&format!("\"{}\"", "{".repeat(n)), 64).is_ok());
        assert!(check_depth(&format!("r#\"\"{}\"#", "{".repeat(n)), 64).is_ok());
        assert!(check_depth(&format!("// {}\n", "{".repeat(n)), 64).is_ok());
        assert!(check_depth(&format!("/* {} */", "{".repeat(n)), 64).is_ok());
    }

    #[test]
    fn a_quote_or_line_comment_inside_a_block_comment_hides_nothing() {
        // Both used to end the scan early and let deep nesting through to the parser.
        let deep = "{a: ".repeat(100);
        assert!(check_depth(&format!("/* \" */ {deep}"), 64).is_err());
        assert!(check_depth(&format!("/* // */ {deep}"), 64).is_err());
        assert!(check_depth(&format!("/* # */ {deep}"), 64).is_err());
    }

    #[test]
    fn a_word_ending_in_r_does_not_start_a_raw_string() {
        // `bar#` is a name and a line comment, not the start of `r#"…"#`.
        let deep = "{".repeat(100);
        assert!(check_depth(&format!("bar#\"\n{deep}"), 64).is_err());
    }
}
