//! The statements that replaced `spec { … }` for the fields real manifests use (windows,
//! logging, VPA, builtin autoscaler, volume claims, producer, …), `auth generic` and the
//! generic runtime: tests/statements/everything.fm uses each; it checks cleanly, is in
//! `fmc fmt`'s layout, compiles to pinned output, and `fmc import` of that output gives the
//! statements back (no `spec { … }`) and compiles to the same resources.
mod common;

use fmc::diag::SourceFile;

fn fixture() -> SourceFile {
    common::source(&common::root().join("tests/statements/everything.fm"))
}

#[test]
fn the_fixture_is_in_fmt_layout_and_compiles_to_pinned_output() {
    let file = fixture();
    assert_eq!(
        fmc::format::format(&file).expect("formats"),
        file.text,
        "not in fmc fmt's layout"
    );
    let output = common::compile_clean(&file);
    common::snapshot_settings("compile").bind(|| {
        insta::assert_snapshot!("statements-everything", common::base_stream(&output));
    });
}

#[test]
fn import_gives_the_statements_back_and_compiles_to_the_same_resources() {
    let file = fixture();
    let compiled = common::base_stream(&common::compile_clean(&file));
    let imported = fmc::import::import(&compiled).expect("imports");
    assert!(
        !imported.mesh.contains("spec {"),
        "every field has its statement again:\n{}",
        imported.mesh
    );
    for statement in [
        "forward-properties true",
        "max-pending-async 500",
        "log-rotation daily",
        "log-format json",
        "log-config \"average-logging\" key \"log4j2.yaml\"",
        "log-config-format yaml",
        "log-topic-agent sidecar",
        "window {",
        "slide 10s",
        "vpa {",
        "builtin-autoscale memory 50%",
        "volume-claim scratch {",
        "producer {",
        "auth generic {",
        "= nodejs {",
        "= wasm {",
    ] {
        assert!(
            imported.mesh.contains(statement),
            "`{statement}` missing:\n{}",
            imported.mesh
        );
    }
    let again = SourceFile::new("imported.fm".to_owned(), imported.mesh.clone());
    assert_eq!(
        common::documents(&common::base_stream(&common::compile_clean(&again))),
        common::documents(&compiled),
        "imported mesh:\n{}",
        imported.mesh
    );
}

/// Each word of the new statements, written wrong, is an error at that word with the
/// words it may be.
#[test]
fn a_wrong_word_is_named_with_the_words_allowed() {
    for (statement, wrong, allowed) in [
        ("log-rotation hourly", "hourly", "daily, weekly"),
        ("log-format xml", "xml", "json, text"),
        ("log-topic-agent filebeat", "filebeat", "runtime, sidecar"),
        ("producer { compression gzip }", "gzip", "none, lz4"),
        ("vpa { update sometimes }", "sometimes", "off, initial"),
    ] {
        let text = format!(
            "mesh m {{ cluster c {{ broker \"pulsar://b:6650\" admin \"http://b:8080\" }} \
             external topic a: string  topic b: string \
             function f = java \"org.F\" {{ package \"f.jar\" in a out b {statement} }} \
             sink k = connector \"org.K\" {{ package \"k.nar\" in b }} }}"
        );
        let file = SourceFile::new("wrong.fm".to_owned(), text.clone());
        let (_, diagnostics) = fmc::pipeline::check(&file);
        let found = diagnostics.into_sorted();
        assert_eq!(found.len(), 1, "{statement}: {found:?}");
        let d = &found[0];
        assert_eq!(d.code, fmc::diag::Code::InvalidValue, "{statement}");
        assert_eq!(&text[d.span().start..d.span().end], wrong, "{statement}");
        let labels = format!("{:?}", d);
        assert!(labels.contains(allowed), "{statement}: {labels}");
    }
}

/// Builtin autoscaler rules exist for 80%, 50% and 20% only; volume claims need a size.
#[test]
fn builtin_percentages_and_claim_sizes_are_checked() {
    for (statement, message) in [
        ("builtin-autoscale cpu 70%", "80%, 50% and 20% only"),
        (
            "volume-claim data { access read-write-once }",
            "has no `size`",
        ),
        ("volume-claim data { size 0Gi }", "not a valid claim size"),
        ("window { length 10 max-lag 5x }", "not a valid maximum lag"),
        ("max-pending-async 0", "between 1 and 2147483647"),
    ] {
        let text = format!(
            "mesh m {{ cluster c {{ broker \"pulsar://b:6650\" admin \"http://b:8080\" }} \
             external topic a: string \
             function f = java \"org.F\" {{ package \"f.jar\" in a {statement} }} }}"
        );
        let file = SourceFile::new("wrong.fm".to_owned(), text);
        let (_, diagnostics) = fmc::pipeline::check(&file);
        let messages: Vec<String> = diagnostics
            .into_sorted()
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(message)),
            "{statement}: {messages:?}"
        );
    }
}

/// A credential in `auth generic`'s parameters is a literal secret; a token file is not.
#[test]
fn generic_auth_parameters_holding_a_token_are_refused() {
    let mesh = |params: &str| {
        format!(
            "mesh m {{ cluster c {{ broker \"pulsar://b:6650\" admin \"http://b:8080\" \
             auth generic {{ plugin \"org.apache.pulsar.client.impl.auth.AuthenticationToken\" params \"{params}\" }} }} \
             external topic a: string \
             sink k = connector \"org.K\" {{ package \"k.nar\" in a }} }}"
        )
    };
    let codes = |text: String| -> Vec<fmc::diag::Code> {
        let (_, diagnostics) = fmc::pipeline::check(&SourceFile::new("a.fm".to_owned(), text));
        diagnostics
            .into_sorted()
            .into_iter()
            .map(|d| d.code)
            .collect()
    };
    assert_eq!(
        codes(mesh("token:eyJhbGciOiJIUzI1NiJ9.e30.sig")),
        vec![fmc::diag::Code::LiteralSecret]
    );
    assert!(codes(mesh("token:file:///etc/pulsar/token")).is_empty());
}
