//! The answers: one function per LSP method, each from the document's current text.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_server::ErrorCode;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionOptions,
    CompletionParams, CompletionResponse, CompletionTextEdit, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentFormattingParams,
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeResult, Location, MarkupContent, MarkupKind, OneOf, Position, PrepareRenameResponse,
    Range, ReferenceParams, RenameOptions, RenameParams, ServerCapabilities, ServerInfo,
    SymbolKind as LspSymbolKind, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Url, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::context::{self, Frame};
use super::index::{Index, Occurrence, SymbolKind};
use super::text::{apply_change, LineIndex};
use super::worker::{self, Analysis};
use super::{lock, Document, Failure, Shared};
use crate::diag::{explain, SourceFile, Span};
use crate::language::{self, Block};
use crate::lexer::{tokens, Kind};
use crate::syntax::ast::{MeshItem, Relaxation, TopicKind};

pub fn initialize_result() -> Value {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into(), ",".into(), ":".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..Default::default()
    };
    let result = InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "fmc".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    serde_json::to_value(result).unwrap_or(Value::Null)
}

/// What a notification did to the documents.
pub enum Touched {
    Changed(Url),
    Closed(Url),
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Failure> {
    serde_json::from_value(value)
        .map_err(|e| Failure::new(ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

pub fn notification(
    shared: &Shared,
    notification: lsp_server::Notification,
) -> Result<Option<Touched>, String> {
    let bad = |e: Failure| format!("{}: {}", notification.method, e.message);
    match notification.method.as_str() {
        "textDocument/didOpen" => {
            let p: DidOpenTextDocumentParams = params(notification.params.clone()).map_err(bad)?;
            let uri = p.text_document.uri;
            let mut documents = lock(&shared.documents);
            let generation = documents.get(&uri).map_or(0, |d| d.generation + 1);
            documents.insert(
                uri.clone(),
                Document {
                    version: p.text_document.version,
                    text: Arc::new(p.text_document.text),
                    generation,
                },
            );
            Ok(Some(Touched::Changed(uri)))
        }
        "textDocument/didChange" => {
            let p: DidChangeTextDocumentParams =
                params(notification.params.clone()).map_err(bad)?;
            let uri = p.text_document.uri;
            let mut documents = lock(&shared.documents);
            let Some(document) = documents.get_mut(&uri) else {
                return Err(format!("didChange for {uri}, which is not open"));
            };
            let mut text = document.text.as_str().to_owned();
            for change in p.content_changes {
                apply_change(&mut text, change.range, &change.text);
            }
            document.text = Arc::new(text);
            document.version = p.text_document.version;
            document.generation += 1;
            Ok(Some(Touched::Changed(uri)))
        }
        "textDocument/didClose" => {
            let p: DidCloseTextDocumentParams = params(notification.params.clone()).map_err(bad)?;
            let uri = p.text_document.uri;
            lock(&shared.documents).remove(&uri);
            lock(&shared.analyses).remove(&uri);
            lock(&shared.indexes).remove(&uri);
            Ok(Some(Touched::Closed(uri)))
        }
        _ => Ok(None),
    }
}

fn json<T: serde::Serialize>(result: Result<T, Failure>) -> Result<Value, Failure> {
    result.and_then(|v| {
        serde_json::to_value(v).map_err(|e| Failure::new(ErrorCode::InternalError, e.to_string()))
    })
}

pub fn handle(shared: &Shared, method: &str, value: Value) -> Result<Value, Failure> {
    match method {
        "textDocument/hover" => json(hover(shared, params(value)?)),
        "textDocument/definition" => json(definition(shared, params(value)?)),
        "textDocument/references" => json(references(shared, params(value)?)),
        "textDocument/prepareRename" => json(prepare_rename(shared, params(value)?)),
        "textDocument/rename" => json(rename(shared, params(value)?)),
        "textDocument/completion" => json(completion(shared, params(value)?)),
        "textDocument/documentSymbol" => json(document_symbols(shared, params(value)?)),
        "textDocument/formatting" => json(formatting(shared, params(value)?)),
        "textDocument/codeAction" => json(code_actions(shared, params(value)?)),
        _ => Err(Failure::new(
            ErrorCode::MethodNotFound,
            format!("unknown method `{method}`"),
        )),
    }
}

/// An open document, or the error a request about another one gets.
fn document(shared: &Shared, uri: &Url) -> Result<Document, Failure> {
    shared.document(uri).ok_or_else(|| {
        Failure::new(
            ErrorCode::InvalidParams,
            format!("{uri} is not open (send textDocument/didOpen first)"),
        )
    })
}

/// The document's name index at its current text, parsed now unless the worker has.
fn index(shared: &Shared, uri: &Url, document: &Document) -> Arc<Option<Index>> {
    if let Some((generation, index)) = lock(&shared.indexes).get(uri) {
        if *generation == document.generation {
            return Arc::clone(index);
        }
    }
    let index = Arc::new(worker::index(uri, document));
    lock(&shared.indexes).insert(uri.clone(), (document.generation, Arc::clone(&index)));
    index
}

/// The document's diagnostics at its current text, once the worker has published them.
/// Never computed here: a request must not wait for a whole analysis (nor hold up the
/// changes queued behind it); until the worker is done, there is nothing to add.
fn analysis(shared: &Shared, uri: &Url, document: &Document) -> Option<Arc<Analysis>> {
    lock(&shared.analyses)
        .get(uri)
        .filter(|a| a.generation == document.generation)
        .cloned()
}

struct At {
    uri: Url,
    document: Document,
    lines: LineIndex,
    offset: usize,
}

fn at(shared: &Shared, position: &TextDocumentPositionParams) -> Result<At, Failure> {
    let uri = position.text_document.uri.clone();
    let document = document(shared, &uri)?;
    let lines = LineIndex::new(&document.text);
    let offset = lines.offset(&document.text, position.position);
    Ok(At {
        uri,
        document,
        lines,
        offset,
    })
}

impl At {
    fn range(&self, span: Span) -> Range {
        self.lines.range(&self.document.text, span)
    }

    fn location(&self, span: Span) -> Location {
        Location::new(self.uri.clone(), self.range(span))
    }
}

// ---- hover

fn hover(shared: &Shared, p: HoverParams) -> Result<Option<Hover>, Failure> {
    let at = at(shared, &p.text_document_position_params)?;
    let text = at.document.text.as_str();
    let mut parts: Vec<String> = Vec::new();
    let mut range = None;
    let index = index(shared, &at.uri, &at.document);
    if let Some(index) = index.as_ref() {
        if let Some(o) = index.at(at.offset) {
            parts.push(describe_symbol(index, o));
            range = Some(at.range(o.span));
        }
    }
    if parts.is_empty() {
        if let Some((token, next)) = context::token_at(text, at.offset) {
            let span = Span::new(token.start, token.start + token.text.len());
            if let Some(code) = code_in(token.text, token.start, at.offset) {
                parts.push(explain::explanation(code).to_owned());
                range = Some(at.range(span));
            } else if token.kind == Kind::Word {
                let block = match context::at(text, token.start).frame {
                    Frame::Statements(block) => Some(block),
                    _ => None,
                };
                let second = next.filter(|n| n.kind == Kind::Word).map(|n| n.text);
                if let Some(statement) =
                    block.and_then(|b| language::statement(b, token.text, second))
                {
                    parts.push(describe_statement(statement));
                    range = Some(at.range(span));
                }
            }
        }
    }
    // The explanation of each finding under the cursor.
    let analysis = analysis(shared, &at.uri, &at.document);
    let mut codes = Vec::new();
    for published in analysis.iter().flat_map(|a| &a.published) {
        let r = published.diagnostic.range;
        let start = at.lines.offset(text, r.start);
        let end = at.lines.offset(text, r.end);
        if start <= at.offset && at.offset <= end && !codes.contains(&published.code) {
            codes.push(published.code);
        }
    }
    for code in codes {
        parts.push(format!(
            "**{}**: {}\n\n{}",
            code.as_str(),
            code.summary(),
            explain::explanation(code)
        ));
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range,
    }))
}

/// A diagnostic code (`fmc::unknown-topic`) written in `word` (a comment, say) under the cursor.
fn code_in(word: &str, start: usize, offset: usize) -> Option<crate::diag::Code> {
    let mut from = 0;
    while let Some(i) = word[from..].find("fmc::") {
        let begin = from + i;
        let len = word[begin + 5..]
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()))
            .map_or(word.len() - begin, |n| n + 5);
        let end = begin + len;
        if start + begin <= offset && offset <= start + end {
            return explain::parse_code(&word[begin..end]);
        }
        from = end.max(begin + 5);
    }
    None
}

