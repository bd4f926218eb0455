//! What the fuzz targets assert, one function per target. The regression tests
//! (`tests/fuzz_regressions.rs`) include this file, so every committed input is checked by
//! exactly the invariants the fuzzer checked it with. Every function takes raw bytes. `compile`
//! decodes them as the CLI does (bytes that are not UTF-8 must give an `fmc::encoding`
//! diagnostic inside the file); `fmt` and `import` skip such input, which the CLI refuses
//! before they see it.

use std::sync::OnceLock;

use fmc::codegen::{Options, Output, Templates};
use fmc::diag::{Code, Diagnostics, SourceFile};
use fmc::format::FormatError;

/// The built-in templates, compiled once per process.
fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(Templates::builtin)
}

/// Every span a diagnostic carries (labels and masked ranges) lies inside the file, and the
/// reports render (as `fmc check` prints them, human and JSON) without panicking.
fn diagnostics_fit(file: &SourceFile, diagnostics: &Diagnostics) {
    let len = file.text.len();
    for d in diagnostics.iter() {
        assert!(
            !d.labels.is_empty(),
            "{} without a span: {}",
            d.code,
            d.message
        );
        for span in d
            .labels
            .iter()
            .map(|l| l.span)
            .chain(d.redact.iter().copied())
        {
            assert!(
                span.start <= span.end && span.end <= len,
                "{}: span {span:?} outside a {len}-byte file",
                d.code
            );
        }
    }
    let sorted = diagnostics.clone().into_sorted();
    let _ = fmc::diag::render_human(file, &sorted, true);
    let _ = fmc::diag::render_json(file, &sorted);
}

/// Every generated file is YAML.
fn output_is_yaml(output: &Output) {
    for (path, text) in &output.files {
        if path.ends_with(".yaml") || path.ends_with(".yml") {
            for doc in serde_yaml_ng::Deserializer::from_str(text) {
                if let Err(e) = <serde_yaml_ng::Value as serde::Deserialize>::deserialize(doc) {
                    panic!("{path} is not YAML: {e}\n{text}");
                }
            }
        }
    }
}

fn compile_once(file: &SourceFile, split: bool) -> (Option<Output>, Diagnostics) {
    fmc::pipeline::compile(file, &Options { split }, templates())
}

/// parse + check + codegen. On failure: at least one error. Always: every span inside the
/// file, reports render, never `fmc::template` (the built-in templates cannot fail). On
/// success: no error, every file is YAML, compiling again gives the same output and
/// diagnostics byte for byte, and `--split` succeeds too.
pub fn compile(data: &[u8]) {
    let file = match fmc::diag::decode("fuzz.fm", data.to_vec()) {
        Ok(file) => file,
        Err(refused) => {
            assert_eq!(refused.diagnostic.code, Code::Encoding);
            diagnostics_fit(&refused.file, &refused.diagnostic.into());
            return;
        }
    };
    let (output, diagnostics) = compile_once(&file, false);
    diagnostics_fit(&file, &diagnostics);
    if let Some(d) = diagnostics.iter().find(|d| d.code == Code::Template) {
        panic!("the built-in templates failed: {}", d.message);
    }
    let Some(output) = output else {
        assert!(diagnostics.has_errors(), "no output and no error");
        return;
    };
    assert!(!diagnostics.has_errors(), "output despite errors");
    output_is_yaml(&output);
    let (again, again_diagnostics) = compile_once(&file, false);
    assert!(
        again.as_ref() == Some(&output),
        "a second compile gave other output"
    );
    assert!(
        again_diagnostics == diagnostics,
        "a second compile gave other diagnostics"
    );
    let (split, split_diagnostics) = compile_once(&file, true);
    diagnostics_fit(&file, &split_diagnostics);
    match split {
        Some(split) => output_is_yaml(&split),
        None => panic!(
            "compiles, but not with --split: {:?}",
            split_diagnostics
                .iter()
                .map(|d| &d.message)
                .collect::<Vec<_>>()
        ),
    }
}

/// What `fmc check` concludes, without positions: formatting must not change it.
fn verdict(file: &SourceFile) -> Vec<(Code, String)> {
    let (_, diagnostics) = fmc::pipeline::check(file);
    let mut out: Vec<(Code, String)> = diagnostics
        .iter()
        .map(|d| (d.code, d.message.clone()))
        .collect();
    out.sort();
    out
}

/// `fmc fmt`. A file that does not parse is refused with a syntax error inside the file;
/// the formatter never reports that it would change a file's meaning (its self-check); a
/// formatted file formats to itself, and `fmc check` says the same of it as of the original.
pub fn fmt(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("fuzz.fm", text);
    match fmc::format::format(&file) {
        Ok(formatted) => {
            let again = SourceFile::new("fuzz.fm", formatted.clone());
            match fmc::format::format(&again) {
                Ok(twice) => assert!(
                    twice == formatted,
                    "fmt is not idempotent:\n--- once\n{formatted}\n--- twice\n{twice}"
                ),
                Err(e) => panic!("fmt refuses its own output: {e:?}\n{formatted}"),
            }
            assert!(
                verdict(&file) == verdict(&again),
                "fmc check says other things of the formatted file:\n{formatted}"
            );
        }
        Err(FormatError::Syntax(diagnostics)) => {
            assert!(diagnostics.has_errors(), "refused without an error");
            diagnostics_fit(&file, &diagnostics);
        }
        Err(FormatError::Changed(why)) => panic!("fmt would change the meaning: {why}"),
    }
}

/// `fmc import`. Never panics; importing is deterministic; a mesh it writes parses and is
/// already in fmt's layout.
pub fn import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let imported = fmc::import::import(text);
    assert!(
        fmc::import::import(text) == imported,
        "a second import gave another result"
    );
    let Ok(imported) = imported else {
        return;
    };
    let file = SourceFile::new("imported.fm", imported.mesh.clone());
    match fmc::format::format(&file) {
        Ok(formatted) => assert!(
            formatted == imported.mesh,
            "the imported mesh is not in fmt's layout:\n--- imported\n{}\n--- formatted\n{formatted}",
            imported.mesh
        ),
        Err(FormatError::Syntax(d)) => panic!(
            "the imported mesh does not parse:\n{}\n{}",
            imported.mesh,
            fmc::diag::render_human(&file, &d.into_sorted(), true)
        ),
        Err(FormatError::Changed(why)) => panic!("fmt would change the imported mesh: {why}"),
    }
    if let Err(d) = fmc::syntax::parse(&file) {
        panic!(
            "the imported mesh does not parse:\n{}\n{}",
            imported.mesh,
            fmc::diag::render_human(&file, &d.into_sorted(), true)
        );
    }
}
