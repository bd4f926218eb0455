//! The source text as miette reads it for excerpts, answered from a line index. miette's own
//! text source finds a span's lines by scanning from the start of the file, once per report:
//! on a large mesh with thousands of warnings that took a minute.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Text shared by every report of a run, with the offsets where its lines start.
#[derive(Clone, Debug)]
pub(crate) struct IndexedText {
    text: Arc<str>,
    line_starts: Arc<[usize]>,
    /// A `\r` that does not start `\r\n` ends a line for miette but not for the index; with
    /// one in the text, every excerpt is miette's own full scan.
    lone_carriage_return: bool,
}

impl IndexedText {
    pub(crate) fn new(text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let lone_carriage_return = text
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\r' && w[1] != b'\n')
            || text.ends_with('\r');
        IndexedText {
            text: text.into(),
            line_starts,
            lone_carriage_return,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }
}

impl SourceCode for IndexedText {
    /// miette's scan, started a line before the first line it will show instead of at the
    /// beginning of the file. Its state at the start of a line is the number of lines before
    /// it, plus whether it has reached the span, which for an empty span happens one
    /// character early: possibly on the line before. Starting one line earlier still, and
    /// adding the skipped lines back, gives exactly its answer.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        let line = self
            .line_starts
            .partition_point(|&start| start <= span.offset())
            .saturating_sub(1);
        let first = line.saturating_sub(context_lines_before + 1);
        if first == 0 || self.lone_carriage_return || span.offset() > bytes.len() {
            return bytes.read_span(span, context_lines_before, context_lines_after);
        }
        let start = self.line_starts[first];
        let window = &bytes[start..];
        let shifted = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&shifted, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines ending in `\n` or `\r\n` (the windowed path), and now and then a lone `\r`
    /// (miette's own scan).
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => Just("\n".to_owned()),
                2 => Just("\r\n".to_owned()),
                4 => "[a-z é]{0,6}",
            ],
            0..40,
        )
        .prop_flat_map(|parts| {
            let text = parts.concat();
            let len = text.len();
            (Just(text), proptest::option::weighted(0.1, 0..=len))
        })
        .prop_map(|(mut text, lone_cr)| {
            if let Some(at) = lone_cr.filter(|&at| text.is_char_boundary(at)) {
                text.insert(at, '\r');
            }
            text
        })
    }

    #[test]
    fn an_empty_span_after_an_empty_line() {
        // Found by the property below: miette reaches an empty span one character early, on
        // the line before it.
        let text = "a\nb\nc\n\n\nd\ne\nf\n".to_owned();
        let span = SourceSpan::new(6.into(), 0);
        let indexed = IndexedText::new(text.clone());
        let ours = indexed.read_span(&span, 0, 3).expect("in bounds");
        let theirs = text.as_bytes().read_span(&span, 0, 3).expect("in bounds");
        assert_eq!(ours.data(), theirs.data());
        assert_eq!(ours.line_count(), theirs.line_count());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        #[test]
        fn answers_as_miettes_own_scan(
            text in text(),
            at in 0usize..200,
            len in 0usize..12,
            before in 0usize..4,
            after in 0usize..4,
        ) {
            let offset = at.min(text.len());
            let len = len.min(text.len() - offset);
            let span = SourceSpan::new(offset.into(), len);
            let indexed = IndexedText::new(text.clone());
            // Everything miette reads of an excerpt, owned.
            let read = |contents: Result<Box<dyn SpanContents<'_> + '_>, MietteError>| {
                contents.ok().map(|c| {
                    (c.data().to_vec(), *c.span(), c.line(), c.column(), c.line_count())
                })
            };
            let ours = read(indexed.read_span(&span, before, after));
            let theirs = read(text.as_bytes().read_span(&span, before, after));
            prop_assert_eq!(ours, theirs);
        }
    }
}