fn describe_statement(s: &language::Statement) -> String {
    let mut out = format!("```\n{}\n```\n\n{}", s.syntax, s.meaning);
    if !s.field.is_empty() {
        out.push_str(&format!("\n\nFunction Mesh: `{}`", s.field));
    }
    let blocks: Vec<&str> = s.blocks.iter().map(|b| b.describe()).collect();
    out.push_str(&format!("\n\nIn: {}", blocks.join("; ")));
    out
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn describe_symbol(index: &Index, o: &Occurrence) -> String {
    let mesh = &index.mesh.name.value;
    match o.kind {
        SymbolKind::Topic => {
            let Some(topic) = index.topic(&o.name) else {
                return format!("topic `{}` (not declared)", o.name);
            };
            let kind = match topic.kind {
                TopicKind::Internal => "topic",
                TopicKind::External => "external topic",
                TopicKind::Feedback => "feedback topic",
            };
            let mut writers = Vec::new();
            let mut readers = Vec::new();
            let mut clusters = Vec::new();
            for step in index.steps() {
                let facts = index.step_facts(step);
                if let Some(how) = facts.writes(&o.name) {
                    writers.push(if how == "out" {
                        step.name.value.clone()
                    } else {
                        format!("{} ({how})", step.name.value)
                    });
                    clusters.extend(facts.cluster.clone());
                }
                if facts.reads(&o.name) {
                    readers.push(step.name.value.clone());
                    clusters.extend(facts.cluster.clone());
                }
            }
            let cluster = match &topic.cluster {
                Some(c) => format!("`{}` (declared `on`)", c.value),
                None => match clusters.first() {
                    Some(c) => format!("`{c}` (its steps')"),
                    None => "none yet (no step uses it)".to_owned(),
                },
            };
            format!(
                "**{kind} `{}`**\n\n- full name: `{}`\n- schema: `{}`\n- cluster: {cluster}\n- written by: {}\n- read by: {}",
                o.name,
                index.full_topic_name(topic),
                crate::passes::describe_schema(&topic.schema.value),
                list(&writers),
                list(&readers),
            )
        }
        SymbolKind::Step => {
            let Some(step) = index.step(&o.name) else {
                return format!("step `{}` (not declared)", o.name);
            };
            let facts = index.step_facts(step);
            let class = step
                .class
                .as_ref()
                .map(|c| format!("\n- class: `{}`", c.value))
                .unwrap_or_default();
            format!(
                "**{} `{}`**\n\n- runtime: `{}`{class}\n- cluster: {}\n- resource: `{mesh}-{}` (spec.{}[] of FunctionMesh `{mesh}`; a {} with --split)\n- reads: {}\n- writes: {}",
                step.kind.value.word(),
                o.name,
                step.runtime.value.word(),
                facts.cluster.map_or_else(|| "not set".to_owned(), |c| format!("`{c}`")),
                o.name,
                step.kind.value.plural(),
                step.kind.value.kind(),
                list(&facts.inputs.unwrap_or_default()),
                list(&[facts.output, facts.log_topic, facts.dead_letter].into_iter().flatten().collect::<Vec<_>>()),
            )
        }
        SymbolKind::Cluster => {
            let steps: Vec<String> = index
                .steps()
                .filter(|s| index.step_facts(s).cluster.as_deref() == Some(o.name.as_str()))
                .map(|s| s.name.value.clone())
                .collect();
            let declared = index.definition(SymbolKind::Cluster, &o.name).is_some();
            format!(
                "**cluster `{}`**{}\n\n- ConfigMap: `{mesh}-{}-pulsar` (brokerServiceURL, webServiceURL), each step's `pulsar.pulsarConfig`\n- steps on it: {}",
                o.name,
                if declared { "" } else { " (not declared)" },
                o.name,
                list(&steps),
            )
        }
        SymbolKind::Defaults => {
            let users: Vec<String> = index
                .occurrences_of(SymbolKind::Defaults, &o.name)
                .filter(|u| !u.definition)
                .filter_map(|u| user_of(index, u.span))
                .collect();
            format!(
                "**defaults `{}`**\n\nsettings shared by the blocks that `use {}`: {}",
                o.name,
                o.name,
                list(&users)
            )
        }
        SymbolKind::Env => {
            let overrides: Vec<String> = index
                .mesh
                .items
                .iter()
                .find_map(|i| match i {
                    MeshItem::Env(e) if e.name.value == o.name => Some(
                        e.clusters
                            .iter()
                            .map(|c| format!("cluster {}", c.name.value))
                            .chain(e.steps.iter().map(|(n, _)| n.value.clone()))
                            .collect(),
                    ),
                    _ => None,
                })
                .unwrap_or_default();
            format!(
                "**environment `{}`**\n\n- overlay: `out/overlays/{}/`\n- overrides: {}",
                o.name,
                o.name,
                list(&overrides)
            )
        }
    }
}

/// The step or defaults block whose body contains `span`.
fn user_of(index: &Index, span: Span) -> Option<String> {
    for item in &index.mesh.items {
        let (name, body) = match item {
            MeshItem::Step(s) => (&s.name.value, &s.body),
            MeshItem::Defaults(d) => (&d.name.value, &d.body),
            MeshItem::Env(e) => {
                for (step, body) in &e.steps {
                    if body
                        .iter()
                        .any(|s| s.span.start <= span.start && span.end <= s.span.end)
                    {
                        return Some(format!("{} (environment {})", step.value, e.name.value));
                    }
                }
                continue;
            }
            _ => continue,
        };
        if body
            .iter()
            .any(|s| s.span.start <= span.start && span.end <= s.span.end)
        {
            return Some(name.clone());
        }
    }
    None
}

// ---- definition, references, rename

fn occurrence_at(index: &Option<Index>, offset: usize) -> Option<(&Index, &Occurrence)> {
    let index = index.as_ref()?;
    index.at(offset).map(|o| (index, o))
}

fn definition(
    shared: &Shared,
    p: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>, Failure> {
    let at = at(shared, &p.text_document_position_params)?;
    let index = index(shared, &at.uri, &at.document);
    let Some((index, o)) = occurrence_at(&index, at.offset) else {
        return Ok(None);
    };
    Ok(index
        .definition(o.kind, &o.name)
        .map(|d| GotoDefinitionResponse::Scalar(at.location(d.span))))
}

fn references(shared: &Shared, p: ReferenceParams) -> Result<Option<Vec<Location>>, Failure> {
    let at = at(shared, &p.text_document_position)?;
    let index = index(shared, &at.uri, &at.document);
    let Some((index, o)) = occurrence_at(&index, at.offset) else {
        return Ok(None);
    };
    Ok(Some(
        index
            .occurrences_of(o.kind, &o.name)
            .filter(|r| p.context.include_declaration || !r.definition)
            .map(|r| at.location(r.span))
            .collect(),
    ))
}

fn prepare_rename(
    shared: &Shared,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, Failure> {
    let at = at(shared, &p)?;
    let index = index(shared, &at.uri, &at.document);
    let Some((_, o)) = occurrence_at(&index, at.offset) else {
        return Ok(None);
    };
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: at.range(o.span),
        placeholder: o.name.clone(),
    }))
}

