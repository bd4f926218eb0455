//! The compiler under hostile input: arbitrary bytes, token soups and mutated examples never
//! panic and always end in output or at least one diagnostic whose span lies in the file;
//! the formatter, on the same inputs, never panics nor changes a file's meaning.
mod common;

use fmc::codegen::{Options, Templates};
use fmc::diag::SourceFile;
use proptest::prelude::*;

fn compile_checked(text: String) {
    let len = text.len();
    let file = SourceFile::new("prop.fm", text);
    // The formatter sees the same input: a file that parses is formatted to the same meaning
    // (it verifies itself), one that does not gets a syntax diagnostic; it never panics.
    if let Err(fmc::format::FormatError::Changed(why)) = fmc::format::format(&file) {
        panic!("fmt would change the meaning: {why}\n{}", file.text);
    }
    let (output, diagnostics) =
        fmc::pipeline::compile(&file, &Options::default(), &Templates::builtin());
    if output.is_none() {
        assert!(diagnostics.has_errors(), "no output and no error");
    }
    for d in diagnostics.iter() {
        for label in &d.labels {
            assert!(
                label.span.start <= label.span.end && label.span.end <= len,
                "span {:?} outside a {len}-byte file",
                label.span
            );
        }
    }
}

const TOKENS: &[&str] = &[
    "mesh",
    "m",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    ";",
    "=",
    "..",
    "cluster",
    "c",
    "broker",
    "admin",
    "\"pulsar://b:6650\"",
    "\"http://b:8080\"",
    "topic",
    "external",
    "feedback",
    "a",
    "b",
    "string",
    "json",
    "function",
    "source",
    "sink",
    "java",
    "python",
    "go",
    "connector",
    "\"org.X\"",
    "in",
    "out",
    "package",
    "\"x.jar\"",
    "replicas",
    "1..8",
    "3",
    "autoscale",
    "cpu",
    "80%",
    "resources",
    "memory",
    "1Gi",
    "500m",
    "env",
    "prod",
    "defaults",
    "use",
    "config",
    "{ k: 1 }",
    "secret",
    "key",
    "timeout",
    "30s",
    "state",
    "// c\n",
    "/* b */",
    "\n",
    " ",
    "\"\\u{41}\"",
    "\"",
    "#",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        compile_checked(text);
    }

    /// Bytes as the CLI reads them: text goes on to the compiler, anything else is one
    /// `fmc::encoding` error whose span lies inside the text shown for it.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        match fmc::diag::decode("prop.fm", bytes) {
            Ok(file) => compile_checked(file.text),
            Err(refused) => {
                let span = refused.diagnostic.span();
                prop_assert_eq!(refused.diagnostic.code, fmc::diag::Code::Encoding);
                prop_assert!(span.start < span.end && span.end <= refused.file.text.len());
                prop_assert!(refused.file.text.is_char_boundary(span.start));
                prop_assert!(refused.file.text.is_char_boundary(span.end));
            }
        }
    }

    #[test]
    fn token_soup_never_panics(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..120)) {
        compile_checked(tokens.join(" "));
    }

    #[test]
    fn mutated_examples_never_panic(example in 0usize..3, cut in 0usize..4000, insert in proptest::sample::select(TOKENS)) {
        let path = &common::examples()[example];
        let mut text = std::fs::read_to_string(path).expect("example");
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, insert);
        compile_checked(text);
    }

    #[test]
    fn truncated_examples_never_panic(example in 0usize..3, keep in 0usize..4000) {
        let path = &common::examples()[example];
        let text = std::fs::read_to_string(path).expect("example");
        let mut at = keep.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        compile_checked(text[..at].to_owned());
    }
}
