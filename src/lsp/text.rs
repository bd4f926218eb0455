//! Byte offsets (what the compiler's spans are) to LSP positions and back. LSP counts a
//! line's characters in UTF-16 code units, so a character outside the Basic Multilingual
//! Plane counts two; a line ends at `\n` (a `\r` before it belongs to the line).

use lsp_types::{Position, Range};

use crate::diag::Span;

/// A text with the offset of each line start.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// The position of a byte offset (clamped into the text and back to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }

    /// The byte offset of a position. A line past the end is the end of the text; a
    /// character past the end of its line is the line's end; one inside a surrogate pair is
    /// the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let line_end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let line = &text[start..line_end];
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
            if units > position.character as usize {
                return start + i;
            }
        }
        line_end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Applies one `didChange` content change: the whole text, or a range of it replaced.
pub fn apply_change(text: &mut String, range: Option<Range>, new_text: &str) {
    match range {
        None => *text = new_text.to_owned(),
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(text, range.start);
            let end = index.offset(text, range.end).max(start);
            text.replace_range(start..end, new_text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns() {
        let text = "a😀b\ncé\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position::new(0, 0));
        assert_eq!(index.position(text, 5), Position::new(0, 3)); // after the emoji: 1 + 2
        assert_eq!(index.position(text, 6), Position::new(0, 4));
        assert_eq!(index.position(text, 7), Position::new(1, 0));
        assert_eq!(index.position(text, 10), Position::new(1, 2));
        for offset in [0, 1, 5, 6, 7, 8, 10, 11] {
            assert_eq!(index.offset(text, index.position(text, offset)), offset);
        }
        assert_eq!(index.offset(text, Position::new(0, 2)), 1); // inside the pair
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.offset(text, Position::new(0, 99)), 6);
    }
}
