//! Rules of the newer step statements that need more than one value at a time: a window's
//! length and slide, and which statements a kind of step or runtime can use at all.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::statements::WindowSize;
use crate::model::Step;
use crate::syntax::ast::{Runtime, StepKind};

pub fn check(steps: &[&Step], diagnostics: &mut Diagnostics) {
    for &step in steps {
        check_window(step, diagnostics);
        check_fits(step, diagnostics);
    }
}

fn check_window(step: &Step, diagnostics: &mut Diagnostics) {
    let Some(window) = &step.settings.window else {
        return;
    };
    let Some(length) = &window.value.length else {
        diagnostics.push(
            Diagnostic::error(Code::Window, window.span, "the window has no `length`")
                .primary("window without a length")
                .help("add `length 100` (messages) or `length 1m` (a duration)"),
        );
        return;
    };
    let Some(slide) = &window.value.slide else {
        return;
    };
    match (length.value, slide.value) {
        (WindowSize::Count(_), WindowSize::DurationMs(_))
        | (WindowSize::DurationMs(_), WindowSize::Count(_)) => diagnostics.push(
            Diagnostic::error(
                Code::Window,
                slide.span,
                "the window is measured one way and slides another",
            )
            .primary(format!("slides by {}", slide.value.describe()))
            .label(length.span, format!("{} long", length.value.describe()))
            .help("give the length and the slide both as counts (`100`) or both as durations (`30s`)"),
        ),
        (WindowSize::Count(l), WindowSize::Count(s))
        | (WindowSize::DurationMs(l), WindowSize::DurationMs(s))
            if s > l =>
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::Window,
                    slide.span,
                    "the window slides by more than its length",
                )
                .primary(format!("slides by {}", slide.value.describe()))
                .label(length.span, format!("{} long", length.value.describe()))
                .help("messages between two windows would never be seen: slide by at most the length (equal to it is a tumbling window)"),
            )
        }
        _ => {}
    }
}

/// Statements a kind of step or runtime has no field for.
fn check_fits(step: &Step, diagnostics: &mut Diagnostics) {
    let s = &step.settings;
    let kind = step.kind.value;
    let runtime = step.runtime.value;
    let mut refuse = |span: Span, statement: &str, why: String| {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                span,
                format!("`{statement}` does not apply to step `{}`", step.name.value),
            )
            .primary(why),
        )
    };
    let function_only = [
        ("window", s.window.as_ref().map(|w| w.span)),
        (
            "max-pending-async",
            s.max_pending_async.as_ref().map(|m| m.span),
        ),
        ("volume-claim", s.volume_claims.first().map(|c| c.span)),
    ];
    if kind != StepKind::Function {
        for (statement, span) in function_only {
            if let Some(span) = span {
                refuse(
                    span,
                    statement,
                    format!("only functions have it, not a {}", kind.word()),
                );
            }
        }
    }
    if kind == StepKind::Sink {
        let output_only = [
            (
                "forward-properties",
                s.forward_properties.as_ref().map(|f| f.span),
            ),
            ("producer", s.producer.as_ref().map(|p| p.span)),
        ];
        for (statement, span) in output_only {
            if let Some(span) = span {
                refuse(span, statement, "a sink writes no topic".into());
            }
        }
    }
    if runtime.generic_language().is_some() {
        let log = [
            ("log-level", s.log_level.as_ref().map(|l| l.span)),
            ("log-rotation", s.log_rotation.as_ref().map(|l| l.span)),
            ("log-format", s.log_format.as_ref().map(|l| l.span)),
            ("log-config", s.log_config.as_ref().map(|l| l.span)),
        ];
        for (statement, span) in log {
            if let Some(span) = span {
                refuse(
                    span,
                    statement,
                    format!("the {} runtime has no log settings", runtime.word()),
                );
            }
        }
    }
    if let Some(format) = &s.log_config_format {
        if !matches!(runtime, Runtime::Java | Runtime::Connector) {
            refuse(
                format.span,
                "log-config-format",
                "only the Java runtime reads a log4j configuration".into(),
            );
        }
    }
}
