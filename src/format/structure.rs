//! What the parse tree tells the formatter about the text: which braces open the mesh, which
//! open blocks of statements and which open value containers (maps, lists, `env`,
//! `security`), and where each statement or entry begins. Blocks and containers are laid
//! out one item per line when the author broke the line after the opening brace, else on
//! one line; the mesh body always has one statement per line.

use std::collections::{BTreeMap, BTreeSet};

use pest::iterators::{Pair, Pairs};

use crate::lexer::{Kind, Token};
use crate::syntax::Rule;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opening {
    /// The mesh's own body: always one statement per line.
    Mesh,
    /// Statements: cluster, step, defaults, environment, `auth oauth2`, `tls`; on one line
    /// (separated by `;`) if the author wrote them so.
    Block,
    /// Values: maps, lists, `env { … }`, `security { … }`.
    Container,
}

#[derive(Debug, Default)]
pub struct Structure {
    /// Byte offset of an opening `{`/`[` → what it opens.
    pub openings: BTreeMap<usize, Opening>,
    /// Byte offsets where a statement or a container entry begins.
    pub item_starts: BTreeSet<usize>,
}

impl Structure {
    pub fn of(tree: Pairs<'_, Rule>, tokens: &[Token<'_>]) -> Self {
        let mut structure = Structure::default();
        for pair in tree.flatten() {
            structure.visit(&pair, tokens);
        }
        structure
    }

    fn visit(&mut self, pair: &Pair<'_, Rule>, tokens: &[Token<'_>]) {
        let start = pair.as_span().start();
        let opening = match pair.as_rule() {
            Rule::mesh => Some(Opening::Mesh),
            Rule::env_decl | Rule::auth_oauth2 | Rule::tls_block => Some(Opening::Block),
            Rule::auth_generic
            | Rule::window_stmt
            | Rule::vpa_stmt
            | Rule::volume_claim_stmt
            | Rule::producer_stmt => Some(Opening::Block),
            // Only a `container "name" { … }` line of a `vpa` block opens one.
            Rule::vpa_field if pair.as_str().starts_with("container") => Some(Opening::Block),
            Rule::cluster_body | Rule::step_body => Some(Opening::Block),
            Rule::security_stmt | Rule::env_vars | Rule::map | Rule::list => {
                Some(Opening::Container)
            }
            _ => None,
        };
        if let Some(opening) = opening {
            // The first bracket token at or after the rule's start is the one it opens: any
            // before it (keywords, names) are words, and comments are tokens of their own.
            if let Some(token) = tokens[tokens.partition_point(|t| t.start < start)..]
                .iter()
                .find(|t| matches!(t.kind, Kind::Punct('{') | Kind::Punct('[')))
            {
                self.openings.insert(token.start, opening);
            }
        }
        let items = |skip: usize| pair.clone().into_inner().skip(skip);
        let starts: Vec<usize> = match pair.as_rule() {
            // `mesh NAME { … }` and `env NAME { … }`: the keyword and the name come first.
            Rule::mesh | Rule::env_decl => items(2).map(|p| p.as_span().start()).collect(),
            Rule::cluster_body | Rule::step_body | Rule::map | Rule::list | Rule::env_vars => {
                items(0)
                    .filter(|p| !matches!(p.as_rule(), Rule::k_env))
                    .map(|p| p.as_span().start())
                    .collect()
            }
            Rule::auth_oauth2 => items(0)
                .filter(|p| p.as_rule() == Rule::oauth2_field)
                .map(|p| p.as_span().start())
                .collect(),
            Rule::tls_block => items(0)
                .filter(|p| p.as_rule() == Rule::tls_field)
                .map(|p| p.as_span().start())
                .collect(),
            Rule::auth_generic
            | Rule::window_stmt
            | Rule::vpa_stmt
            | Rule::vpa_field
            | Rule::volume_claim_stmt
            | Rule::producer_stmt => items(0)
                .filter(|p| {
                    matches!(
                        p.as_rule(),
                        Rule::generic_field
                            | Rule::window_field
                            | Rule::vpa_field
                            | Rule::vpa_container
                            | Rule::claim_field
                            | Rule::producer_field
                    )
                })
                .map(|p| p.as_span().start())
                .collect(),
            Rule::security_stmt => items(0)
                .filter(|p| p.as_rule() == Rule::relaxation)
                .map(|p| p.as_span().start())
                .collect(),
            _ => Vec::new(),
        };
        self.item_starts.extend(starts);
    }
}
