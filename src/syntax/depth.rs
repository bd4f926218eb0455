//! A cheap pre-scan that refuses pathological nesting before the recursive-descent parser
//! could exhaust the stack.

use crate::diag::{Code, Diagnostic, Span};

/// The first place where `{`, `[` or `/*` nesting exceeds `limit`, if any.
pub fn check_depth(text: &str, limit: usize) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line(bytes, i),
            b'#' => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                depth += 1;
                i += 1;
            }
            b'*' if bytes.get(i + 1) == Some(&b'/') && depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > limit {
            return Err(Diagnostic::error(
                Code::TooDeep,
                Span::new(i, (i + 1).min(text.len())),
                format!("nesting deeper than {limit} levels"),
            )
            .primary("this level is too deep")
            .help("flatten the structure; meshes never need this depth"));
        }
        i += 1;
    }
    Ok(())
}

fn skip_line(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}
