//! `fmc explain`: every diagnostic code has a page, and its examples are true — the wrong one
//! raises the code, the fixed one compiles without a single finding.
mod common;

use fmc::codegen::{Options, Templates};
use fmc::diag::explain::{explanation, parse_code};
use fmc::diag::{Code, SourceFile};

/// Codes whose wrong example cannot be a checkable UTF-8 text (files that cannot be read, other
/// encodings, size, depth and step limits):
/// their pages show a shell session instead.
const NOT_AS_A_FILE: &[Code] = &[
    Code::ImportInvalid,
    Code::ImportUnsupported,
    Code::ImportNote,
    Code::Io,
    Code::Encoding,
    Code::FileTooLarge,
    Code::TooDeep,
    Code::TooManySteps,
];

/// The first fenced block after `heading`: (language, body).
fn block_after<'a>(page: &'a str, heading: &str) -> (&'a str, &'a str) {
    let rest = &page[page
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in:\n{page}"))..];
    let open = rest.find("```").expect("a fenced block") + 3;
    let rest = &rest[open..];
    let newline = rest.find('\n').expect("fence line");
    let language = &rest[..newline];
    let body = &rest[newline + 1..];
    let close = body.find("\n```").expect("closing fence");
    (language, &body[..=close])
}

fn findings(text: &str) -> Vec<Code> {
    let file = SourceFile::new("example.fm".to_owned(), text.to_owned());
    let (_, diagnostics) = fmc::pipeline::check(&file);
    diagnostics.into_sorted().iter().map(|d| d.code).collect()
}

/// Compiles the word-count example with `template` as resource.yaml.j2.
fn template_findings(template: &str) -> Vec<Code> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("resource.yaml.j2"), template).expect("template written");
    let templates = Templates::from_dir(dir.path()).expect("templates load");
    let file = common::source(&common::root().join("examples/word-count/mesh.fm"));
    let (_, diagnostics) = fmc::pipeline::compile(&file, &Options::default(), &templates);
    diagnostics.into_sorted().iter().map(|d| d.code).collect()
}

#[test]
fn every_code_has_a_page_whose_examples_are_true() {
    for &code in Code::ALL {
        let page = explanation(code);
        assert!(
            page.starts_with(&format!("# {}: ", code.as_str())),
            "{code}: the page starts with its code"
        );
        let (wrong_lang, wrong) = block_after(page, "## Wrong");
        let (fixed_lang, fixed) = block_after(page, "## Fixed");
        assert_eq!(
            wrong_lang, fixed_lang,
            "{code}: both examples in one language"
        );
        let (wrong_found, fixed_found) = match wrong_lang {
            "fm" => (findings(wrong), findings(fixed)),
            "jinja" => (template_findings(wrong), template_findings(fixed)),
            "text" => {
                assert!(
                    NOT_AS_A_FILE.contains(&code),
                    "{code}: examples must be checkable"
                );
                continue;
            }
            other => panic!("{code}: unexpected example language `{other}`"),
        };
        assert!(
            wrong_found.contains(&code),
            "{code}: the wrong example raises it, got {wrong_found:?}"
        );
        assert!(
            fixed_found.is_empty(),
            "{code}: the fixed example is clean, got {fixed_found:?}"
        );
    }
}

#[test]
fn codes_are_found_with_or_without_prefix() {
    assert_eq!(parse_code("cycle"), Some(Code::Cycle));
    assert_eq!(parse_code("fmc::cycle"), Some(Code::Cycle));
    assert_eq!(parse_code("fmc::cycles"), None);
    assert_eq!(parse_code(""), None);
}
