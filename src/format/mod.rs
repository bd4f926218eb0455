//! `fmc fmt`: one canonical layout for mesh files, comments kept. The formatter works on
//! tokens (the parser drops comments) guided by the parse tree, and checks its own work:
//! the result must parse to exactly the same tokens and carry the same comments, or the
//! file is left alone.

mod printer;
mod structure;

use crate::diag::{Diagnostics, SourceFile};
use crate::syntax::{syntax_tree, Rule};

#[derive(Debug)]
pub enum FormatError {
    /// The file does not parse; nothing to format.
    Syntax(Diagnostics),
    /// The formatted text would mean something else: a formatter bug, reported, never written.
    Changed(String),
}

/// The canonical layout of `file`.
pub fn format(file: &SourceFile) -> Result<String, FormatError> {
    let tree = syntax_tree(file).map_err(FormatError::Syntax)?;
    let tokens = crate::lexer::tokens(&file.text);
    let structure = structure::Structure::of(tree.clone(), &tokens);
    let formatted = printer::print(&tokens, &structure);

    let again = SourceFile::new(file.name.clone(), formatted.clone());
    let reparsed = syntax_tree(&again)
        .map_err(|_| FormatError::Changed("the formatted text does not parse".to_owned()))?;
    if meaning(tree) != meaning(reparsed) {
        return Err(FormatError::Changed(
            "the formatted text parses differently".to_owned(),
        ));
    }
    let comments = |text: &str| -> Vec<String> {
        crate::lexer::tokens(text)
            .iter()
            .filter(|t| t.is_comment())
            .map(|t| t.text.to_owned())
            .collect()
    };
    if comments(&file.text) != comments(&formatted) {
        return Err(FormatError::Changed("comments would change".to_owned()));
    }
    Ok(formatted)
}

/// The tokens the grammar sees, in order, without positions: two texts with the same list
/// mean the same mesh.
fn meaning(tree: pest::iterators::Pairs<'_, Rule>) -> Vec<(Rule, String)> {
    tree.flatten()
        .filter(|p| p.clone().into_inner().next().is_none())
        .map(|p| match p.as_rule() {
            // Empty: its text is only brackets, blanks and comments (`{ }` means `{}`).
            rule @ (Rule::step_body | Rule::cluster_body | Rule::map | Rule::list) => {
                (rule, String::new())
            }
            rule => (rule, p.as_str().to_owned()),
        })
        .collect()
}

/// Replaces `path`'s content through a temporary file beside it, so an interrupted write
/// never leaves half a mesh; the file keeps its permissions.
pub fn write_in_place(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.as_file().set_permissions(permissions)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
