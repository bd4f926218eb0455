//! One broken mesh per diagnostic code (tests/broken/<code>.fm): each must raise its code,
//! and the rendered report (human and JSON) is pinned by a snapshot.
mod common;

use fmc::diag::{decode, render_human, render_json, Code, SourceFile};

fn codes_of(file: &SourceFile) -> Vec<Diagnostic> {
    let (_, diagnostics) = fmc::pipeline::check(file);
    diagnostics.into_sorted()
}

type Diagnostic = fmc::diag::Diagnostic;

#[test]
fn every_broken_mesh_raises_its_code_and_renders_as_pinned() {
    let dir = common::root().join("tests/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/broken")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "fm"))
        .collect();
    files.sort();
    let mut covered = Vec::new();
    for path in files {
        let code_name = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let file = common::source(&path);
        let diagnostics = codes_of(&file);
        let wanted = format!("fmc::{code_name}");
        assert!(
            diagnostics.iter().any(|d| d.code.as_str() == wanted),
            "{} should raise {wanted}, got {:?}",
            file.name,
            diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect::<Vec<_>>()
        );
        for d in &diagnostics {
            let end = d.span().end;
            assert!(
                end <= file.text.len(),
                "span outside the file in {}",
                file.name
            );
        }
        covered.push(wanted);
        let report = format!(
            "{}\n--- json\n{}",
            render_human(&file, &diagnostics, true),
            render_json(&file, &diagnostics)
        );
        common::snapshot_settings("diagnostics").bind(|| {
            insta::assert_snapshot!(code_name.clone(), report);
        });
    }
    // Codes that need inputs a file cannot hold are covered by the tests below; the import's
    // by tests/cli.rs (`import_reads_files_as_check_does_and_speaks_json`) and
    // tests/import_*.rs.
    let elsewhere = [
        "fmc::import-invalid",
        "fmc::import-unsupported",
        "fmc::import-note",
        "fmc::io",
        "fmc::encoding",
        "fmc::file-too-large",
        "fmc::too-deep",
        "fmc::too-many-steps",
        "fmc::template",
    ];
    for code in Code::ALL {
        assert!(
            covered.iter().any(|c| c == code.as_str()) || elsewhere.contains(&code.as_str()),
            "no broken mesh in tests/broken for {code}"
        );
    }
}

#[test]
fn literal_secret_values_are_never_printed() {
    let file = common::source(&common::root().join("tests/broken/literal-secret.fm"));
    let diagnostics = codes_of(&file);
    let human = render_human(&file, &diagnostics, true);
    let json = render_json(&file, &diagnostics);
    // The source line itself is shown in the excerpt only when it is the labelled line; the
    // message, labels and help must never carry the value.
    for d in &diagnostics {
        assert!(!d.message.contains("hunter2"));
        assert!(d.labels.iter().all(|l| !l.text.contains("hunter2")));
        assert!(!d.help.clone().unwrap_or_default().contains("hunter2"));
    }
    assert!(!json.contains("hunter2"), "{json}");
    assert!(!human.contains("hunter2"), "{human}");
    assert!(human.contains("literal-secret"));
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!(
        "mesh m {{ labels {} }}",
        "{a: ".repeat(depth) + &"}".repeat(depth)
    );
    let file = SourceFile::new("deep.fm", text);
    let diagnostics = codes_of(&file);
    assert_eq!(diagnostics[0].code, Code::TooDeep);
}

#[test]
fn nesting_at_the_limit_parses_on_a_small_stack() {
    // The depth pre-scan is the only bound on the recursive parser's stack: at the deepest
    // nesting it accepts, parsing must fit a test thread's 2 MiB stack even in a debug build.
    // The mesh, the step body and its `config` take three of the levels; maps and lists
    // alternate below, and nested block comments recurse too.
    let levels = fmc::syntax::MAX_DEPTH - 3;
    let open: String = (0..levels)
        .map(|i| if i % 2 == 0 { "{a: " } else { "[" })
        .collect();
    let close: String = (0..levels)
        .rev()
        .map(|i| if i % 2 == 0 { "}" } else { "]" })
        .collect();
    let comment =
        "/*".repeat(fmc::syntax::MAX_DEPTH - 1) + &"*/".repeat(fmc::syntax::MAX_DEPTH - 1);
    let text = format!(
        "mesh m {{\n  cluster c {{ broker \"pulsar://b:6650\" admin \"http://b:8080\" }}\n  {comment}\n  sink s = connector \"K\" {{ config {{ deep: {open}1{close} }} }}\n}}"
    );
    let parsed = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            fmc::syntax::parse(&SourceFile::new("deep.fm", text))
                .map_err(|d| format!("{:?}", d.into_sorted()))
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    if let Err(e) = parsed {
        panic!("nesting within the limit parses: {e}");
    }
}

