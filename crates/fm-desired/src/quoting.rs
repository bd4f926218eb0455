//! POSIX shell quoting for the generated `bash -c` / `sh -c` scripts.
//!
//! Every value a user controls reaches the script through [`quote`], which wraps it in single
//! quotes. Inside single quotes the shell interprets nothing, so the only character needing
//! care is the single quote itself, written as `'"'"'` (close, double-quoted quote, reopen).
//! Parts that must be expanded by the shell at run time (`${SHARD_ID}`, `$(echo …)`) are
//! [`Part::Raw`] and are only ever built from constants in this crate.

/// Characters that never need quoting (a conservative set: no glob, no expansion, no spaces).
fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | ':' | ',' | '=' | '@' | '%' | '+')
}

/// Quotes `s` as one shell word. Strings made only of safe characters are left bare so
/// the scripts stay readable; everything else is single-quoted. The empty string is `''`.
pub fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(is_safe) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\"'\"'");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// One piece of a shell word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Taken literally: quoted as needed.
    Lit(String),
    /// Emitted verbatim: a shell expansion written by this crate, never user text.
    Raw(String),
}

/// A shell word made of adjacent parts (adjacent quoted strings join into one word).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word(pub Vec<Part>);

impl Word {
    pub fn lit(s: impl Into<String>) -> Word {
        Word(vec![Part::Lit(s.into())])
    }

    pub fn raw(s: impl Into<String>) -> Word {
        Word(vec![Part::Raw(s.into())])
    }

    pub fn then_lit(mut self, s: impl Into<String>) -> Word {
        self.0.push(Part::Lit(s.into()));
        self
    }

    pub fn then_raw(mut self, s: impl Into<String>) -> Word {
        self.0.push(Part::Raw(s.into()));
        self
    }

    /// Builds a word from `text` in which each placeholder is replaced by its raw expansion.
    /// Used for JSON documents that must carry a run-time value (the Go instance config).
    pub fn template(text: &str, substitutions: &[(&str, &str)]) -> Word {
        let mut parts = Vec::new();
        let mut rest = text;
        loop {
            let next = substitutions
                .iter()
                .filter_map(|(placeholder, raw)| {
                    rest.find(placeholder).map(|at| (at, *placeholder, *raw))
                })
                .min_by_key(|(at, _, _)| *at);
            match next {
                Some((at, placeholder, raw)) => {
                    if at > 0 {
                        parts.push(Part::Lit(rest[..at].to_owned()));
                    }
                    parts.push(Part::Raw(raw.to_owned()));
                    rest = &rest[at + placeholder.len()..];
                }
                None => {
                    if !rest.is_empty() || parts.is_empty() {
                        parts.push(Part::Lit(rest.to_owned()));
                    }
                    return Word(parts);
                }
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Lit(s) => out.push_str(&quote(s)),
                Part::Raw(s) => out.push_str(s),
            }
        }
        out
    }
}

impl From<&str> for Word {
    fn from(s: &str) -> Word {
        Word::lit(s)
    }
}

impl From<String> for Word {
    fn from(s: String) -> Word {
        Word::lit(s)
    }
}

/// Renders a simple command: words separated by single spaces.
pub fn command_line(words: &[Word]) -> String {
    words.iter().map(Word::render).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_strings_stay_bare() {
        assert_eq!(quote("--port"), "--port");
        assert_eq!(
            quote("persistent://public/default/t"),
            "persistent://public/default/t"
        );
    }

    #[test]
    fn unsafe_strings_are_single_quoted() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
        assert_eq!(quote("$HOME `x` \"y\"\n*"), "'$HOME `x` \"y\"\n*'");
    }

    #[test]
    fn template_splits_on_placeholders() {
        let w = Word::template(
            "{\"id\":@ID@,\"x\":\"a b\"}",
            &[("@ID@", "\"${SHARD_ID}\"")],
        );
        assert_eq!(w.render(), "'{\"id\":'\"${SHARD_ID}\"',\"x\":\"a b\"}'");
        assert_eq!(Word::template("", &[]).render(), "''");
    }
}
