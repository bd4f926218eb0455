//! Where the cursor is, read from the tokens alone, so it works on text that does not parse
//! (which is most of the time while typing): the kind of block around it, and the tokens of
//! that block before it.

use crate::language::Block;
use crate::lexer::{tokens, Kind, Token};

/// A bracketed region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Outside `mesh NAME { … }`.
    Top,
    Statements(Block),
    /// `auth oauth2 { … }`.
    OAuth2,
    /// `tls { … }`.
    Tls,
    /// A step's `env { … }` variables.
    EnvVars,
    /// A map or list value.
    Value,
}

/// The cursor's surroundings.
#[derive(Debug)]
pub struct Context<'a> {
    pub frame: Frame,
    /// The frame's own tokens before the cursor (nested blocks appear as their closing `}`),
    /// without the word being typed.
    pub before: Vec<Token<'a>>,
    /// The word being typed (possibly empty) and its start offset.
    pub prefix: &'a str,
    pub prefix_start: usize,
    /// The cursor is inside a string or a comment.
    pub in_literal: bool,
}

impl Context<'_> {
    /// The `n`th token before the word being typed (0 = the one just before).
    pub fn back(&self, n: usize) -> Option<&str> {
        self.before
            .len()
            .checked_sub(n + 1)
            .and_then(|i| self.before.get(i))
            .map(|t| t.text)
    }

    /// The first word of the statement the cursor is in, looking back over a comma list
    /// (`in a, b, |`) and a value just written (`resources cpu 1 |`).
    pub fn list_head(&self) -> Option<&str> {
        let mut i = self.before.len();
        while i > 0 {
            i -= 1;
            let t = &self.before[i];
            match t.kind {
                Kind::Punct(',') | Kind::Word | Kind::Str => {
                    if t.kind == Kind::Word && LIST_HEADS.contains(&t.text) {
                        return Some(t.text);
                    }
                }
                _ => return None,
            }
        }
        None
    }
}

const LIST_HEADS: &[&str] = &["in", "use", "resources", "requests", "limits", "no-limits"];

/// The context at byte `offset` of `text`.
pub fn at(text: &str, offset: usize) -> Context<'_> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let head = &text[..offset];
    let all = tokens(head);
    let mut stack: Vec<(Frame, Vec<Token<'_>>)> = vec![(Frame::Top, Vec::new())];
    for token in &all {
        if token.is_comment() {
            continue;
        }
        match token.kind {
            Kind::Punct('{') | Kind::Punct('[') => {
                let (frame, own) = stack
                    .last()
                    .map_or((Frame::Top, &[][..]), |(f, o)| (*f, &o[..]));
                let child = if token.kind == Kind::Punct('[') {
                    Frame::Value
                } else {
                    child_frame(frame, own)
                };
                stack.push((child, Vec::new()));
            }
            Kind::Punct('}') | Kind::Punct(']') => {
                if stack.len() > 1 {
                    stack.pop();
                }
                if let Some((_, own)) = stack.last_mut() {
                    own.push(*token);
                }
            }
            _ => {
                if let Some((_, own)) = stack.last_mut() {
                    own.push(*token);
                }
            }
        }
    }
    let (frame, mut before) = stack.pop().unwrap_or((Frame::Top, Vec::new()));
    let mut prefix = "";
    let mut prefix_start = offset;
    let mut in_literal = false;
    if let Some(last) = all.last() {
        let touches = last.start + last.text.len() >= offset;
        if touches && (last.is_comment() || last.kind == Kind::Str) {
            in_literal = true;
        } else if touches && last.kind == Kind::Word {
            prefix = last.text;
            prefix_start = last.start;
            if before.last().is_some_and(|t| t.start == last.start) {
                before.pop();
            }
        }
        // A line comment ends at the line's end, and the cursor may be past it.
        if last.kind == Kind::LineComment && head[last.start..].contains('\n') {
            in_literal = false;
        }
    }
    Context {
        frame,
        before,
        prefix,
        prefix_start,
        in_literal,
    }
}

/// The frame a `{` opens, from the tokens of the statement before it.
fn child_frame(parent: Frame, own: &[Token<'_>]) -> Frame {
    // The nearest statement word before the brace that is not itself a name being declared.
    let head = |heads: &[&str]| -> Option<&str> {
        let mut i = own.len();
        while i > 0 {
            i -= 1;
            let t = &own[i];
            if matches!(t.kind, Kind::Punct('}') | Kind::Punct(';')) {
                return None;
            }
            if t.kind == Kind::Word && heads.contains(&t.text) {
                let declared = i > 0
                    && matches!(
                        own[i - 1].text,
                        "function" | "source" | "sink" | "defaults" | "cluster" | "env" | "="
                    );
                if !declared {
                    return Some(t.text);
                }
            }
        }
        None
    };
    match parent {
        Frame::Top => Frame::Statements(Block::Mesh),
        Frame::Statements(Block::Mesh) => match head(&[
            "cluster",
            "defaults",
            "function",
            "source",
            "sink",
            "env",
            "labels",
            "annotations",
        ]) {
            Some("cluster") => Frame::Statements(Block::Cluster),
            Some("defaults" | "function" | "source" | "sink") => Frame::Statements(Block::Step),
            Some("env") => Frame::Statements(Block::Env),
            _ => Frame::Value,
        },
        Frame::Statements(Block::Env) => match head(&["cluster"]) {
            Some(_) => Frame::Statements(Block::Cluster),
            None => Frame::Statements(Block::Step),
        },
        Frame::Statements(Block::Cluster) => match head(&["oauth2", "tls"]) {
            Some("oauth2") => Frame::OAuth2,
            Some(_) => Frame::Tls,
            None => Frame::Value,
        },
        Frame::Statements(Block::Step) => match head(&[
            "security",
            "env",
            "window",
            "vpa",
            "producer",
            "volume-claim",
        ]) {
            Some("security") => Frame::Statements(Block::Security),
            Some("env") => Frame::EnvVars,
            Some("window") => Frame::Statements(Block::Window),
            Some("vpa") => Frame::Statements(Block::Vpa),
            Some("producer") => Frame::Statements(Block::Producer),
            Some("volume-claim") => Frame::Statements(Block::VolumeClaim),
            _ => Frame::Value,
        },
        Frame::Statements(Block::Vpa) => match head(&["container"]) {
            Some(_) => Frame::Statements(Block::VpaContainer),
            None => Frame::Value,
        },
        _ => Frame::Value,
    }
}

/// The token whose text contains `offset` (its end included), and the context at its start.
pub fn token_at(text: &str, offset: usize) -> Option<(Token<'_>, Option<Token<'_>>)> {
    let all = tokens(text);
    let i = all
        .iter()
        .position(|t| t.start <= offset && offset <= t.start + t.text.len())?;
    let token = *all.get(i)?;
    let next = all[i + 1..].iter().find(|t| !t.is_comment()).copied();
    Some((token, next))
}
