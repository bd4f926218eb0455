//! A small POSIX shell word splitter for reading generated scripts back. Quotes are removed;
//! parameter expansions (`${X}`, `$(...)`) are kept as literal text so tests can see them.

/// Splits a script into `&&`-separated steps, respecting quotes and `$(...)`.
pub fn steps(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut sq, mut dq, mut depth) = (false, false, 0usize);
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' if !dq => sq = !sq,
            '"' if !sq => dq = !dq,
            '\\' if !sq && i + 1 < chars.len() => {
                cur.push(c);
                cur.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '(' if !sq && i > 0 && chars[i - 1] == '$' => depth += 1,
            ')' if !sq && depth > 0 => depth -= 1,
            '&' if !sq && !dq && depth == 0 && chars.get(i + 1) == Some(&'&') => {
                out.push(cur.trim().to_owned());
                cur.clear();
                i += 2;
                continue;
            }
            _ => {}
        }
        cur.push(c);
        i += 1;
    }
    assert!(
        !sq && !dq && depth == 0,
        "unbalanced quoting in script: {script}"
    );
    out.push(cur.trim().to_owned());
    out
}

/// Splits one simple command into words, removing quotes.
pub fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let chars: Vec<char> = command.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    cur.push(chars[i]);
                    i += 1;
                }
                assert!(i < chars.len(), "unterminated single quote in {command}");
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`'))
                    {
                        i += 1;
                    }
                    if chars[i] == '$' && chars.get(i + 1) == Some(&'(') {
                        // Keep command substitutions whole, quotes and all.
                        let mut depth = 0;
                        loop {
                            let ch = chars[i];
                            cur.push(ch);
                            if ch == '(' {
                                depth += 1;
                            } else if ch == ')' {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            i += 1;
                        }
                        i += 1;
                        continue;
                    }
                    cur.push(chars[i]);
                    i += 1;
                }
                assert!(i < chars.len(), "unterminated double quote in {command}");
            }
            '\\' => {
                in_word = true;
                i += 1;
                if let Some(&n) = chars.get(i) {
                    cur.push(n);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
        i += 1;
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// The words of the step that `exec`s the runner.
pub fn exec_words(script: &str) -> Vec<String> {
    let step = steps(script)
        .into_iter()
        .find(|s| s.starts_with("exec "))
        .unwrap_or_else(|| panic!("no exec step in {script}"));
    words(&step)
}

/// `--flag value` pairs after the first `--` word; flags must alternate with values.
pub fn flags(words: &[String]) -> Vec<(String, String)> {
    let start = words
        .iter()
        .position(|w| w.starts_with("--"))
        .expect("a flag");
    let rest = &words[start..];
    assert!(
        rest.len().is_multiple_of(2),
        "flags and values do not pair up: {rest:?}"
    );
    rest.chunks(2)
        .map(|pair| {
            assert!(
                pair[0].starts_with("--"),
                "expected a flag, got {:?}",
                pair[0]
            );
            (pair[0].clone(), pair[1].clone())
        })
        .collect()
}
