//! Secrets travel only as references. A mesh that names Secrets in every way the language
//! allows compiles to resources, and to pods, that carry Secret names and keys but never a
//! value or a Secret object; a mesh that writes credentials literally is refused, writes
//! nothing, and no report repeats a value.
mod common;

use std::process::Command;

use serde_json::Value;

fn fmc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fmc"))
        .args(args)
        .current_dir(common::root())
        .output()
        .expect("fmc runs")
}

/// Every string anywhere in a JSON tree.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out)
        }),
        _ => {}
    }
}

#[test]
fn named_secrets_reach_the_pods_as_references_only() {
    let file = common::source(&common::root().join("tests/secrets/references.fm"));
    let (model, diagnostics) = fmc::pipeline::check(&file);
    assert!(!diagnostics.has_errors(), "{:?}", diagnostics.into_sorted());
    let output = fmc::codegen::generate(
        &model.expect("model"),
        &file.name,
        &fmc::codegen::Options::default(),
        &fmc::codegen::Templates::builtin(),
    )
    .expect("output");
    let docs = fm_api::load::load_stream(&output.stream()).expect("loads");
    let rendered = fm_desired::render_stream(&docs, &fm_desired::Options::default())
        .expect("the operator renders it");
    let objects: Vec<Value> = output
        .files
        .values()
        .chain(std::iter::once(&rendered))
        .flat_map(|text| {
            serde_yaml_ng::Deserializer::from_str(text)
                .map(|d| serde::Deserialize::deserialize(d).expect("YAML"))
                .collect::<Vec<Value>>()
        })
        .collect();
    for object in &objects {
        assert_ne!(object["kind"], "Secret", "no Secret objects are generated");
    }
    let pod = objects
        .iter()
        .find(|o| o["kind"] == "StatefulSet")
        .map(|o| &o["spec"]["template"]["spec"])
        .expect("a StatefulSet");
    let env_refs: Vec<(String, String)> = pod["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["env"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| {
            let r = &e["valueFrom"]["secretKeyRef"];
            Some((
                r["name"].as_str()?.to_owned(),
                r["key"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert!(
        env_refs.contains(&("db-credentials".into(), "password".into())),
        "{env_refs:?}"
    );
    assert!(
        env_refs.contains(&("api".into(), "token".into())),
        "{env_refs:?}"
    );
    let secret_volumes: Vec<&str> = pod["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["secret"]["secretName"].as_str())
        .collect();
    for name in ["client-certs", "pulsar-ca", "pulsar-oauth"] {
        assert!(
            secret_volumes.contains(&name),
            "{name} in {secret_volumes:?}"
        );
    }
}

#[test]
fn literal_credentials_are_refused_without_output_or_echo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    for format in ["human", "json"] {
        let run = fmc(&[
            "compile",
            "tests/secrets/tries.fm",
            "-o",
            out.to_str().expect("path"),
            "--message-format",
            format,
        ]);
        assert_eq!(run.status.code(), Some(1));
        let report = String::from_utf8_lossy(&run.stderr);
        assert_eq!(
            report.matches("literal-secret").count(),
            3,
            "URL, env and nested config each refused ({format}):\n{report}"
        );
        assert!(
            !report.contains("s3cr3t"),
            "a value was echoed ({format}):\n{report}"
        );
        assert!(String::from_utf8_lossy(&run.stdout).is_empty());
        assert!(!out.exists(), "nothing is written");
    }
    let mut all = Vec::new();
    let file = common::source(&common::root().join("tests/secrets/tries.fm"));
    let (_, diagnostics) = fmc::pipeline::check(&file);
    strings(
        &serde_json::to_value(format!("{:?}", diagnostics.into_sorted())).expect("json"),
        &mut all,
    );
    assert!(all.iter().all(|s| !s.contains("s3cr3t")));
}

#[test]
fn excerpts_mask_credentials_even_in_a_file_that_does_not_parse() {
    let text = "mesh m {\n  cluster c { broker \"pulsar://u:s3cr3t-url@b:6650\" }\n  \
                sink k = connector \"K\" { config { \"password\": \"s3cr3t-quoted-key\" token: \"s3cr3t-bare\" } }\n  \
                this is not a statement\n}\n";
    let file = fmc::diag::SourceFile::new("broken.fm".to_owned(), text.to_owned());
    let (_, diagnostics) = fmc::pipeline::check(&file);
    let sorted = diagnostics.into_sorted();
    assert_eq!(sorted[0].code, fmc::diag::Code::Syntax);
    let report = fmc::diag::render_human(&file, &sorted, true);
    assert!(
        report.contains("sink k"),
        "the excerpt shows the lines around:\n{report}"
    );
    assert!(!report.contains("s3cr3t"), "{report}");
}
