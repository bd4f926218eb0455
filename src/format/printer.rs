//! Lays the tokens out: one statement per line in blocks, two-space indentation, single
//! spaces between tokens on a line, comments where they were (trailing ones stay trailing),
//! at most one blank line between statements, optional separators dropped at line ends.

use super::structure::{Opening, Structure};
use crate::lexer::{Kind, Token};

const INDENT: &str = "  ";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// One item per line, indented.
    Lines,
    /// Everything on the line of the opening bracket, items apart by this separator.
    Inline(char),
}

struct Printer<'a> {
    tokens: &'a [Token<'a>],
    structure: &'a Structure,
    out: String,
    frames: Vec<Frame>,
    /// Something other than indentation is on the current output line.
    line_open: bool,
    /// A line comment ended the line: the next token starts a new one.
    break_pending: bool,
    /// The last thing written opened a bracket.
    just_opened: bool,
    /// Nothing but comments written since the last opening bracket: no separator is due.
    nothing_yet: bool,
    /// Closing brackets already written (those of empty blocks).
    skip: Vec<usize>,
}

pub fn print(tokens: &[Token<'_>], structure: &Structure) -> String {
    let mut printer = Printer {
        tokens,
        structure,
        out: String::new(),
        frames: Vec::new(),
        line_open: false,
        break_pending: false,
        just_opened: false,
        nothing_yet: false,
        skip: Vec::new(),
    };
    for i in 0..tokens.len() {
        printer.token(i);
    }
    let mut out = printer.out.trim_end().to_owned();
    out.push('\n');
    out
}

impl Printer<'_> {
    fn depth(&self) -> usize {
        self.frames.iter().filter(|f| **f == Frame::Lines).count()
    }

    fn in_lines(&self) -> bool {
        self.frames.last().is_none_or(|f| *f == Frame::Lines)
    }

    /// Ends the current line and indents the next one; `blank` keeps one empty line.
    fn new_line(&mut self, blank: bool, extra: usize) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
            if blank && !self.just_opened {
                self.out.push('\n');
            }
        }
        for _ in 0..self.depth() + extra {
            self.out.push_str(INDENT);
        }
        self.line_open = false;
        self.break_pending = false;
    }

    fn write(&mut self, text: &str, space_before: bool) {
        if space_before && self.line_open {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.line_open = true;
        self.just_opened = false;
        self.nothing_yet = false;
    }

    fn next_code(&self, i: usize) -> Option<&Token<'_>> {
        self.tokens[i + 1..].iter().find(|t| !t.is_comment())
    }

    /// The index of the bracket closing the one at `i`, if nothing but whitespace is between.
    fn empty_until(&self, i: usize) -> Option<usize> {
        let next = self.tokens.get(i + 1)?;
        matches!(next.kind, Kind::Punct('}') | Kind::Punct(']')).then_some(i + 1)
    }

    fn token(&mut self, i: usize) {
        if self.skip.contains(&i) {
            return;
        }
        let t = self.tokens[i];
        let blank = t.newlines_before >= 2;
        match t.kind {
            Kind::LineComment | Kind::BlockComment => {
                let nothing_yet = self.nothing_yet;
                if t.newlines_before == 0 && self.line_open && !self.break_pending {
                    self.write(t.text, true);
                } else {
                    let extra = usize::from(!self.in_lines() && self.line_open);
                    self.new_line(blank, extra);
                    self.write(t.text, false);
                }
                // What followed a comment on its line stays there only for `/* … */`.
                self.break_pending = t.kind == Kind::LineComment
                    || self
                        .tokens
                        .get(i + 1)
                        .is_some_and(|n| n.newlines_before > 0);
                self.nothing_yet = nothing_yet;
            }
            Kind::Punct(open @ ('{' | '[')) => {
                self.place(&t, blank);
                let opening = self
                    .structure
                    .openings
                    .get(&t.start)
                    .copied()
                    .unwrap_or(Opening::Container);
                if let Some(close) = self.empty_until(i) {
                    self.write(
                        if open == '{' { "{}" } else { "[]" },
                        self.space_before_open(),
                    );
                    self.skip.push(close);
                    return;
                }
                let lines = opening == Opening::Mesh
                    || self
                        .tokens
                        .get(i + 1)
                        .is_some_and(|n| n.newlines_before > 0);
                let separator = if opening == Opening::Container {
                    ','
                } else {
                    ';'
                };
                self.write(t.text, self.space_before_open());
                self.frames.push(if lines {
                    Frame::Lines
                } else {
                    Frame::Inline(separator)
                });
                self.just_opened = true;
                self.nothing_yet = true;
            }
            Kind::Punct(close @ ('}' | ']')) => {
                let frame = self.frames.pop().unwrap_or(Frame::Lines);
                if frame == Frame::Lines || self.break_pending {
                    let extra = usize::from(frame != Frame::Lines);
                    self.new_line(false, extra);
                    self.write(t.text, false);
                } else {
                    self.write(t.text, close == '}');
                }
            }
            Kind::Punct(sep @ (',' | ';')) => {
                let item_follows = self.next_code(i).is_none_or(|n| {
                    self.structure.item_starts.contains(&n.start)
                        || matches!(n.kind, Kind::Punct('}') | Kind::Punct(']'))
                });
                if self.in_lines() && item_follows {
                    return; // optional at the end of a line
                }
                if sep == ';'
                    && !self.in_lines()
                    && self
                        .next_code(i)
                        .is_some_and(|n| matches!(n.kind, Kind::Punct('}') | Kind::Punct(']')))
                {
                    return; // `{ a; }` reads as `{ a }`
                }
                self.line_break_if_pending();
                self.write(t.text, false);
            }
            _ => {
                self.place(&t, blank);
                let space = !matches!(t.kind, Kind::Punct(':')) && !self.out.ends_with('[');
                self.write(t.text, space);
            }
        }
    }

    /// Places a token that may begin a statement or entry: on a line of its own in a block laid
    /// out one item per line, after its separator (written or not) on one line.
    fn place(&mut self, t: &Token<'_>, blank: bool) {
        let item = self.structure.item_starts.contains(&t.start);
        if item && self.in_lines() {
            self.new_line(blank, 0);
            return;
        }
        if let (true, Some(Frame::Inline(separator))) = (item, self.frames.last()) {
            let separator = *separator;
            // After a line comment the line break already separates.
            if !self.nothing_yet && !self.break_pending && !self.out.ends_with([',', ';']) {
                self.out.push(separator);
            }
        }
        self.line_break_if_pending();
    }

    fn space_before_open(&self) -> bool {
        !self.out.ends_with('[')
    }

    /// After a line comment inside a statement, the statement continues one level deeper.
    fn line_break_if_pending(&mut self) {
        if self.break_pending {
            let extra = usize::from(!self.frames.is_empty());
            self.new_line(false, extra);
        }
    }
}
