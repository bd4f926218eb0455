//! JSON-RPC over stdio with `Content-Length` framing. lsp-server's own stdio transport stops
//! its reader thread at the first frame that is not valid JSON, which would end the server;
//! this one answers such a frame with a JSON-RPC error (`id: null`) and reads on. Messages are
//! lsp-server's types, written with its framing.

use std::io::{self, BufRead, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};

/// What the reader hands the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that could not be read as a message: answered with an error.
    Malformed {
        id: Value,
        code: ErrorCode,
        message: String,
    },
}

/// What the writer writes.
#[derive(Debug)]
pub enum Outgoing {
    Message(Message),
    /// An error response whose request id is unknown or not a valid id (`null` then).
    Error {
        id: Value,
        code: ErrorCode,
        message: String,
    },
}

impl From<Message> for Outgoing {
    fn from(message: Message) -> Self {
        Outgoing::Message(message)
    }
}

pub struct Threads {
    pub writer: thread::JoinHandle<()>,
}

/// Starts the reader (stdin) and writer (stdout) threads.
pub fn stdio() -> io::Result<(Receiver<Incoming>, Sender<Outgoing>, Threads)> {
    let (in_tx, in_rx) = crossbeam_channel::unbounded();
    let (out_tx, out_rx) = crossbeam_channel::unbounded::<Outgoing>();
    thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || read_loop(&mut io::stdin().lock(), &in_tx))?;
    let writer = thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            for message in out_rx {
                let mut out = stdout.lock();
                if write(&mut out, &message).is_err() {
                    break;
                }
            }
        })?;
    Ok((in_rx, out_tx, Threads { writer }))
}

fn write(out: &mut impl Write, message: &Outgoing) -> io::Result<()> {
    match message {
        Outgoing::Message(m) => m.write(out),
        Outgoing::Error { id, code, message } => {
            let text = json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": { "code": *code as i32, "message": message },
            })
            .to_string();
            write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
            out.flush()
        }
    }
}

/// Reads frames until stdin ends (or the main loop is gone).
pub fn read_loop(input: &mut impl BufRead, to_main: &Sender<Incoming>) {
    loop {
        let incoming = match read_frame(input) {
            Ok(Some(Ok(body))) => parse(&body),
            Ok(Some(Err(why))) => Incoming::Malformed {
                id: Value::Null,
                code: ErrorCode::ParseError,
                message: why,
            },
            Ok(None) | Err(_) => return,
        };
        if to_main.send(incoming).is_err() {
            return;
        }
    }
}

/// Largest message accepted: a mesh file is at most 8 MiB, JSON escaping may double it.
const MAX_FRAME: usize = 64 * 1024 * 1024;

/// One frame's body; `Ok(None)` at the end of input; `Ok(Some(Err))` for a frame whose
/// header is unusable (its body, if any, is skipped up to the next header).
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = String::new();
    let mut read_any = false;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if read_any {
                break;
            }
            continue;
        }
        read_any = true;
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length header: {value:?}")),
                );
            }
        }
    }
    let length = match length {
        Some(Ok(n)) if n <= MAX_FRAME => n,
        Some(Ok(n)) => return Ok(Some(Err(format!("message of {n} bytes is too large")))),
        Some(Err(why)) => return Ok(Some(Err(why))),
        None => return Ok(Some(Err("no Content-Length header".to_owned()))),
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(Ok(body)))
}

fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Malformed {
                id: Value::Null,
                code: ErrorCode::ParseError,
                message: format!("not JSON: {e}"),
            }
        }
    };
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_i64())
        .cloned()
        .unwrap_or(Value::Null);
    let has = |key: &str| value.get(key).is_some();
    // A request has a method; a response a result or an error. Anything else is neither,
    // even if serde would read it as a response (whose other fields are optional).
    if !has("method") && !has("result") && !has("error") {
        return Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            message: "not a JSON-RPC request, response or notification: no method".to_owned(),
        };
    }
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            message: format!("not a JSON-RPC request, response or notification: {e}"),
        },
    }
}