/// A name the grammar accepts: kebab-case, starting with a letter.
fn is_identifier(name: &str) -> bool {
    let mut parts = name.split('-');
    let first_ok = parts.next().is_some_and(|first| {
        first.starts_with(|c: char| c.is_ascii_lowercase())
            && first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    first_ok
        && parts.all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn rename(shared: &Shared, p: RenameParams) -> Result<Option<WorkspaceEdit>, Failure> {
    let at = at(shared, &p.text_document_position)?;
    let index = index(shared, &at.uri, &at.document);
    let refuse = |m: String| Err(Failure::new(ErrorCode::RequestFailed, m));
    let Some(index) = index.as_ref() else {
        return refuse("the file does not parse: fix its syntax before renaming".to_owned());
    };
    let Some(o) = index.at(at.offset) else {
        return refuse(
            "there is no cluster, topic, defaults block, step or environment name here".to_owned(),
        );
    };
    let new = p.new_name.trim();
    if !is_identifier(new) {
        return refuse(format!(
            "`{new}` is not a valid name: lower-case letters, digits and single dashes, starting with a letter"
        ));
    }
    if new == o.name {
        return Ok(Some(WorkspaceEdit::default()));
    }
    if index.definition(o.kind, new).is_some() {
        return refuse(format!(
            "a {} named `{new}` is already declared; renaming `{}` would clash with it",
            o.kind.word(),
            o.name
        ));
    }
    let mut spans: Vec<Span> = index
        .occurrences_of(o.kind, &o.name)
        .map(|r| r.span)
        .collect();
    spans.sort();
    spans.dedup();
    // The renamed text must still parse (a name that is also a keyword can change the meaning).
    let mut renamed = at.document.text.as_str().to_owned();
    for span in spans.iter().rev() {
        renamed.replace_range(span.start..span.end, new);
    }
    if crate::syntax::parse(&SourceFile::new("rename", renamed)).is_err() {
        return refuse(format!("`{new}` cannot stand where `{}` does", o.name));
    }
    let edits = spans
        .iter()
        .map(|&span| TextEdit::new(at.range(span), new.to_owned()))
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(HashMap::from([(at.uri.clone(), edits)])),
        ..Default::default()
    }))
}

