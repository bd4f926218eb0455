//! `fmc fmt`: the examples are in the canonical layout, formatting is idempotent and keeps
//! every comment, the layout of a messy file is pinned, and no change of whitespace can make
//! the formatter change a mesh's meaning or fail.
mod common;

use std::path::PathBuf;

use fmc::diag::SourceFile;
use fmc::format::{format, FormatError};
use proptest::prelude::*;

fn formatted(name: &str, text: &str) -> String {
    match format(&SourceFile::new(name.to_owned(), text.to_owned())) {
        Ok(text) => text,
        Err(e) => panic!("{name}: {e:?}"),
    }
}

fn mesh_files() -> Vec<PathBuf> {
    let mut files = common::examples();
    for dir in ["tests/broken", "tests/format"] {
        for entry in std::fs::read_dir(common::root().join(dir)).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "fm") && !path.ends_with("syntax.fm") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn examples_are_formatted() {
    for path in common::examples() {
        let file = common::source(&path);
        assert_eq!(
            formatted(&file.name, &file.text),
            file.text,
            "{} is not formatted: run `fmc fmt {}`",
            file.name,
            file.name
        );
    }
}

#[test]
fn formatting_is_idempotent_on_every_mesh_in_the_repository() {
    for path in mesh_files() {
        let file = common::source(&path);
        let once = formatted(&file.name, &file.text);
        assert_eq!(formatted(&file.name, &once), once, "{}", file.name);
    }
}

#[test]
fn a_messy_file_gets_the_pinned_layout() {
    let file = common::source(&common::root().join("tests/format/messy.fm"));
    let once = formatted(&file.name, &file.text);
    common::snapshot_settings("format").bind(|| insta::assert_snapshot!("messy", once));
}

#[test]
fn a_file_that_does_not_parse_is_not_formatted() {
    let file = SourceFile::new("bad.fm".to_owned(), "mesh m { topic a string }".to_owned());
    match format(&file) {
        Err(FormatError::Syntax(d)) => assert!(d.has_errors()),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

/// Re-spaces a file: every run of whitespace becomes one of a few layouts.
fn respaced(text: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    let mut run = 0usize;
    let mut in_space = false;
    let mut in_string = false;
    let mut in_comment = false;
    let mut previous = '\0';
    for c in text.chars() {
        // Whitespace inside strings and comments is content, not layout; the line break that
        // ends a line comment stays a line break.
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push('\n');
                in_space = true;
                previous = c;
                continue;
            }
        } else if !in_string && (c == '#' || (c == '/' && previous == '/')) {
            in_comment = true;
        } else if c == '"' && previous != '\\' {
            in_string = !in_string;
        }
        if c.is_whitespace() && !in_string && !in_comment {
            if !in_space {
                let layout = [" ", "\n", "  ", "\n\n\n", "\t"];
                out.push_str(layout[usize::from(choices[run % choices.len()]) % layout.len()]);
                run += 1;
            }
            in_space = true;
        } else {
            in_space = false;
            out.push(c);
        }
        previous = c;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn whitespace_never_changes_what_fmt_accepts(
        example in 0usize..3,
        choices in proptest::collection::vec(0u8..5, 1..64),
    ) {
        let examples = common::examples();
        let file = common::source(&examples[example % examples.len()]);
        let text = respaced(&file.text, &choices);
        // The re-spaced file still parses (whitespace is free); its formatting must succeed,
        // be a fixed point, and (checked inside `format`) mean the same tokens.
        let once = formatted("respaced.fm", &text);
        prop_assert_eq!(formatted("again.fm", &once), once);
    }
}