#[test]
fn oversized_input_is_refused() {
    let text = format!("mesh m {{ {} }}", " ".repeat(fmc::syntax::MAX_FILE_BYTES));
    let diagnostics = codes_of(&SourceFile::new("big.fm", text));
    assert_eq!(diagnostics[0].code, Code::FileTooLarge);
}

#[test]
fn empty_file_bom_and_crlf() {
    let empty = codes_of(&SourceFile::new("empty.fm", ""));
    assert_eq!(empty[0].code, Code::Syntax);
    assert!(empty[0].help.is_some());

    let example = std::fs::read_to_string(common::root().join("examples/word-count/mesh.fm"))
        .expect("example");
    let crlf = format!(
        "\u{feff}{}",
        example.replace('\n', "\r\n").replace("  ", "\t")
    );
    let (model, diagnostics) = fmc::pipeline::check(&SourceFile::new("crlf.fm", crlf));
    assert!(model.is_some(), "{:?}", diagnostics.into_sorted());
}

#[test]
fn json_lines_have_positions_for_editors() {
    let file = common::source(&common::root().join("tests/broken/unknown-topic.fm"));
    let json = render_json(&file, &codes_of(&file));
    let first: serde_json::Value = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
        .find(|v| v["code"] == "fmc::unknown-topic")
        .expect("an unknown-topic line");
    assert_eq!(first["code"], "fmc::unknown-topic");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["span"]["line"], 5);
    assert_eq!(first["help"], "did you mean `sentences`?");
}

#[test]
fn readme_documents_every_code() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    for code in Code::ALL {
        assert!(
            readme.contains(&format!("`{}`", code.as_str())),
            "README lacks {code}"
        );
    }
}

#[test]
fn the_readmes_vs_code_problem_matcher_reads_every_field() {
    // The task in the README, as written there: its regexp must find each diagnostic's code,
    // severity, message, file and positions in `--message-format json` output.
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let task = readme
        .split("```json")
        .find(|block| block.contains("\"problemMatcher\""))
        .and_then(|block| block.split("```").next())
        .expect("the README shows a VS Code task");
    let task: serde_json::Value = serde_json::from_str(task).expect("the task is JSON");
    let pattern = &task["problemMatcher"]["pattern"];
    let regexp = regex::Regex::new(pattern["regexp"].as_str().expect("regexp")).expect("compiles");
    let group = |name: &str| pattern[name].as_u64().expect("group index") as usize;
    let mut matched = 0;
    for name in [
        "unknown-topic",
        "relaxed-security",
        "literal-secret",
        "cycle",
    ] {
        let file = common::source(&common::root().join(format!("tests/broken/{name}.fm")));
        let diagnostics = codes_of(&file);
        for line in render_json(&file, &diagnostics).lines() {
            let json: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            let found = regexp
                .captures(line)
                .unwrap_or_else(|| panic!("the problem matcher misses {line}"));
            let text = |g: &str| found.get(group(g)).map(|m| m.as_str()).unwrap_or_default();
            assert_eq!(text("code"), json["code"]);
            assert_eq!(text("severity"), json["severity"]);
            // The message as the line holds it, JSON escapes included.
            let message: String =
                serde_json::from_str(&format!("\"{}\"", text("message"))).expect("escaped string");
            assert_eq!(message, json["message"]);
            assert_eq!(text("file"), json["file"]);
            for (g, field) in [
                ("line", "line"),
                ("column", "column"),
                ("endLine", "end_line"),
                ("endColumn", "end_column"),
            ] {
                assert_eq!(text(g), json["span"][field].to_string(), "{g} in {line}");
            }
            matched += 1;
        }
    }
    assert!(matched >= 4, "only {matched} diagnostics matched");
}

#[test]
fn the_operators_admission_rules_are_part_of_check() {
    // fmc allows the loop (the topic is declared `feedback`), but upstream's admission rules
    // reject a function whose output is also one of its inputs: `fmc check` must say so.
    let text = r#"mesh m {
  cluster c { broker "pulsar://b:6650" admin "http://b:8080" }
  external topic events: json
  feedback topic retry: json
  function f = java "org.F" { package "f.jar" in events, retry out retry }
}"#;
    let file = SourceFile::new("feedback.fm", text);
    let diagnostics = codes_of(&file);
    let rejection = diagnostics
        .iter()
        .find(|d| d.message.contains("operator would reject step `f`"))
        .unwrap_or_else(|| panic!("no operator rejection in {diagnostics:?}"));
    assert_eq!(rejection.code, Code::Admission);
    assert!(
        rejection.message.contains("output.topic"),
        "{}",
        rejection.message
    );
    // The error points at the statement that sets the field the rule is about.
    let out_statement = text.find("out retry").expect("out statement") + "out ".len();
    assert_eq!(rejection.span().start, out_statement, "{rejection:?}");
}

