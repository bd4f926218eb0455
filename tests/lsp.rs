//! `fmc lsp` driven as an editor drives it: the real binary, JSON-RPC with Content-Length
//! framing over its stdin and stdout.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

#[path = "common/lsp_frames.rs"]
mod lsp_frames;
use lsp_frames::read_message;

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::Receiver<Value>,
    /// Notifications (and responses) read while waiting for something else.
    stash: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fmc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fmc lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            messages: rx,
            stash: Vec::new(),
            next_id: 0,
        }
    }

    fn started() -> Client {
        let mut client = Client::start();
        let response = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        assert!(response["result"]["capabilities"].is_object(), "{response}");
        client.notify("initialized", json!({}));
        client
    }

    fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        stdin.write_all(body).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(TIMEOUT)
            .expect("a message from the server in time")
    }

    /// The response with this id; everything else read meanwhile is kept.
    fn response(&mut self, id: &Value) -> Value {
        if let Some(i) = self
            .stash
            .iter()
            .position(|m| &m["id"] == id && m.get("method").is_none())
        {
            return self.stash.remove(i);
        }
        loop {
            let message = self.next();
            if &message["id"] == id && message.get("method").is_none() {
                return message;
            }
            self.stash.push(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&id)
    }

    /// The result of a request that must succeed.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        };
        let found = match self.stash.iter().position(matches) {
            Some(i) => self.stash.remove(i),
            None => loop {
                let message = self.next();
                if matches(&message) {
                    break message;
                }
                self.stash.push(message);
            },
        };
        found["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "fm", "version": 1, "text": text } }),
        );
        self.diagnostics(uri, 1)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        self.diagnostics(uri, version)
    }

    /// `shutdown`, `exit`; the process's exit code.
    fn stop(mut self) -> i32 {
        let result = self.request("shutdown", Value::Null);
        assert!(result.get("error").is_none(), "{result}");
        self.notify("exit", Value::Null);
        self.wait()
    }

    fn wait(mut self) -> i32 {
        drop(self.stdin.take());
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("fmc lsp did not exit");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(root().join(path)).expect("read file")
}

/// The LSP position of byte `offset` (UTF-16 columns).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

/// The position `delta` bytes into the `nth` (0-based) occurrence of `needle`.
fn at(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not in the text"))
        .0;
    position(text, offset + delta)
}

fn doc_position(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

/// Applies a list of LSP text edits (non-overlapping) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

const WORD_COUNT: &str = "file:///work/word-count/mesh.fm";

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

// ---- lifecycle and protocol errors

#[test]
fn shutdown_then_exit_ends_with_zero_and_exit_alone_with_one() {
    let client = Client::started();
    assert_eq!(client.stop(), 0);

    let mut client = Client::started();
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), 1);
}

#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let mut client = Client::start();
    // Before `initialize`, requests are refused.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    let mut client = {
        drop(client);
        Client::started()
    };
    // Not JSON at all: a parse error with a null id.
    client.send_raw(b"{ this is not json");
    let error = client.next();
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["id"], Value::Null);
    // JSON, but no JSON-RPC message.
    client.send(json!({ "jsonrpc": "2.0", "id": 99, "params": 3 }));
    let error = client.response(&json!(99));
    assert_eq!(error["error"]["code"], -32600, "{error}");
    // Bad params.
    for params in [json!("hover?"), json!({ "textDocument": 3 }), json!({})] {
        let response = client.request("textDocument/hover", params);
        assert_eq!(response["error"]["code"], -32602, "{response}");
    }
    let response = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": WORD_COUNT }, "position": { "line": -1, "character": 0 }, "newName": 5 }),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // A document that is not open.
    let response = client.request(
        "textDocument/hover",
        doc_position("file:///nowhere.fm", json!({ "line": 0, "character": 0 })),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // Unknown methods.
    let response = client.request("textDocument/teleport", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // Unknown notifications and broken ones are ignored.
    client.notify("$/nothing", json!({}));
    client.notify("textDocument/didChange", json!({ "garbage": true }));
    // Positions past the end of the file are clamped, not a crash.
    let text = read("examples/word-count/mesh.fm");
    client.open(WORD_COUNT, &text);
    for position in [
        json!({ "line": 9999, "character": 0 }),
        json!({ "line": 0, "character": 9999 }),
    ] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
        ] {
            client.call(method, doc_position(WORD_COUNT, position.clone()));
        }
    }
    // Still alive and answering.
    let response = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(response["error"]["code"], -32600, "{response}");
    assert_eq!(client.stop(), 0);
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut client = Client::started();
    client.call("shutdown", Value::Null);
    let response = client.request("textDocument/hover", json!({}));
    assert_eq!(response["error"]["code"], -32600, "{response}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), 0);
}

// ---- diagnostics

