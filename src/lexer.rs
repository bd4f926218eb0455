//! Splits a mesh file into the tokens the formatter lays out, keeping comments (which the
//! parser discards) and how many line breaks preceded each token. It follows the grammar's
//! lexical rules: strings and raw strings first, then comments, then punctuation and words.

/// What a token is, as far as layout is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A name, keyword, number, quantity, range or bare map key.
    Word,
    /// A quoted or raw string, verbatim.
    Str,
    /// One of `{ } [ ] : , ; =`.
    Punct(char),
    /// `// …` or `# …`, up to the end of its line (trailing spaces dropped).
    LineComment,
    /// `/* … */`, nesting, verbatim.
    BlockComment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Byte offset in the file.
    pub start: usize,
    /// Line breaks in the whitespace just before the token.
    pub newlines_before: usize,
}

impl Token<'_> {
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment)
    }
}

const PUNCTUATION: &str = "{}[]:,;=";

/// The tokens of `text`. Text the grammar would reject never reaches here (the formatter
/// parses first), but the lexer still never panics: an unterminated string or comment runs
/// to the end of the file.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut newlines = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() || c == '\u{FEFF}' {
            newlines += usize::from(c == '\n');
            i += c.len_utf8();
            continue;
        }
        let (kind, len) = if c == '"' {
            (Kind::Str, quoted_len(rest))
        } else if let Some(len) = raw_string_len(rest) {
            (Kind::Str, len)
        } else if rest.starts_with("//") || c == '#' {
            (Kind::LineComment, rest.find('\n').unwrap_or(rest.len()))
        } else if rest.starts_with("/*") {
            (Kind::BlockComment, block_comment_len(rest))
        } else if PUNCTUATION.contains(c) {
            (Kind::Punct(c), 1)
        } else {
            (Kind::Word, word_len(rest))
        };
        let mut token_text = &rest[..len];
        if kind == Kind::LineComment {
            token_text = token_text.trim_end();
        }
        out.push(Token {
            kind,
            text: token_text,
            start: i,
            newlines_before: newlines,
        });
        newlines = 0;
        i += len.max(1);
    }
    out
}

/// `"…"` with backslash escapes.
fn quoted_len(rest: &str) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    rest.len()
}

/// `r"…"`, `r#"…"#`, …: ends at a quote followed by as many `#` as it opened with.
fn raw_string_len(rest: &str) -> Option<usize> {
    let after_r = rest.strip_prefix('r')?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    let body = after_r[hashes..].strip_prefix('"')?;
    let closing = format!("\"{}", "#".repeat(hashes));
    let opened = 1 + hashes + 1;
    Some(match body.find(&closing) {
        Some(end) => opened + end + closing.len(),
        None => rest.len(),
    })
}

fn block_comment_len(rest: &str) -> usize {
    let mut depth = 0usize;
    let mut i = 0;
    while i < rest.len() {
        if rest[i..].starts_with("/*") {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += rest[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    rest.len()
}

/// A word ends at whitespace, punctuation, a quote, or the start of a comment.
fn word_len(rest: &str) -> usize {
    for (i, c) in rest.char_indices() {
        let ends = c.is_whitespace()
            || c == '\u{FEFF}'
            || PUNCTUATION.contains(c)
            || c == '"'
            || c == '#'
            || (i > 0 && (rest[i..].starts_with("//") || rest[i..].starts_with("/*")));
        if ends && i > 0 {
            return i;
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str, usize)> {
        tokens(text)
            .iter()
            .map(|t| (t.kind, t.text, t.newlines_before))
            .collect()
    }

    #[test]
    fn strings_comments_and_words() {
        assert_eq!(
            kinds("in a, b // x \n config { k: r#\"a\"b\"# } /* /* n */ */#h"),
            vec![
                (Kind::Word, "in", 0),
                (Kind::Word, "a", 0),
                (Kind::Punct(','), ",", 0),
                (Kind::Word, "b", 0),
                (Kind::LineComment, "// x", 0),
                (Kind::Word, "config", 1),
                (Kind::Punct('{'), "{", 0),
                (Kind::Word, "k", 0),
                (Kind::Punct(':'), ":", 0),
                (Kind::Str, "r#\"a\"b\"#", 0),
                (Kind::Punct('}'), "}", 0),
                (Kind::BlockComment, "/* /* n */ */", 0),
                (Kind::LineComment, "#h", 0),
            ]
        );
    }

    #[test]
    fn escapes_keys_and_unterminated_input() {
        assert_eq!(
            kinds(r#""a\"b" app.kubernetes.io/name: 2..8"#),
            vec![
                (Kind::Str, r#""a\"b""#, 0),
                (Kind::Word, "app.kubernetes.io/name", 0),
                (Kind::Punct(':'), ":", 0),
                (Kind::Word, "2..8", 0),
            ]
        );
        assert_eq!(kinds("\"open").len(), 1);
        assert_eq!(kinds("/* open").len(), 1);
        assert_eq!(kinds("r#\"open").len(), 1);
    }
}
