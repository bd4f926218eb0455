//! Rendering diagnostics for people (miette's graphical report) and for editors (JSON lines).

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;

use super::excerpt::IndexedText;
use super::{Code, Diagnostic, LineCol, Severity, SourceFile, Span};

/// A diagnostic bound to its source text, in the shape miette renders.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<IndexedText>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.inner().len();
        Some(Box::new(self.diagnostic.labels.iter().enumerate().map(
            move |(i, label)| {
                let start = label.span.start.min(len);
                let end = label.span.end.clamp(start, len);
                let text = (!label.text.is_empty()).then(|| label.text.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, (start, end - start))
                } else {
                    LabeledSpan::new_with_span(text, (start, end - start))
                }
            },
        )))
    }
}

/// Human-readable reports. `plain` gives a fixed-width, colourless rendering (for snapshots
/// and for terminals that are not TTYs).
pub fn render_human(file: &SourceFile, diagnostics: &[Diagnostic], plain: bool) -> String {
    let handler = if plain {
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100)
    } else {
        GraphicalReportHandler::new()
    };
    if diagnostics.is_empty() {
        return String::new();
    }
    // Every excerpt shows the text with every secret masked: a report about one line may show
    // a neighbouring line holding another credential.
    let mut spans: Vec<Span> = diagnostics
        .iter()
        .flat_map(|d| d.redact.iter().copied())
        .collect();
    spans.extend(secret_spans(&file.text));
    // Shared by every report (cloning it clones two `Arc`s): thousands of warnings on a
    // large file must not copy or rescan it each time.
    let text = IndexedText::new(redacted(&file.text, &spans));
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report {
            diagnostic,
            source: NamedSource::new(&file.name, text.clone()),
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String cannot fail for I/O reasons; fall back to one line.
            out.push_str(&format!("{}: {}\n", diagnostic.code, diagnostic.message));
        }
        out.push('\n');
    }
    out
}

/// The spans of every credential-looking string of `text` (`secrets::secret_ranges`): what an
/// editor must mask as `render_human` does.
pub fn secret_spans(text: &str) -> Vec<Span> {
    crate::secrets::secret_ranges(text)
        .map(|r| Span::new(r.start, r.end))
        .collect()
}

/// The text with each span replaced by `*`, byte for byte, so offsets stay valid.
fn redacted(text: &str, spans: &[Span]) -> String {
    if spans.is_empty() {
        return text.to_owned();
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let end = span.end.min(bytes.len());
        for b in &mut bytes[span.start.min(end)..end] {
            *b = b'*';
        }
    }
    // Masking may split a multi-byte character at a span edge; such bytes become '?'.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[derive(Serialize)]
struct JsonSpan {
    offset: usize,
    length: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonLabel {
    label: String,
    span: JsonSpan,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    span: JsonSpan,
    labels: Vec<JsonLabel>,
    help: Option<&'a str>,
}

fn json_span(file: &SourceFile, span: Span) -> JsonSpan {
    let LineCol { line, column } = file.line_col(span.start);
    let end = file.line_col(span.end);
    JsonSpan {
        offset: span.start,
        length: span.end.saturating_sub(span.start),
        line,
        column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// One JSON object per line, for editors (`--message-format json`).
pub fn render_json(file: &SourceFile, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let json = JsonDiagnostic {
            code: d.code.as_str(),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: &d.message,
            file: &file.name,
            span: json_span(file, d.span()),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    label: l.text.clone(),
                    span: json_span(file, l.span),
                })
                .collect(),
            help: d.help.as_deref(),
        };
        // Serialising plain strings and numbers cannot fail.
        if let Ok(line) = serde_json::to_string(&json) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// A problem with a file as a whole (it cannot be read, or written), as one JSON line in the
/// same shape as every other diagnostic, so an editor reading `--message-format json` never
/// meets a line it cannot parse. It points at the file's start: there is no text to point into.
pub fn render_json_unlocated(code: Code, file: &str, message: &str) -> String {
    render_json_unlocated_as(code, Severity::Error, file, message)
}

/// As [`render_json_unlocated`], with the severity given (`fmc import`'s warnings are about
/// a YAML input, not a mesh text to point into).
pub fn render_json_unlocated_as(
    code: Code,
    severity: Severity,
    file: &str,
    message: &str,
) -> String {
    let start = JsonSpan {
        offset: 0,
        length: 0,
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    };
    let json = JsonDiagnostic {
        code: code.as_str(),
        severity: match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message,
        file,
        span: start,
        labels: Vec::new(),
        help: None,
    };
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string(&json).map_or_else(|_| String::new(), |line| line + "\n")
}