// ---- completion

/// Names declared in `text`, read from the tokens (the text need not parse).
fn declared_names(text: &str) -> HashMap<SymbolKind, Vec<String>> {
    let words: Vec<_> = tokens(text)
        .into_iter()
        .filter(|t| !t.is_comment())
        .collect();
    let mut names: HashMap<SymbolKind, Vec<String>> = HashMap::new();
    for pair in words.windows(3) {
        let (head, name, after) = (&pair[0], &pair[1], &pair[2]);
        if head.kind != Kind::Word || name.kind != Kind::Word {
            continue;
        }
        let kind = match (head.text, after.text) {
            ("topic", _) => SymbolKind::Topic,
            ("cluster", "{") => SymbolKind::Cluster,
            ("defaults", "{") => SymbolKind::Defaults,
            ("function" | "source" | "sink", "=") => SymbolKind::Step,
            _ => continue,
        };
        if !is_identifier(name.text) {
            continue;
        }
        let list = names.entry(kind).or_default();
        if !list.iter().any(|n| n == name.text) {
            list.push(name.text.to_owned());
        }
    }
    names
}

fn completion(shared: &Shared, p: CompletionParams) -> Result<Option<CompletionResponse>, Failure> {
    let at = at(shared, &p.text_document_position)?;
    let text = at.document.text.as_str();
    let cx = context::at(text, at.offset);
    if cx.in_literal {
        return Ok(None);
    }
    let names = declared_names(text);
    let names_of = |kind| names.get(&kind).cloned().unwrap_or_default();
    let mut items: Vec<(String, CompletionItemKind, String)> = Vec::new();
    let mut add_words = |words: &[&str], kind, detail: &str| {
        for w in words {
            items.push(((*w).to_owned(), kind, detail.to_owned()));
        }
    };
    let prev = cx.back(0).unwrap_or("");
    let block = match cx.frame {
        Frame::Statements(b) => Some(b),
        _ => None,
    };
    let mut statements = false;
    match block {
        Some(Block::Mesh) => match prev {
            "default-cluster" | "on" => add_words(
                &refs(&names_of(SymbolKind::Cluster)),
                CompletionItemKind::MODULE,
                "cluster",
            ),
            ":" if cx.back(2) == Some("topic") || cx.back(4) == Some("topic") => add_words(
                language::SCHEMA_KINDS,
                CompletionItemKind::ENUM_MEMBER,
                "schema",
            ),
            "=" if matches!(cx.back(2), Some("function" | "source" | "sink")) => add_words(
                language::RUNTIMES,
                CompletionItemKind::ENUM_MEMBER,
                "runtime",
            ),
            "external" | "feedback" => add_words(&["topic"], CompletionItemKind::KEYWORD, ""),
            "cluster" | "topic" | "defaults" | "function" | "source" | "sink" | "env" => {}
            _ => statements = true,
        },
        Some(Block::Env) => match prev {
            "cluster" => add_words(
                &refs(&names_of(SymbolKind::Cluster)),
                CompletionItemKind::MODULE,
                "cluster",
            ),
            _ => {
                statements = true;
                add_words(
                    &refs(&names_of(SymbolKind::Step)),
                    CompletionItemKind::FUNCTION,
                    "override this step",
                );
            }
        },
        Some(Block::Cluster) => match prev {
            "auth" => add_words(
                &["secret", "oauth2", "generic"],
                CompletionItemKind::KEYWORD,
                "",
            ),
            "tls" => add_words(&["secret"], CompletionItemKind::KEYWORD, ""),
            _ => statements = true,
        },
        Some(Block::Step) => {
            let head = cx.list_head();
            if let Some(words) = language::enum_words(prev) {
                add_words(words, CompletionItemKind::ENUM_MEMBER, prev);
            } else if prev == "in" {
                add_words(
                    &refs(&names_of(SymbolKind::Topic)),
                    CompletionItemKind::VARIABLE,
                    "topic",
                );
                add_words(
                    &["pattern"],
                    CompletionItemKind::KEYWORD,
                    "read a topic pattern",
                );
            } else if matches!(prev, "out" | "log-topic" | "dead-letter")
                || (prev == "," && head == Some("in"))
            {
                add_words(
                    &refs(&names_of(SymbolKind::Topic)),
                    CompletionItemKind::VARIABLE,
                    "topic",
                );
            } else if prev == "use" || (prev == "," && head == Some("use")) {
                add_words(
                    &refs(&names_of(SymbolKind::Defaults)),
                    CompletionItemKind::MODULE,
                    "defaults block",
                );
            } else if prev == "cluster" {
                add_words(
                    &refs(&names_of(SymbolKind::Cluster)),
                    CompletionItemKind::MODULE,
                    "cluster",
                );
            } else {
                statements = true;
                // `resources cpu 1 |` may go on with the other resource.
                if matches!(head, Some("resources" | "requests" | "limits")) {
                    add_words(
                        &["cpu", "memory"],
                        CompletionItemKind::ENUM_MEMBER,
                        "resource",
                    );
                }
            }
        }
        Some(
            b @ (Block::Window
            | Block::Vpa
            | Block::VpaContainer
            | Block::Producer
            | Block::VolumeClaim),
        ) => {
            if let Some(words) = language::enum_words_in(b, prev) {
                add_words(words, CompletionItemKind::ENUM_MEMBER, prev);
            } else if prev == "late-data" {
                add_words(
                    &refs(&names_of(SymbolKind::Topic)),
                    CompletionItemKind::VARIABLE,
                    "topic",
                );
            } else {
                statements = true;
            }
        }
        Some(Block::Security) => {
            if prev == "no-limits" || cx.list_head() == Some("no-limits") {
                add_words(
                    &["cpu", "memory"],
                    CompletionItemKind::ENUM_MEMBER,
                    "resource",
                );
            }
            add_words(Relaxation::WORDS, CompletionItemKind::KEYWORD, "relaxation");
        }
        None => {
            if cx.frame == Frame::Top && cx.before.is_empty() {
                add_words(&["mesh"], CompletionItemKind::KEYWORD, "the mesh");
            }
        }
    }
    if statements {
        if let Some(block) = block {
            for s in language::statements_in(block) {
                items.push((
                    s.keyword.to_owned(),
                    CompletionItemKind::KEYWORD,
                    s.meaning.to_owned(),
                ));
            }
        }
    }
    let replace = Range::new(
        at.lines.position(text, cx.prefix_start),
        at.lines.position(text, at.offset.max(cx.prefix_start)),
    );
    let mut seen = Vec::new();
    let items: Vec<CompletionItem> = items
        .into_iter()
        .filter(|(label, _, _)| label.starts_with(cx.prefix))
        .filter(|(label, _, _)| {
            let new = !seen.contains(label);
            seen.push(label.clone());
            new
        })
        .map(|(label, kind, detail)| {
            let documentation = block
                .and_then(|b| {
                    let mut words = label.split(' ');
                    let first = words.next().unwrap_or("");
                    language::statement(b, first, words.next())
                })
                .filter(|s| s.keyword == label)
                .map(|s| {
                    lsp_types::Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: describe_statement(s),
                    })
                });
            CompletionItem {
                label: label.clone(),
                kind: Some(kind),
                detail: (!detail.is_empty()).then_some(detail),
                documentation,
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(replace, label))),
                ..Default::default()
            }
        })
        .collect();
    Ok(Some(CompletionResponse::Array(items)))
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