/// What `fmc check --message-format json` says about a file.
fn check_json(path: &Path) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_fmc"))
        .args(["check", "--message-format", "json"])
        .arg(path)
        .output()
        .expect("run fmc check");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn diagnostics_are_those_of_check_for_every_broken_example() {
    let mut client = Client::started();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/broken"))
        .expect("tests/broken")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "fm"))
        .collect();
    files.sort();
    assert!(files.len() > 10);
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let uri = format!("file://{}", path.display());
        let published = client.open(&uri, &text);
        let expected = check_json(&path);
        assert!(!expected.is_empty(), "{} is clean?", path.display());
        assert_eq!(
            published.len(),
            expected.len(),
            "{}: {published:#?}",
            path.display()
        );
        for (lsp, check) in published.iter().zip(&expected) {
            assert_eq!(lsp["code"], check["code"], "{}", path.display());
            assert_eq!(lsp["source"], "fmc");
            let severity = if check["severity"] == "error" { 1 } else { 2 };
            assert_eq!(lsp["severity"], severity);
            let mut message = check["message"].as_str().unwrap().to_owned();
            if let Some(help) = check["help"].as_str() {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            assert_eq!(lsp["message"], message.as_str(), "{}", path.display());
            // The files are ASCII: UTF-16 columns are character columns.
            let span = &check["span"];
            let expect_range = |span: &Value| {
                json!({
                    "start": { "line": span["line"].as_u64().unwrap() - 1, "character": span["column"].as_u64().unwrap() - 1 },
                    "end": { "line": span["end_line"].as_u64().unwrap() - 1, "character": span["end_column"].as_u64().unwrap() - 1 },
                })
            };
            assert_eq!(lsp["range"], expect_range(span), "{}", path.display());
            let labels: Vec<Value> = check["labels"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["label"] != "")
                .map(|l| json!({ "message": l["label"], "range": expect_range(&l["span"]) }))
                .collect();
            let related: Vec<Value> = lsp["relatedInformation"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|r| {
                    assert_eq!(r["location"]["uri"], uri.as_str());
                    json!({ "message": r["message"], "range": r["location"]["range"] })
                })
                .collect();
            assert_eq!(related, labels, "{}", path.display());
        }
    }
    assert_eq!(client.stop(), 0);
}

#[test]
fn a_change_that_fixes_an_error_clears_its_diagnostic() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm");
    assert_eq!(client.open(WORD_COUNT, &text), Vec::<Value>::new());
    let broken = text.replace("in sentences", "in sentnces");
    let found = client.change(WORD_COUNT, 2, &broken);
    // `sentences` is now read by nobody, too.
    assert_eq!(codes(&found), ["fmc::unread-topic", "fmc::unknown-topic"]);
    assert_eq!(found[1]["range"]["start"], at(&broken, "sentnces", 0, 0));
    assert!(found[1]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `sentences`?"));
    assert_eq!(client.change(WORD_COUNT, 3, &text), Vec::<Value>::new());
    // A syntax error, then fixed again.
    let found = client.change(WORD_COUNT, 4, &text.replace("out words", "out words }"));
    assert_eq!(codes(&found), ["fmc::syntax"]);
    assert_eq!(client.change(WORD_COUNT, 5, &text), Vec::<Value>::new());
    // Closing clears them too.
    client.change(WORD_COUNT, 6, &broken);
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": WORD_COUNT } }),
    );
    loop {
        let m = client.next();
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_null() {
            assert_eq!(m["params"]["diagnostics"], json!([]));
            break;
        }
    }
    assert_eq!(client.stop(), 0);
}

#[test]
fn an_environments_finding_is_on_the_line_that_causes_it() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm")
        .replace("count { replicas 3 }", "count { replicas 0..3 }");
    let found = client.open(WORD_COUNT, &text);
    assert_eq!(codes(&found), ["fmc::replicas"], "{found:#?}");
    let line = found[0]["range"]["start"]["line"].clone();
    assert_eq!(line, at(&text, "count { replicas 0..3 }", 0, 0)["line"]);
    assert!(found[0]["message"]
        .as_str()
        .unwrap()
        .contains("(environment `prod`)"));
    assert_eq!(client.stop(), 0);
}

#[test]
fn positions_count_utf16_code_units() {
    let mut client = Client::started();
    let text =
        read("examples/word-count/mesh.fm").replace("in sentences", "/* 😀 é */ in sentnces");
    let found = client.open(WORD_COUNT, &text);
    assert_eq!(codes(&found), ["fmc::unread-topic", "fmc::unknown-topic"]);
    let start = at(&text, "sentnces", 0, 0);
    assert_eq!(found[1]["range"]["start"], start);
    // `/* 😀 é */ in ` is 13 UTF-16 units after the indentation (the emoji counts two).
    assert_eq!(start["character"], 4 + 14);
    assert_eq!(client.stop(), 0);
}

#[test]
fn secrets_are_masked_in_diagnostics() {
    let mut client = Client::started();
    let text = read("tests/broken/literal-secret.fm");
    let found = client.open("file:///secret.fm", &text);
    assert!(!found.is_empty());
    let everything = serde_json::to_string(&found).unwrap();
    for secret in ["hunter2", "s3cr3t", "changeme"] {
        if text.contains(secret) {
            assert!(
                !everything.contains(secret),
                "{secret} leaked: {everything}"
            );
        }
    }
    assert_eq!(client.stop(), 0);
}

