//! Editor latency of `fmc lsp`: the real server process driven over stdio, as an editor
//! drives it, on the 1,000-step mesh of `fmc synth` (4 clusters, 3 environments, as
//! `bench/run`). `cargo bench --bench lsp [-- STEPS [CHANGES]]`.
//!
//! - change → diagnostics: one `didChange` (whole text, as VS Code sends it with full sync),
//!   alternately breaking and fixing a topic name, then waiting for the
//!   `publishDiagnostics` of that version; a pause between changes so each is analysed alone.
//! - typing burst: ten changes 5 ms apart, then the time from the last to its diagnostics
//!   (the earlier ones must be coalesced away, not queued).
//! - hover on a topic right after a change (answered from the current text).
//!
//! Prints median, p90 and worst; asserts nothing (the target lives in bench/README.md).

use std::io::{BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "../tests/common/lsp_frames.rs"]
mod lsp_frames;
use lsp_frames::read_message;

fn send(stdin: &mut ChildStdin, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to fmc lsp");
    stdin.flush().expect("flush");
}

/// Waits for the message `pick` accepts, dropping others.
fn wait(messages: &mpsc::Receiver<(Instant, Value)>, pick: impl Fn(&Value) -> bool) -> Instant {
    loop {
        let (at, message) = messages
            .recv_timeout(Duration::from_secs(60))
            .expect("fmc lsp answered in time");
        if pick(&message) {
            return at;
        }
    }
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<28} median {:7.2} ms   p90 {:7.2} ms   worst {:7.2} ms   ({} runs)",
        pick(0.5),
        pick(0.9),
        pick(1.0),
        ms.len()
    );
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    let steps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let changes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(41);
    let text = fmc::synth::synth(fmc::synth::SynthOptions {
        steps,
        clusters: 4,
        envs: 3,
    });
    let broken = text.replacen("out p0-raw", "out p0-rav", 1);
    assert_ne!(text, broken);

    // The floor: the analysis alone, in this process, on the same texts.
    let mut alone = Vec::new();
    for i in 0..21 {
        let file = fmc::diag::SourceFile::new(
            "mesh.fm",
            if i % 2 == 0 { &broken } else { &text }.as_str(),
        );
        let start = Instant::now();
        let found = fmc::pipeline::check(&file).1;
        alone.push(start.elapsed().as_secs_f64() * 1000.0);
        drop(found);
    }
    summary("pipeline::check alone", alone);

    let mut child = Command::new(env!("CARGO_BIN_EXE_fmc"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start fmc lsp");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, messages) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(message) = read_message(&mut reader) {
            if tx.send((Instant::now(), message)).is_err() {
                break;
            }
        }
    });
    let uri = "file:///bench/mesh.fm";
    let published = |version: i64| {
        move |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        }
    };
    send(
        &mut stdin,
        &json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": { "capabilities": {} } }),
    );
    wait(&messages, |m| m["id"] == 0);
    send(
        &mut stdin,
        &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
    );
    send(
        &mut stdin,
        &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": uri, "languageId": "fm", "version": 1, "text": text } } }),
    );
    wait(&messages, published(1));
    println!(
        "fmc lsp, {steps} steps ({} bytes), {changes} changes",
        text.len()
    );

    let change = |stdin: &mut ChildStdin, version: i64, text: &str| {
        send(
            stdin,
            &json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }] } }),
        );
    };
    let mut version = 1;
    let mut latencies = Vec::new();
    for i in 0..changes {
        version += 1;
        let t = if i % 2 == 0 { &broken } else { &text };
        let start = Instant::now();
        change(&mut stdin, version, t);
        let at = wait(&messages, published(version));
        latencies.push((at - start).as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(50));
    }
    summary("change -> diagnostics", latencies);

    let mut bursts = Vec::new();
    for _ in 0..10 {
        let mut last = Instant::now();
        for j in 0..10 {
            version += 1;
            let t = if j % 2 == 0 { &broken } else { &text };
            last = Instant::now();
            change(&mut stdin, version, t);
            std::thread::sleep(Duration::from_millis(5));
        }
        let at = wait(&messages, published(version));
        bursts.push((at - last).as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(100));
    }
    summary("burst of 10 -> last diagnostics", bursts);

    let offset = text.find("in p0-raw").expect("an input") + 4;
    let line = text[..offset].matches('\n').count();
    let character = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut hovers = Vec::new();
    for i in 0..21 {
        version += 1;
        change(
            &mut stdin,
            version,
            if i % 2 == 0 { &text } else { &broken },
        );
        let start = Instant::now();
        let id = 1000 + i;
        send(
            &mut stdin,
            &json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {
                "textDocument": { "uri": uri }, "position": { "line": line, "character": character } } }),
        );
        // The diagnostics of this version may come before or after the hover's answer.
        let (mut answered, mut diagnosed) = (None, false);
        while answered.is_none() || !diagnosed {
            let (at, m) = messages
                .recv_timeout(Duration::from_secs(60))
                .expect("fmc lsp answered in time");
            if m["id"] == id {
                answered = Some(at);
            }
            diagnosed |= published(version)(&m);
        }
        if let Some(at) = answered {
            hovers.push((at - start).as_secs_f64() * 1000.0);
        }
    }
    summary("hover right after a change", hovers);

    send(
        &mut stdin,
        &json!({ "jsonrpc": "2.0", "id": 9999, "method": "shutdown" }),
    );
    wait(&messages, |m| m["id"] == 9999);
    send(&mut stdin, &json!({ "jsonrpc": "2.0", "method": "exit" }));
    let _ = child.wait();
}
