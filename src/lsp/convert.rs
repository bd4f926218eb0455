//! The compiler's diagnostics as LSP diagnostics: the same code, message, spans, labels and
//! help as `fmc check`, positions in UTF-16, credential-looking values masked.

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Url,
};

use super::text::LineIndex;
use crate::diag::{secret_spans, Diagnostic, Severity, SourceFile};

/// One published diagnostic and, when its help suggests a name, that name.
#[derive(Clone, Debug)]
pub struct Published {
    pub diagnostic: LspDiagnostic,
    pub code: crate::diag::Code,
    pub fix: Option<String>,
}

/// The suggestion of a "did you mean `x`?" help.
pub fn suggestion(help: &str) -> Option<String> {
    let rest = help.split("did you mean `").nth(1)?;
    let name = rest.split('`').next()?;
    (!name.is_empty()).then(|| name.to_owned())
}

pub fn diagnostics(uri: &Url, file: &SourceFile, found: &[Diagnostic]) -> Vec<Published> {
    if found.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(&file.text);
    let text = &file.text;
    // Every value that looks like a credential, and every span a finding asks to hide: no
    // message, label or help may repeat one (they should not; this makes sure).
    let mut secrets: Vec<&str> = secret_spans(text)
        .into_iter()
        .chain(found.iter().flat_map(|d| d.redact.iter().copied()))
        .filter_map(|s| text.get(s.start..s.end))
        .map(|s| s.trim_matches('"'))
        .filter(|s| s.len() >= 4)
        .collect();
    secrets.sort_unstable();
    secrets.dedup();
    let mask = |s: &str| -> String {
        let mut out = s.to_owned();
        for secret in &secrets {
            if out.contains(secret) {
                out = out.replace(secret, "****");
            }
        }
        out
    };
    found
        .iter()
        .map(|d| {
            let mut message = mask(&d.message);
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(&mask(help));
            }
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .filter(|l| !l.text.is_empty())
                .map(|l| DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), index.range(text, l.span)),
                    message: mask(&l.text),
                })
                .collect();
            let diagnostic = LspDiagnostic {
                range: index.range(text, d.span()),
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.as_str().to_owned())),
                code_description: None,
                source: Some("fmc".to_owned()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: None,
            };
            Published {
                diagnostic,
                code: d.code,
                fix: d.help.as_deref().and_then(suggestion),
            }
        })
        .collect()
}