#[test]
fn only_the_latest_of_quick_changes_is_analysed_and_published_last() {
    let mut client = Client::started();
    // Big enough that an analysis takes longer than the changes take to arrive.
    let text = fmc::synth::synth(fmc::synth::SynthOptions {
        steps: 1000,
        clusters: 2,
        envs: 1,
    });
    client.open(WORD_COUNT, &text);
    let broken = text.replacen("out p0-raw", "out p0-rav", 1);
    for version in 2..=30 {
        let t = if version == 30 { &text } else { &broken };
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": WORD_COUNT, "version": version }, "contentChanges": [{ "text": t }] }),
        );
    }
    let mut versions = Vec::new();
    loop {
        let m = client.next();
        if m["method"] == "textDocument/publishDiagnostics" {
            let v = m["params"]["version"].as_i64().unwrap();
            versions.push(v);
            if v == 30 {
                assert_eq!(m["params"]["diagnostics"], json!([]));
                break;
            }
        }
    }
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        versions.len() < 29,
        "every change was published: {versions:?}"
    );
    assert_eq!(client.stop(), 0);
}

// ---- hover

fn hover(client: &mut Client, uri: &str, position: Value) -> String {
    let result = client.call("textDocument/hover", doc_position(uri, position));
    result["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn hover_explains_statements_names_and_codes() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm");
    client.open(WORD_COUNT, &text);

    // A statement: its meaning and the field it sets, from the one table.
    let guarantee = hover(
        &mut client,
        WORD_COUNT,
        at(&text, "guarantee atleast-once", 0, 2),
    );
    assert!(guarantee.contains("processingGuarantee"), "{guarantee}");
    let broker = hover(&mut client, WORD_COUNT, at(&text, "broker", 0, 1));
    assert!(broker.contains("brokerServiceURL"), "{broker}");
    let security = hover(&mut client, WORD_COUNT, at(&text, "state\n", 0, 1));
    assert!(security.contains("statefulConfig"), "{security}");

    // A topic: full name, schema, cluster, writers and readers.
    let words = hover(&mut client, WORD_COUNT, at(&text, "in words", 0, 4));
    for expected in [
        "persistent://public/default/words",
        "schema: `string`",
        "cluster: `local`",
        "written by: `split`",
        "read by: `count`",
    ] {
        assert!(words.contains(expected), "{expected} not in {words}");
    }

    // A step: kind, runtime, cluster and its resource's name.
    let split = hover(&mut client, WORD_COUNT, at(&text, "function split", 0, 10));
    for expected in [
        "function `split`",
        "runtime: `java`",
        "cluster: `local`",
        "`word-count-split`",
    ] {
        assert!(split.contains(expected), "{expected} not in {split}");
    }

    // Inside an environment block: the step and the cluster it overrides.
    let in_env = hover(&mut client, WORD_COUNT, at(&text, "split { replicas", 0, 1));
    assert!(in_env.contains("`word-count-split`"), "{in_env}");
    let env_cluster = hover(&mut client, WORD_COUNT, at(&text, "cluster local {", 1, 9));
    assert!(
        env_cluster.contains("word-count-local-pulsar"),
        "{env_cluster}"
    );

    // A diagnostic: its code's explanation page.
    let broken = text.replace("in sentences", "in sentnces");
    client.change(WORD_COUNT, 2, &broken);
    let finding = hover(&mut client, WORD_COUNT, at(&broken, "sentnces", 0, 3));
    assert!(
        finding.contains(fmc::diag::explain::explanation(
            fmc::diag::Code::UnknownTopic
        )),
        "{finding}"
    );
    // A code written in a comment.
    let commented = broken.replace("// A linear", "// fmc::cycle A linear");
    client.change(WORD_COUNT, 3, &commented);
    let cycle = hover(&mut client, WORD_COUNT, at(&commented, "fmc::cycle", 0, 6));
    assert!(
        cycle.contains(fmc::diag::explain::explanation(fmc::diag::Code::Cycle)),
        "{cycle}"
    );
    assert_eq!(client.stop(), 0);
}

// ---- definition, references, rename

fn location_text<'a>(text: &'a str, location: &Value) -> &'a str {
    let lines: Vec<&str> = text.split('\n').collect();
    let start = &location["range"]["start"];
    let end = &location["range"]["end"];
    assert_eq!(start["line"], end["line"]);
    let line = lines[start["line"].as_u64().unwrap() as usize];
    &line
        [start["character"].as_u64().unwrap() as usize..end["character"].as_u64().unwrap() as usize]
}

