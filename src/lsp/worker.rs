//! The analysis thread: checks the newest text of changed documents and publishes what it
//! finds, then indexes the names for the requests that follow.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Message, Notification};
use lsp_types::{PublishDiagnosticsParams, Url};

use super::convert::{self, Published};
use super::index::Index;
use super::transport::Outgoing;
use super::{lock, Document, Shared};
use crate::diag::SourceFile;

/// What one analysis of one generation of a document found.
#[derive(Debug)]
pub struct Analysis {
    pub generation: u64,
    pub published: Vec<Published>,
}

/// The file name diagnostics are computed under: the URI's last path segment.
pub fn file_name(uri: &Url) -> String {
    uri.path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| uri.to_string())
}

/// Checks one generation of a document (on whichever thread needs it).
pub fn analyse(uri: &Url, document: &Document) -> Analysis {
    let file = SourceFile::new(file_name(uri), document.text.as_str());
    let found = if file.text.len() > crate::syntax::MAX_FILE_BYTES {
        // As `fmc check` refuses it, before reading.
        vec![crate::diag::Diagnostic::error(
            crate::diag::Code::FileTooLarge,
            crate::diag::Span::new(0, 0),
            format!(
                "the file is {} bytes; mesh files are limited to {} bytes",
                file.text.len(),
                crate::syntax::MAX_FILE_BYTES
            ),
        )]
    } else {
        crate::pipeline::check(&file).1.into_sorted()
    };
    Analysis {
        generation: document.generation,
        published: convert::diagnostics(uri, &file, &found),
    }
}

/// Parses and indexes one generation of a document.
pub fn index(uri: &Url, document: &Document) -> Option<Index> {
    if document.text.len() > crate::syntax::MAX_FILE_BYTES {
        return None;
    }
    let file = SourceFile::new(file_name(uri), document.text.as_str());
    crate::syntax::parse(&file).ok().map(Index::new)
}

pub fn run(shared: &Shared, jobs: &Receiver<Url>, outgoing: &Sender<Outgoing>) {
    while let Ok(first) = jobs.recv() {
        // Everything queued meanwhile: each document is analysed once, at its newest text.
        let mut pending = vec![first];
        for uri in jobs.try_iter() {
            if !pending.contains(&uri) {
                pending.push(uri);
            }
        }
        for uri in &pending {
            let Some(document) = shared.document(uri) else {
                continue;
            };
            let analysis = match std::panic::catch_unwind(|| analyse(uri, &document)) {
                Ok(a) => a,
                Err(_) => {
                    eprintln!("fmc lsp: the analysis of {uri} failed (a bug: please report it)");
                    continue;
                }
            };
            // A newer text is waiting (its job is queued): this result is stale, drop it.
            if shared.generation(uri) != Some(document.generation) {
                continue;
            }
            let params = PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics: analysis
                    .published
                    .iter()
                    .map(|p| p.diagnostic.clone())
                    .collect(),
                version: Some(document.version),
            };
            lock(&shared.analyses).insert(uri.clone(), Arc::new(analysis));
            let notification =
                Notification::new("textDocument/publishDiagnostics".to_owned(), params);
            if outgoing
                .send(Message::Notification(notification).into())
                .is_err()
            {
                return;
            }
        }
        // Idle: index what was analysed, so hover and definition find it ready.
        if jobs.is_empty() {
            for uri in &pending {
                let Some(document) = shared.document(uri) else {
                    continue;
                };
                let fresh = lock(&shared.indexes)
                    .get(uri)
                    .is_some_and(|(g, _)| *g == document.generation);
                if !fresh {
                    if let Ok(index) = std::panic::catch_unwind(|| index(uri, &document)) {
                        lock(&shared.indexes)
                            .insert(uri.clone(), (document.generation, Arc::new(index)));
                    }
                }
            }
        }
    }
}