#[test]
fn a_multibyte_character_at_the_error_is_reported_not_a_panic() {
    // Found by the property tests: the error token was sliced inside a character.
    for text in ["\u{2000}", "mesh m { é }", "mesh m {\u{1F600}}"] {
        let diagnostics = codes_of(&SourceFile::new("x.fm", text));
        assert_eq!(diagnostics[0].code, Code::Syntax, "{text:?}");
        let span = diagnostics[0].span();
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    }
}

#[test]
fn steps_times_environments_are_limited_before_lowering() {
    // 99 environments make 100 effective meshes: 1,000 steps fit, 1,001 do not.
    let mesh = |steps: usize| {
        let mut text = String::from("mesh m {\n");
        for i in 0..steps {
            text.push_str(&format!("  sink s{i} = connector \"K\" {{}}\n"));
        }
        for e in 0..99 {
            text.push_str(&format!("  env e{e} {{}}\n"));
        }
        text.push('}');
        SourceFile::new("big.fm", text)
    };
    // At the limit the file parses (lowering 100,000 step instances is left to the benchmarks).
    assert!(fmc::syntax::parse(&mesh(1000)).is_ok());
    let file = mesh(1001);
    let over = codes_of(&file);
    assert_eq!(over.len(), 1, "refused before any other check: {over:?}");
    assert_eq!(over[0].code, Code::TooManySteps);
    assert_eq!(
        &file.text[over[0].span().start..over[0].span().end],
        "s1000"
    );
}

#[test]
fn compile_reports_exactly_what_check_reports() {
    // `compile` leaves the admission rules to code generation (so each spec is built once);
    // it must still report what `check` does: in the base and in every environment.
    let rejected_everywhere = SourceFile::new(
        "rejected.fm",
        r#"mesh m {
  cluster c { broker "pulsar://b:6650" admin "http://b:8080" }
  external topic events: json
  feedback topic retry: json
  topic out: json
  function f = java "org.F" { package "f.jar" in events, retry out retry }
  function g = java "org.G" { package "g.jar" in events out out }
  sink s = connector "org.S" { package "s.nar" in out }
  env e1 { g { spec { maxReplicas: 0 } } }
  env e2 { s { spec { maxReplicas: 0 } } }
}"#,
    );
    let mut files = vec![rejected_everywhere];
    let broken = common::root().join("tests/broken");
    let mut paths: Vec<_> = std::fs::read_dir(&broken)
        .expect("tests/broken")
        .map(|e| e.expect("entry").path())
        .chain(common::examples())
        .collect();
    paths.sort();
    files.extend(paths.iter().map(|p| common::source(p)));
    let templates = fmc::codegen::Templates::builtin();
    for file in &files {
        let checked = codes_of(file);
        let (_, compiled) = fmc::pipeline::compile(file, &Default::default(), &templates);
        assert_eq!(
            render_json(file, &compiled.into_sorted()),
            render_json(file, &checked),
            "{}",
            file.name
        );
    }
    let rejections: Vec<String> = codes_of(&files[0])
        .into_iter()
        .filter(|d| d.message.contains("operator would reject"))
        .map(|d| d.message)
        .collect();
    let says = |step: &str, rule: &str, suffix: &str| {
        rejections.iter().any(|m| {
            m.starts_with(&format!(
                "the Function Mesh operator would reject step `{step}`: {rule}"
            )) && m.ends_with(suffix)
        })
    };
    assert!(
        says("f", "output.topic", "is also an input topic"),
        "{rejections:#?}"
    );
    assert!(
        says("g", "maxReplicas: must be >= 1", "(environment `e1`)"),
        "{rejections:#?}"
    );
    assert!(
        says("s", "maxReplicas: must be >= 1", "(environment `e2`)"),
        "{rejections:#?}"
    );
}