#[test]
fn definition_and_references_reach_into_env_blocks_and_use_lists() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm").replace(
        "count { replicas 3 }",
        "count { use small-jvm; replicas 3 }",
    );
    client.open(WORD_COUNT, &text);

    // From a step override in an environment to the step.
    let definition = client.call(
        "textDocument/definition",
        doc_position(WORD_COUNT, at(&text, "count { use", 0, 2)),
    );
    assert_eq!(
        definition["range"]["start"],
        at(&text, "function count", 0, 9)
    );
    assert_eq!(location_text(&text, &definition), "count");
    // From `use` inside an environment to the defaults block.
    let definition = client.call(
        "textDocument/definition",
        doc_position(WORD_COUNT, at(&text, "use small-jvm; replicas", 0, 6)),
    );
    assert_eq!(
        definition["range"]["start"],
        at(&text, "defaults small-jvm", 0, 9)
    );
    // From a cluster override to the cluster.
    let definition = client.call(
        "textDocument/definition",
        doc_position(WORD_COUNT, at(&text, "cluster local", 1, 8)),
    );
    assert_eq!(
        definition["range"]["start"],
        at(&text, "cluster local", 0, 8)
    );
    // From a topic use to its declaration.
    let definition = client.call(
        "textDocument/definition",
        doc_position(WORD_COUNT, at(&text, "in counts", 0, 3)),
    );
    assert_eq!(
        definition["range"]["start"],
        at(&text, "topic counts", 0, 6)
    );
    // Nothing to go to on a keyword.
    let none = client.call(
        "textDocument/definition",
        doc_position(WORD_COUNT, at(&text, "replicas 1..8", 0, 1)),
    );
    assert_eq!(none, Value::Null);

    // Every use of the defaults block, in steps and in the environment.
    let references = client.call(
        "textDocument/references",
        json!({ "textDocument": { "uri": WORD_COUNT }, "position": at(&text, "use small-jvm", 0, 5), "context": { "includeDeclaration": true } }),
    );
    let references = references.as_array().unwrap();
    assert_eq!(references.len(), 5, "{references:#?}"); // declaration, 3 steps, 1 env override
    assert!(references
        .iter()
        .all(|r| location_text(&text, r) == "small-jvm"));
    let without = client.call(
        "textDocument/references",
        json!({ "textDocument": { "uri": WORD_COUNT }, "position": at(&text, "topic words", 0, 7), "context": { "includeDeclaration": false } }),
    );
    assert_eq!(without.as_array().unwrap().len(), 2); // split's out, count's in
    assert_eq!(client.stop(), 0);
}

fn rename(
    client: &mut Client,
    uri: &str,
    text: &str,
    position: Value,
    new_name: &str,
) -> Result<String, Value> {
    let response = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": position, "newName": new_name }),
    );
    if let Some(error) = response.get("error") {
        return Err(error.clone());
    }
    let edits = response["result"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(apply(text, &edits))
}

#[test]
fn rename_changes_every_use_and_refuses_clashes() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm").replace(
        "count { replicas 3 }",
        "count { use small-jvm; replicas 3 }",
    );
    client.open(WORD_COUNT, &text);

    // A defaults block: declaration, the `use` lists of steps and of the environment.
    let renamed = rename(
        &mut client,
        WORD_COUNT,
        &text,
        at(&text, "use small-jvm", 2, 6),
        "jvm-small",
    )
    .unwrap();
    assert_eq!(renamed, text.replace("small-jvm", "jvm-small"));
    // The result is still a clean mesh.
    assert_eq!(client.change(WORD_COUNT, 2, &renamed), Vec::<Value>::new());

    // A step, renamed from its override in the environment.
    let renamed = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "split {", 0, 0),
        "splitter",
    )
    .unwrap();
    assert!(
        renamed.contains("function splitter = java") && renamed.contains("splitter { replicas")
    );
    assert!(!renamed.contains("function split ") && !renamed.contains("split {"));
    client.change(WORD_COUNT, 3, &renamed);

    // A topic and a cluster.
    let renamed2 = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "out words", 0, 4),
        "tokens",
    )
    .unwrap();
    assert_eq!(renamed2.matches("tokens").count(), 3);
    let renamed3 = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "cluster local", 0, 9),
        "main",
    )
    .unwrap();
    assert_eq!(renamed3.matches("cluster main").count(), 2);

    // Clashes and bad names are refused with an error.
    let clash = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "out words", 0, 4),
        "counts",
    )
    .unwrap_err();
    assert!(
        clash["message"]
            .as_str()
            .unwrap()
            .contains("already declared"),
        "{clash}"
    );
    let clash = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "function count", 0, 10),
        "index",
    )
    .unwrap_err();
    assert!(
        clash["message"]
            .as_str()
            .unwrap()
            .contains("already declared"),
        "{clash}"
    );
    let bad = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "out words", 0, 4),
        "Not_A_Name",
    )
    .unwrap_err();
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("not a valid name"),
        "{bad}"
    );
    let nothing = rename(
        &mut client,
        WORD_COUNT,
        &renamed,
        at(&renamed, "replicas 1..8", 0, 2),
        "x",
    )
    .unwrap_err();
    assert!(nothing["message"].as_str().is_some());
    // prepareRename gives the name's range.
    let prepared = client.call(
        "textDocument/prepareRename",
        doc_position(WORD_COUNT, at(&renamed, "in sentences", 0, 5)),
    );
    assert_eq!(prepared["placeholder"], "sentences");
    assert_eq!(client.stop(), 0);
}

// ---- completion

