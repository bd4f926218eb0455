//! Test support for anything that writes YAML, shared by the crates' tests (each includes
//! this file with `#[path]`): arbitrary JSON values rich in what YAML readers misread, and
//! PyYAML as a YAML 1.1 reader.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use fm_api::yaml::AMBIGUOUS;
use proptest::prelude::*;
use serde_json::{Map, Value};

pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        proptest::sample::select(AMBIGUOUS).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        "[a-z\n ]{0,12}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ]
}

pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(AMBIGUOUS).prop_map(str::to_owned),
        "[a-zA-Z][a-zA-Z0-9./_-]{0,12}",
        any::<String>(),
        "x{1001}",
    ]
}

/// Any JSON value: maps and lists nested a few levels deep around `scalar()`s.
pub fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every document of `text` as PyYAML reads it. PyYAML implements YAML 1.1: yes/on/off are
/// booleans, 1_000 an integer, 12:30 a sexagesimal number, 2026-11-25 a date (which JSON
/// cannot hold: the read then fails), the readings go-yaml v2 (`kubectl apply -f`) and
/// SnakeYAML (log4j2) share.
pub fn pyyaml_documents(text: &str) -> Result<Vec<Value>, String> {
    let script =
        "import sys, json, yaml\njson.dump(list(yaml.safe_load_all(sys.stdin.read())), sys.stdout)";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3 (with PyYAML: pip install pyyaml) does not run: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}