// ---- outline

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be spelt out
fn symbol(
    name: &str,
    detail: String,
    kind: LspSymbolKind,
    range: Range,
    selection: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: name.to_owned(),
        detail: Some(detail),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!children.is_empty()).then_some(children),
    }
}

/// The whole statement a declared name stands in: from the word(s) before it to the end
/// of its block (`{ … }`), or to `end` for a statement without one.
fn extent(text: &str, name: Span, heads: usize, block: bool, end: usize) -> Span {
    let all: Vec<_> = tokens(text)
        .into_iter()
        .filter(|t| !t.is_comment())
        .collect();
    let Some(i) = all.iter().position(|t| t.start == name.start) else {
        return name;
    };
    let start = if heads == 0 {
        name.start
    } else {
        all.get(i.saturating_sub(heads))
            .map_or(name.start, |t| t.start)
    };
    if !block {
        return Span::new(start, end.max(name.end));
    }
    let mut depth = 0usize;
    for t in &all[i..] {
        match t.kind {
            Kind::Punct('{') => depth += 1,
            Kind::Punct('}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Span::new(start, t.start + 1);
                }
            }
            _ => {}
        }
    }
    Span::new(start, text.len())
}

fn document_symbols(
    shared: &Shared,
    p: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>, Failure> {
    let uri = p.text_document.uri;
    let document = document(shared, &uri)?;
    let index = index(shared, &uri, &document);
    let Some(index) = index.as_ref() else {
        return Ok(None);
    };
    let text = document.text.as_str();
    let lines = LineIndex::new(text);
    let range = |s: Span| lines.range(text, s);
    let mut out = Vec::new();
    for item in &index.mesh.items {
        match item {
            MeshItem::Cluster(c) => out.push(symbol(
                &c.name.value,
                "cluster".into(),
                LspSymbolKind::NAMESPACE,
                range(extent(text, c.name.span, 1, true, 0)),
                range(c.name.span),
                Vec::new(),
            )),
            MeshItem::Topic(t) => {
                let heads = if t.kind == TopicKind::Internal { 1 } else { 2 };
                let end = t.cluster.as_ref().map_or(t.schema.span.end, |c| c.span.end);
                out.push(symbol(
                    &t.name.value,
                    crate::passes::describe_schema(&t.schema.value),
                    LspSymbolKind::EVENT,
                    range(extent(text, t.name.span, heads, false, end)),
                    range(t.name.span),
                    Vec::new(),
                ));
            }
            MeshItem::Defaults(d) => out.push(symbol(
                &d.name.value,
                "defaults".into(),
                LspSymbolKind::OBJECT,
                range(extent(text, d.name.span, 1, true, 0)),
                range(d.name.span),
                Vec::new(),
            )),
            MeshItem::Step(s) => out.push(symbol(
                &s.name.value,
                format!("{} {}", s.kind.value.word(), s.runtime.value.word()),
                LspSymbolKind::FUNCTION,
                range(extent(text, s.name.span, 1, true, 0)),
                range(s.name.span),
                Vec::new(),
            )),
            MeshItem::Env(e) => {
                let children = e
                    .clusters
                    .iter()
                    .map(|c| {
                        symbol(
                            &c.name.value,
                            "cluster override".into(),
                            LspSymbolKind::NAMESPACE,
                            range(extent(text, c.name.span, 1, true, 0)),
                            range(c.name.span),
                            Vec::new(),
                        )
                    })
                    .chain(e.steps.iter().map(|(name, _)| {
                        symbol(
                            &name.value,
                            "step override".into(),
                            LspSymbolKind::FUNCTION,
                            range(extent(text, name.span, 0, true, 0)),
                            range(name.span),
                            Vec::new(),
                        )
                    }))
                    .collect();
                out.push(symbol(
                    &e.name.value,
                    "environment".into(),
                    LspSymbolKind::MODULE,
                    range(extent(text, e.name.span, 1, true, 0)),
                    range(e.name.span),
                    children,
                ));
            }
            _ => {}
        }
    }
    let mesh = &index.mesh.name;
    let whole = symbol(
        &mesh.value,
        "mesh".into(),
        LspSymbolKind::PACKAGE,
        range(extent(text, mesh.span, 1, true, 0)),
        range(mesh.span),
        out,
    );
    Ok(Some(DocumentSymbolResponse::Nested(vec![whole])))
}

// ---- formatting and quick fixes

fn formatting(
    shared: &Shared,
    p: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>, Failure> {
    let uri = p.text_document.uri;
    let document = document(shared, &uri)?;
    let text = document.text.as_str();
    let file = SourceFile::new(worker::file_name(&uri), text);
    // A file that does not parse is not formatted: no edit.
    let Ok(formatted) = crate::format::format(&file) else {
        return Ok(None);
    };
    if formatted == text {
        return Ok(Some(Vec::new()));
    }
    let lines = LineIndex::new(text);
    let whole = Range::new(Position::new(0, 0), lines.position(text, text.len()));
    Ok(Some(vec![TextEdit::new(whole, formatted)]))
}

fn code_actions(
    shared: &Shared,
    p: CodeActionParams,
) -> Result<Option<Vec<CodeActionOrCommand>>, Failure> {
    let uri = p.text_document.uri;
    let document = document(shared, &uri)?;
    let analysis = analysis(shared, &uri, &document);
    let overlaps = |r: &Range| !(r.end < p.range.start || p.range.end < r.start);
    let actions = analysis
        .iter()
        .flat_map(|a| &a.published)
        .filter(|d| overlaps(&d.diagnostic.range))
        .filter_map(|d| {
            let fix = d.fix.as_ref()?;
            let edit = TextEdit::new(d.diagnostic.range, fix.clone());
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Change to `{fix}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            }))
        })
        .collect();
    Ok(Some(actions))
}