/// The labels offered at `offset` of `text` (opened as a fresh version).
fn complete(client: &mut Client, version: &mut i64, text: &str, offset: usize) -> Vec<String> {
    *version += 1;
    client.change(WORD_COUNT, *version, text);
    let result = client.call(
        "textDocument/completion",
        doc_position(WORD_COUNT, position(text, offset)),
    );
    let items = match &result {
        Value::Array(items) => items.clone(),
        Value::Object(_) => result["items"].as_array().cloned().unwrap_or_default(),
        _ => Vec::new(),
    };
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

/// `text` with `insert` put right after the first `after`; the cursor at its end.
fn typed(text: &str, after: &str, insert: &str) -> (String, usize) {
    let at = text.find(after).unwrap_or_else(|| panic!("{after}")) + after.len();
    let mut out = text.to_owned();
    out.insert_str(at, insert);
    (out, at + insert.len())
}

fn has_all(offered: &[String], expected: &[&str]) {
    for e in expected {
        assert!(
            offered.iter().any(|o| o == e),
            "`{e}` not offered: {offered:?}"
        );
    }
}

#[test]
fn completion_offers_what_fits_where_the_cursor_is() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm");
    client.open(WORD_COUNT, &text);
    let mut v = 1;

    // Enumerations, from the checks' own lists.
    let (t, c) = typed(&text, "in sentences\n", "    guarantee ");
    let offered = complete(&mut client, &mut v, &t, c);
    assert_eq!(
        offered,
        fmc::model::words::GUARANTEES
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    for (keyword, words) in [
        ("position", fmc::model::words::POSITIONS),
        ("image-pull-policy", fmc::model::words::PULL_POLICIES),
        ("log-level", fmc::model::words::LOG_LEVELS),
        ("subscription-type", fmc::model::words::SUBSCRIPTION_TYPES),
    ] {
        let (t, c) = typed(&text, "in sentences\n", &format!("    {keyword} "));
        let offered = complete(&mut client, &mut v, &t, c);
        assert_eq!(
            offered,
            words.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{keyword}"
        );
    }
    // A prefix narrows them.
    let (t, c) = typed(&text, "in sentences\n", "    guarantee at");
    assert_eq!(
        complete(&mut client, &mut v, &t, c),
        ["atleast-once", "atmost-once"]
    );

    // Names where a name is expected.
    let (t, c) = typed(&text, "in sentences\n", "    in ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["sentences", "words", "counts", "pattern"],
    );
    let (t, c) = typed(&text, "in sentences\n", "    in words, c");
    assert_eq!(complete(&mut client, &mut v, &t, c), ["counts"]);
    let (t, c) = typed(&text, "in sentences\n", "    use ");
    assert_eq!(complete(&mut client, &mut v, &t, c), ["small-jvm"]);
    let (t, c) = typed(&text, "in sentences\n", "    cluster ");
    assert_eq!(complete(&mut client, &mut v, &t, c), ["local"]);
    let (t, c) = typed(
        &text,
        "pulsar-namespace \"default\"\n",
        "  default-cluster ",
    );
    assert_eq!(complete(&mut client, &mut v, &t, c), ["local"]);
    let (t, c) = typed(&text, "topic counts: json\n", "  topic extra: ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["json", "avro", "protobuf-native"],
    );

    // Statements of each block.
    let (t, c) = typed(&text, "in sentences\n", "    ");
    let step = complete(&mut client, &mut v, &t, c);
    has_all(
        &step,
        &[
            "image-pull-policy",
            "guarantee",
            "in pattern",
            "replicas",
            "security",
            "use",
        ],
    );
    assert!(
        !step.iter().any(|s| s == "broker" || s == "default-cluster"),
        "{step:?}"
    );
    let (t, c) = typed(&text, "guarantee atleast-once\n", "    log-");
    assert_eq!(
        complete(&mut client, &mut v, &t, c),
        [
            "log-topic",
            "log-level",
            "log-rotation",
            "log-format",
            "log-config-format",
            "log-config",
            "log-topic-agent"
        ]
    );
    let (t, c) = typed(&text, "cluster local {\n", "    ");
    let cluster = complete(&mut client, &mut v, &t, c);
    has_all(
        &cluster,
        &[
            "broker",
            "admin",
            "auth secret",
            "auth oauth2",
            "tls",
            "state",
            "name",
        ],
    );
    assert!(!cluster.iter().any(|s| s == "replicas"), "{cluster:?}");
    let (t, c) = typed(&text, "cluster local {\n", "    auth ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["secret", "oauth2", "generic"],
    );
    let (t, c) = typed(&text, "pulsar-namespace \"default\"\n", "  ");
    let mesh = complete(&mut client, &mut v, &t, c);
    has_all(
        &mesh,
        &[
            "namespace",
            "tenant",
            "default-cluster",
            "cluster",
            "topic",
            "external topic",
            "defaults",
            "function",
            "source",
            "sink",
            "env",
        ],
    );
    assert!(!mesh.iter().any(|s| s == "replicas"), "{mesh:?}");
    let (t, c) = typed(&text, "namespace \"streaming-prod\"\n", "    ");
    let env = complete(&mut client, &mut v, &t, c);
    has_all(
        &env,
        &[
            "namespace",
            "cluster",
            "split",
            "count",
            "generator",
            "index",
        ],
    );
    let (t, c) = typed(&text, "count { replicas 3", " ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["replicas", "use", "guarantee"],
    );
    let (t, c) = typed(&text, "autoscale cpu 80%\n", "    security { ");
    let security = complete(&mut client, &mut v, &t, c);
    assert_eq!(
        security,
        fmc::syntax::ast::Relaxation::WORDS
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    let (t, c) = typed(&text, "in sentences\n", "    autoscale ");
    assert_eq!(complete(&mut client, &mut v, &t, c), ["cpu", "memory"]);

    // Nothing inside strings and comments.
    let (t, c) = typed(&text, "image \"streamnative", "");
    assert!(complete(&mut client, &mut v, &t, c).is_empty());
    let (t, c) = typed(&text, "// A linear", "");
    assert!(complete(&mut client, &mut v, &t, c).is_empty());
    assert_eq!(client.stop(), 0);
}

// ---- outline, formatting, quick fixes

#[test]
fn document_symbols_outline_the_mesh() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm");
    client.open(WORD_COUNT, &text);
    let symbols = client.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": WORD_COUNT } }),
    );
    let mesh = &symbols[0];
    assert_eq!(mesh["name"], "word-count");
    let names: Vec<&str> = mesh["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "local",
            "sentences",
            "words",
            "counts",
            "small-jvm",
            "generator",
            "split",
            "count",
            "index",
            "prod"
        ]
    );
    let prod = mesh["children"].as_array().unwrap().last().unwrap();
    let overrides: Vec<&str> = prod["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(overrides, ["local", "split", "count"]);
    // Each range holds its selection range; a step's range is its whole block.
    let split = &mesh["children"][6];
    assert_eq!(split["range"]["start"], at(&text, "function split", 0, 0));
    assert_eq!(
        split["range"]["end"],
        at(
            &text,
            "autoscale cpu 80%\n  }",
            0,
            "autoscale cpu 80%\n  }".len()
        )
    );
    assert_eq!(
        split["selectionRange"]["start"],
        at(&text, "function split", 0, 9)
    );
    // A file that does not parse has no outline (rather than a wrong one).
    client.change(WORD_COUNT, 2, &text.replace("out words", "out words }"));
    let none = client.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": WORD_COUNT } }),
    );
    assert_eq!(none, Value::Null);
    assert_eq!(client.stop(), 0);
}