#[test]
fn environment_overrides_meet_every_rule_and_base_findings_come_once() {
    // Environments are checked only where they change steps (the rest has the base's
    // findings): each per-step pass must still see an override that breaks its rule.
    let path = common::root().join("tests/environments/overrides.fm");
    let file = common::source(&path);
    let diagnostics = codes_of(&file);
    let said = |code: &str, suffix: &str| {
        diagnostics
            .iter()
            .filter(|d| d.code.as_str() == code && d.message.ends_with(suffix))
            .count()
    };
    assert_eq!(said("fmc::invalid-name", "(environment `e1`)"), 1);
    assert_eq!(said("fmc::replicas", "(environment `e1`)"), 1);
    assert_eq!(said("fmc::literal-secret", "(environment `e1`)"), 1);
    assert_eq!(said("fmc::relaxed-security", "(environment `e1`)"), 1);
    assert_eq!(said("fmc::invalid-name", "(environment `e2`)"), 1);
    assert_eq!(said("fmc::url", "(environment `e2`)"), 1);
    let relaxations = diagnostics
        .iter()
        .filter(|d| d.code == Code::RelaxedSecurity)
        .count();
    assert_eq!(relaxations, 2, "the base's once, e1's own once");
    common::snapshot_settings("diagnostics").bind(|| {
        insta::assert_snapshot!("environment-overrides", render_json(&file, &diagnostics));
    });
}

/// A file that is not UTF-8 cannot live in tests/broken as text: its bytes are built here.
/// Latin-1 and UTF-16 (both as editors save them) are refused at the first bad byte, inside
/// the file, and the reports are pinned.
#[test]
fn files_in_other_encodings_are_refused_at_the_first_bad_byte() {
    let example = std::fs::read_to_string(common::root().join("examples/word-count/mesh.fm"))
        .expect("example");
    let latin1: Vec<u8> = example
        .replacen("// ", "// caf\u{e9} ", 1)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 text"))
        .collect();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(example.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for (name, bytes) in [("latin1.fm", latin1), ("utf16.fm", utf16)] {
        let refused = decode(name, bytes).expect_err("not UTF-8");
        let d = &refused.diagnostic;
        assert_eq!(d.code, Code::Encoding);
        assert!(d.span().end <= refused.file.text.len());
        let diagnostics = [d.clone()];
        let report = format!(
            "{}\n--- json\n{}",
            render_human(&refused.file, &diagnostics, true),
            render_json(&refused.file, &diagnostics)
        );
        common::snapshot_settings("diagnostics").bind(|| {
            insta::assert_snapshot!(format!("encoding-{name}"), report);
        });
    }
}

/// Upstream's delivery rules (effectively-once excludes a timeout and retries, and for a
/// Function key-shared ordering) are checked once, by the operator's own admission code: each
/// conflict is one `fmc::admission` at the value that sets the field. Upstream admits a Sink's
/// key-shared ordering with effectively-once; fmc's own rule reports that one.
#[test]
fn effectively_once_conflicts_are_reported_once_where_they_are_written() {
    let mesh = |step: &str| {
        format!(
            "mesh m {{
  cluster c {{ broker \"pulsar://b:6650\" admin \"http://b:8080\" }}
  topic a: string
  source s = connector \"org.S\" {{ package \"s.nar\" out a }}
  {step} {{
    in a
    guarantee effectively-once
{settings}  }}
}}
",
            settings = "{settings}"
        )
    };
    let found = |step: &str, settings: &str| -> Vec<(String, String)> {
        let text = mesh(step).replace("{settings}", settings);
        let file = SourceFile::new("delivery.fm", text.as_str());
        codes_of(&file)
            .iter()
            .map(|d| {
                let span = d.span();
                (
                    d.code.as_str().to_owned(),
                    text[span.start..span.end].to_owned(),
                )
            })
            .collect()
    };
    let at = |code: &str, value: &str| (format!("fmc::{code}"), value.to_owned());
    let sink = "sink k = connector \"org.K\"";
    let function = "function k = java \"org.K\"";
    let conflicts = "    timeout 5s\n    max-retries 3\n";
    let package = |p: &str| format!("    package \"{p}\"\n");
    assert_eq!(
        found(sink, &(package("k.nar") + conflicts)),
        vec![at("admission", "5s"), at("admission", "3")]
    );
    assert_eq!(
        found(
            function,
            &(package("k.jar") + conflicts + "    subscription-type key-shared\n")
        ),
        vec![
            at("admission", "5s"),
            at("admission", "3"),
            at("admission", "key-shared")
        ]
    );
    assert_eq!(
        found(
            sink,
            &(package("k.nar") + "    subscription-type key-shared\n")
        ),
        vec![at("invalid-value", "key-shared")]
    );
}
