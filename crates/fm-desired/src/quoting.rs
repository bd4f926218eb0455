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

/// Reads `text` as the shell reads unquoted text pasted into a command line: words split on
/// blanks, single and double quotes and backslashes removed, `$NAME` and `${NAME}` left to
/// expand at run time (unquoted ones are split again by the shell, quoted ones are not).
/// Everything else reaches the program literally, including `$(…)`, backticks, other `${…}`
/// forms, globs and operators such as `;` or `|`, which a shell would have acted on. Text a
/// shell could not parse (an unterminated quote, a trailing backslash) is an error.
///
/// Used for `java.javaOpts`, which upstream's operator pastes into its script unquoted, so that
/// options users quote (`-XX:OnOutOfMemoryError="kill -9 %p"`) reach the JVM as one argument.
pub fn shell_words(text: &str) -> Result<Vec<Word>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    let mut lit = String::new();
    let mut started = false;
    let mut i = 0;
    // Pushes the pending literal text, then an expansion.
    fn expansion(parts: &mut Vec<Part>, lit: &mut String, raw: String) {
        if !lit.is_empty() {
            parts.push(Part::Lit(std::mem::take(lit)));
        }
        parts.push(Part::Raw(raw));
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => {
                if started {
                    if !lit.is_empty() || parts.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    words.push(Word(std::mem::take(&mut parts)));
                    started = false;
                }
                i += 1;
            }
            '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '\'')
                    .ok_or("unterminated single quote")?;
                lit.extend(&chars[i + 1..i + 1 + end]);
                started = true;
                i += end + 2;
            }
            '"' => {
                started = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated double quote".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => match chars.get(i + 1) {
                            Some('\n') => i += 2,
                            Some(&e @ ('$' | '`' | '"' | '\\')) => {
                                lit.push(e);
                                i += 2;
                            }
                            _ => {
                                lit.push('\\');
                                i += 1;
                            }
                        },
                        Some('$') => match variable(&chars, i) {
                            Some((name, len)) => {
                                expansion(&mut parts, &mut lit, format!("\"${{{name}}}\""));
                                i += len;
                            }
                            None => {
                                lit.push('$');
                                i += 1;
                            }
                        },
                        Some(&other) => {
                            lit.push(other);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => match chars.get(i + 1) {
                None => return Err("ends with a backslash".into()),
                Some('\n') => i += 2,
                Some(&e) => {
                    lit.push(e);
                    started = true;
                    i += 2;
                }
            },
            '$' => {
                started = true;
                match variable(&chars, i) {
                    Some((name, len)) => {
                        expansion(&mut parts, &mut lit, format!("${{{name}}}"));
                        i += len;
                    }
                    None => {
                        lit.push('$');
                        i += 1;
                    }
                }
            }
            other => {
                lit.push(other);
                started = true;
                i += 1;
            }
        }
    }
    if started {
        if !lit.is_empty() || parts.is_empty() {
            parts.push(Part::Lit(lit));
        }
        words.push(Word(parts));
    }
    Ok(words)
}

/// `$NAME` or `${NAME}` at `chars[at]` (a `$`): the name and the length of the reference.
fn variable(chars: &[char], at: usize) -> Option<(String, usize)> {
    let is_start = |c: &char| c.is_ascii_alphabetic() || *c == '_';
    let is_rest = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    let rest = &chars[at + 1..];
    if rest.first() == Some(&'{') {
        let name: String = rest[1..].iter().take_while(|c| is_rest(c)).collect();
        let ok = name.chars().next().is_some_and(|c| is_start(&c))
            && rest.get(1 + name.len()) == Some(&'}');
        return ok.then(|| {
            let len = name.len() + 3;
            (name, len)
        });
    }
    if !rest.first().is_some_and(is_start) {
        return None;
    }
    let name: String = rest.iter().take_while(|c| is_rest(c)).collect();
    let len = name.len() + 1;
    Some((name, len))
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