#[test]
fn formatting_is_fmc_fmt_and_refused_on_broken_files() {
    let mut client = Client::started();
    let text = read("examples/word-count/mesh.fm");
    client.open(WORD_COUNT, &text);
    let params = json!({ "textDocument": { "uri": WORD_COUNT }, "options": { "tabSize": 2, "insertSpaces": true } });
    // Already formatted: nothing to change.
    assert_eq!(
        client.call("textDocument/formatting", params.clone()),
        json!([])
    );
    let messy = text
        .replace("  topic words: string\n", "topic   words :string;\n\n\n")
        .replace("    out words\n", "        out words\n");
    client.change(WORD_COUNT, 2, &messy);
    let edits = client.call("textDocument/formatting", params.clone());
    let formatted = apply(&messy, edits.as_array().unwrap());
    let expected =
        fmc::format::format(&fmc::diag::SourceFile::new("mesh.fm", messy.as_str())).unwrap();
    assert_eq!(formatted, expected);
    client.change(WORD_COUNT, 3, &text.replace("out words", "out words }"));
    assert_eq!(client.call("textDocument/formatting", params), Value::Null);
    assert_eq!(client.stop(), 0);
}

#[test]
fn every_suggestion_has_a_quick_fix() {
    let mut client = Client::started();
    let original = read("examples/word-count/mesh.fm");
    client.open(WORD_COUNT, &original);
    let mut version = 1;
    // Each typo alone (a name that does not resolve stops the checks after it).
    for (right, wrong) in [
        ("in sentences", "in sentnces"),
        (
            "use small-jvm\n    package \"function",
            "use smal-jvm\n    package \"function",
        ),
        ("guarantee atleast-once", "guarantee atleast-onse"),
        ("count { replicas 3 }", "cont { replicas 3 }"),
        (
            "cluster local {\n      broker",
            "cluster locl {\n      broker",
        ),
        (
            "autoscale cpu 80%",
            "autoscale cpu 80%\n    security { run-as-rot }",
        ),
    ] {
        let text = original.replacen(right, wrong, 1);
        assert_ne!(text, original);
        version += 1;
        let found = client.change(WORD_COUNT, version, &text);
        let with_help: Vec<&Value> = found
            .iter()
            .filter(|d| d["message"].as_str().unwrap().contains("did you mean"))
            .collect();
        assert_eq!(with_help.len(), 1, "{wrong}: {found:#?}");
        let d = with_help[0];
        let actions = client.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": WORD_COUNT }, "range": d["range"], "context": { "diagnostics": [d] } }),
        );
        let actions = actions.as_array().unwrap();
        assert_eq!(actions.len(), 1, "{actions:#?}");
        assert_eq!(actions[0]["kind"], "quickfix");
        let edits = actions[0]["edit"]["changes"][WORD_COUNT]
            .as_array()
            .unwrap();
        let fixed = apply(&text, edits);
        let expected = if wrong.contains("run-as-rot") {
            original.replacen(right, "autoscale cpu 80%\n    security { run-as-root }", 1)
        } else {
            original.clone()
        };
        assert_eq!(fixed, expected, "{wrong}");
    }
    // No quick fix where there is no suggestion.
    version += 1;
    client.change(WORD_COUNT, version, &original);
    let actions = client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": WORD_COUNT }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 1 } }, "context": { "diagnostics": [] } }),
    );
    assert_eq!(actions, json!([]));
    assert_eq!(client.stop(), 0);
}

