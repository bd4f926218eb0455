//! `fmc lsp`: a Language Server Protocol server on stdio.
//!
//! Three threads besides the transport's: the main loop answers every request from the
//! documents' current text (requests never wait for an analysis); the analysis worker runs
//! `pipeline::check` on the newest version of each changed document and publishes its
//! diagnostics. Changes coalesce: the worker takes every queued change at once, analyses
//! each document's latest text only, and drops a result whose document changed meanwhile.

mod context;
mod convert;
mod features;
mod index;
mod text;
mod transport;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crossbeam_channel::Sender;
use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::Url;
use serde_json::Value;

pub use text::LineIndex;
use transport::{Incoming, Outgoing};

/// One open document.
#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub version: i32,
    pub text: Arc<String>,
    /// Bumped on every change; results computed for an older generation are stale.
    pub generation: u64,
}

/// A generation of a document and its name index (`None`: it does not parse).
pub(crate) type Indexed = (u64, Arc<Option<index::Index>>);

/// What the main loop and the worker share.
#[derive(Default)]
pub(crate) struct Shared {
    documents: Mutex<HashMap<Url, Document>>,
    /// Per document: the generation analysed last and what was found.
    analyses: Mutex<HashMap<Url, Arc<worker::Analysis>>>,
    /// Per document: the generation parsed last and its name index (`None`: it does not parse).
    indexes: Mutex<HashMap<Url, Indexed>>,
}

/// Locks a mutex, even one a panicking thread left poisoned: the maps stay consistent
/// (each update is a single insert or remove).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn document(&self, uri: &Url) -> Option<Document> {
        lock(&self.documents).get(uri).cloned()
    }

    pub fn generation(&self, uri: &Url) -> Option<u64> {
        lock(&self.documents).get(uri).map(|d| d.generation)
    }
}

/// An error answer to a request.
pub(crate) struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

#[derive(PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShuttingDown,
}

/// Runs the server until `exit`; the process's exit code (0 after `shutdown`, 1 otherwise).
pub fn run() -> u8 {
    let (incoming, outgoing, threads) = match transport::stdio() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("fmc lsp: cannot start: {e}");
            return 2;
        }
    };
    let shared = Arc::new(Shared::default());
    let (jobs, job_queue) = crossbeam_channel::unbounded::<Url>();
    {
        let shared = Arc::clone(&shared);
        let outgoing = outgoing.clone();
        if let Err(e) = std::thread::Builder::new()
            .name("lsp-analysis".into())
            .spawn(move || worker::run(&shared, &job_queue, &outgoing))
        {
            eprintln!("fmc lsp: cannot start the analysis thread: {e}");
            return 2;
        }
    }
    let mut server = Server {
        shared,
        outgoing,
        jobs,
        phase: Phase::Uninitialized,
    };
    let mut code = 1;
    for message in incoming {
        match message {
            Incoming::Malformed { id, code, message } => {
                server.send(Outgoing::Error { id, code, message });
            }
            Incoming::Message(Message::Request(request)) => server.request(request),
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => {
                code = if server.phase == Phase::ShuttingDown {
                    0
                } else {
                    1
                };
                break;
            }
            Incoming::Message(Message::Notification(n)) => server.notification(n),
            Incoming::Message(Message::Response(_)) => {}
        }
    }
    let Server { outgoing, jobs, .. } = server;
    drop(jobs);
    drop(outgoing);
    // The worker holds a sender too; the writer ends once it has gone, or at process exit.
    let _ = threads.writer.join();
    code
}

struct Server {
    shared: Arc<Shared>,
    outgoing: Sender<Outgoing>,
    jobs: Sender<Url>,
    phase: Phase,
}

impl Server {
    fn send(&self, message: impl Into<Outgoing>) {
        // The writer ends only when stdout is gone; nothing is left to tell then.
        let _ = self.outgoing.send(message.into());
    }

    fn respond(&self, id: lsp_server::RequestId, result: Result<Value, Failure>) {
        let response = match result {
            Ok(value) => Response {
                id,
                result: Some(value),
                error: None,
            },
            Err(failure) => Response::new_err(id, failure.code as i32, failure.message),
        };
        self.send(Message::Response(response));
    }

    fn request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        let result = match (&self.phase, method.as_str()) {
            (Phase::Uninitialized, "initialize") => {
                self.phase = Phase::Running;
                Ok(features::initialize_result())
            }
            (Phase::Uninitialized, _) => Err(Failure::new(
                ErrorCode::ServerNotInitialized,
                "the server has not been initialized",
            )),
            (Phase::ShuttingDown, _) => Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            )),
            (Phase::Running, "initialize") => Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is already initialized",
            )),
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShuttingDown;
                Ok(Value::Null)
            }
            (Phase::Running, _) => {
                let shared = &self.shared;
                // A bug in one handler answers that request with an error; the server lives on.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    features::handle(shared, &method, params)
                }))
                .unwrap_or_else(|_| {
                    Err(Failure::new(
                        ErrorCode::InternalError,
                        format!("fmc lsp failed on `{method}` (a bug: please report it)"),
                    ))
                })
            }
        };
        self.respond(id, result);
    }

    fn notification(&mut self, notification: Notification) {
        if self.phase != Phase::Running {
            return;
        }
        let touched = match features::notification(&self.shared, notification) {
            Ok(touched) => touched,
            Err(message) => {
                // A notification has no answer: say it in the client's log.
                self.send(Message::Notification(Notification::new(
                    "window/logMessage".to_owned(),
                    lsp_types::LogMessageParams {
                        typ: lsp_types::MessageType::WARNING,
                        message,
                    },
                )));
                None
            }
        };
        match touched {
            Some(features::Touched::Changed(uri)) => {
                let _ = self.jobs.send(uri);
            }
            Some(features::Touched::Closed(uri)) => {
                self.send(Message::Notification(Notification::new(
                    "textDocument/publishDiagnostics".to_owned(),
                    lsp_types::PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    },
                )));
            }
            None => {}
        }
    }
}