// ---- the statement table against the grammar and the docs

/// The grammar's rules: name → body (comments dropped).
fn grammar_rules() -> std::collections::HashMap<String, String> {
    let grammar = read("grammar/mesh.pest");
    let text: String = grammar
        .lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut rules = std::collections::HashMap::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(eq) = text[i..].find(" = ") {
        let eq = i + eq;
        let name = text[..eq]
            .trim_end()
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_owned();
        let Some(open) = text[eq..].find('{') else {
            break;
        };
        let open = eq + open;
        // The matching brace, skipping quoted strings.
        let (mut depth, mut j, mut quoted) = (0, open, false);
        while j < bytes.len() {
            match bytes[j] {
                b'\\' if quoted => j += 1,
                b'"' => quoted = !quoted,
                b'{' if !quoted => depth += 1,
                b'}' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        rules.insert(name, text[open + 1..j].trim().to_owned());
        i = j + 1;
    }
    rules
}

/// The keyword text of a `k_…` rule.
fn keyword(rules: &std::collections::HashMap<String, String>, rule: &str) -> String {
    let body = &rules[rule];
    body.split('"')
        .nth(1)
        .unwrap_or_else(|| panic!("{rule}: {body}"))
        .to_owned()
}

/// The statements (their leading keywords) of a block rule such as `step_stmt`.
fn statements_of(rules: &std::collections::HashMap<String, String>, block: &str) -> Vec<String> {
    let mut out = Vec::new();
    for alternative in rules[block].split('|').map(str::trim) {
        let body = rules
            .get(alternative)
            .unwrap_or_else(|| panic!("no rule `{alternative}` in {:?}", rules.keys()));
        let mut words: Vec<Vec<String>> = vec![Vec::new()];
        for (position, token) in body.split('~').map(str::trim).enumerate() {
            let (name, optional) = match token.strip_suffix('?') {
                Some(n) => (n, true),
                None => (token, false),
            };
            let alternatives: Vec<String> = if name.starts_with("k_") {
                vec![keyword(rules, name)]
            } else if position == 0
                && rules
                    .get(name)
                    .is_some_and(|b| b.split('|').all(|a| a.trim().starts_with("k_")))
            {
                // `step_kind ~ …`, `topic_modifier? ~ k_topic …`: a choice of keywords first.
                rules[name]
                    .split('|')
                    .map(|a| keyword(rules, a.trim()))
                    .collect()
            } else {
                break;
            };
            let mut next = Vec::new();
            for prefix in &words {
                if optional {
                    next.push(prefix.clone());
                }
                for a in &alternatives {
                    let mut p = prefix.clone();
                    p.push(a.clone());
                    next.push(p);
                }
            }
            words = next;
        }
        out.extend(
            words
                .into_iter()
                .filter(|w| !w.is_empty())
                .map(|w| w.join(" ")),
        );
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_statement_table_matches_the_grammar() {
    use fmc::language::{statements_in, Block};
    let rules = grammar_rules();
    for (block, rule) in [
        (Block::Mesh, "mesh_item"),
        (Block::Cluster, "cluster_stmt"),
        (Block::Step, "step_stmt"),
        (Block::Env, "env_item"),
    ] {
        let grammar = statements_of(&rules, rule);
        let mut table: Vec<String> = statements_in(block).map(|s| s.keyword.to_owned()).collect();
        table.sort();
        assert_eq!(table, grammar, "{block:?} ({rule})");
    }
    // The nested blocks' rules list their keywords inline (`(k_length | k_slide) ~ measure`):
    // every keyword the rule names is a statement of the block, and nothing else is.
    for (block, rule) in [
        (Block::Window, "window_field"),
        (Block::Vpa, "vpa_field"),
        (Block::VpaContainer, "vpa_container"),
        (Block::Producer, "producer_field"),
        (Block::VolumeClaim, "claim_field"),
    ] {
        let mut grammar: Vec<String> = rules[rule]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("k_"))
            .map(|k| keyword(&rules, k))
            .collect();
        grammar.sort();
        grammar.dedup();
        let mut table: Vec<String> = statements_in(block).map(|s| s.keyword.to_owned()).collect();
        table.sort();
        assert_eq!(table, grammar, "{block:?} ({rule})");
    }
    let mut security: Vec<&str> = statements_in(Block::Security).map(|s| s.keyword).collect();
    let mut words = fmc::syntax::ast::Relaxation::WORDS.to_vec();
    security.sort();
    words.sort();
    assert_eq!(security, words);
    let mut kinds: Vec<String> = rules["schema_kind"]
        .split('|')
        .map(|k| keyword(&rules, k.trim()))
        .collect();
    kinds.sort();
    let mut table: Vec<&str> = fmc::language::SCHEMA_KINDS.to_vec();
    table.sort();
    assert_eq!(table, kinds);
    let runtimes: Vec<String> = rules["runtime"]
        .split('|')
        .map(|k| keyword(&rules, k.trim()))
        .collect();
    assert_eq!(fmc::language::RUNTIMES, runtimes);
}

#[test]
fn the_docs_describe_every_statement_of_the_table() {
    let readme = read("README.md");
    let design = read("docs/design.md");
    for s in fmc::language::STATEMENTS {
        let first = s.keyword.split(' ').next_back().unwrap_or(s.keyword);
        let written = format!("`{}", s.keyword);
        let as_word = |text: &str, word: &str| {
            text.match_indices(word).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + word.len()..].chars().next();
                let edge = |c: Option<char>| {
                    !c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                };
                edge(before) && edge(after)
            })
        };
        assert!(
            readme.contains(&written)
                || readme.contains(&format!("`{first}"))
                || as_word(&readme, s.keyword),
            "README.md does not document `{}`",
            s.keyword
        );
        if s.blocks.contains(&fmc::language::Block::Step) && !s.field.is_empty() {
            assert!(
                design.contains(&written),
                "docs/design.md does not document `{}`",
                s.keyword
            );
        }
    }
}

/// The statements that replaced `spec { … }`, `auth generic` and the generic runtime are in
/// the one table: hover says the field each sets, completion offers their words.
#[test]
fn the_newer_statements_have_hover_and_completion() {
    let mut client = Client::started();
    let text = read("tests/statements/everything.fm");
    client.open(WORD_COUNT, &text);
    for (needle, field) in [
        ("window {", "windowConfig"),
        ("vpa {", "pod.vpa"),
        ("auth generic", "genericAuth"),
        ("producer {", "output.producerConf"),
        ("volume-claim scratch", "volumeClaimTemplates"),
        ("forward-properties true", "forwardSourceMessageProperty"),
        ("max-pending-async", "maxPendingAsyncRequests"),
        ("log-topic-agent", "logTopicAgent"),
        ("builtin-autoscale cpu", "pod.builtinAutoscaler"),
        ("log-rotation daily", "rotatePolicy"),
    ] {
        let shown = hover(&mut client, WORD_COUNT, at(&text, needle, 0, 1));
        assert!(shown.contains(field), "{needle}: {shown}");
    }
    let mut v = 1;
    let (t, c) = typed(&text, "guarantee manual\n", "    log-rotation ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["daily", "weekly", "size-10mb"],
    );
    let (t, c) = typed(&text, "guarantee manual\n", "    log-topic-agent ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["runtime", "sidecar"],
    );
    let (t, c) = typed(&text, "guarantee manual\n", "    max-pend");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["max-pending-async"],
    );
}

/// Inside `window { … }`, `vpa { … }` (and its `container` blocks), `producer { … }` and
/// `volume-claim NAME { … }`, completion offers that block's own statements and words, not the
/// step's; hover explains them with the field they set.
#[test]
fn nested_blocks_complete_and_explain_their_own_statements() {
    let mut client = Client::started();
    let text = read("tests/statements/everything.fm");
    client.open(WORD_COUNT, &text);
    for (needle, field) in [
        ("slide 10s", "slidingIntervalDurationMs"),
        ("late-data late", "lateDataTopic"),
        ("min-replicas 2", "updatePolicy.minReplicas"),
        ("controls cpu", "controlledResources"),
    ] {
        let shown = hover(&mut client, WORD_COUNT, at(&text, needle, 0, 1));
        assert!(shown.contains(field), "{needle}: {shown}");
    }
    let mut v = 1;
    let (t, c) = typed(&text, "    window {\n", "      ");
    let offered = complete(&mut client, &mut v, &t, c);
    has_all(
        &offered,
        &["length", "slide", "late-data", "max-lag", "guarantee"],
    );
    assert!(
        !offered.iter().any(|o| o == "in" || o == "replicas"),
        "{offered:?}"
    );
    let (t, c) = typed(&text, "    window {\n", "      guarantee ");
    let offered = complete(&mut client, &mut v, &t, c);
    has_all(&offered, &["atleast-once", "atmost-once"]);
    assert!(!offered.iter().any(|o| o == "manual"), "{offered:?}");
    let (t, c) = typed(&text, "      update auto\n", "      ");
    let offered = complete(&mut client, &mut v, &t, c);
    has_all(&offered, &["update", "min-replicas", "container"]);
    assert!(!offered.iter().any(|o| o == "mode"), "{offered:?}");
    let (t, c) = typed(&text, "        mode auto\n", "        ");
    has_all(
        &complete(&mut client, &mut v, &t, c),
        &["mode", "min", "max", "controls", "values"],
    );
}
