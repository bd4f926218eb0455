//! Grammar rule names turned into words a user understands.

use super::grammar::Rule;

pub fn describe(rule: &Rule) -> String {
    let name = format!("{rule:?}");
    if let Some(keyword) = name.strip_prefix("k_") {
        return format!("`{}`", keyword.replace('_', "-"));
    }
    let words = match rule {
        Rule::EOI => "end of file",
        Rule::ident => "a name (lower-case letters, digits and dashes)",
        Rule::string | Rule::quoted | Rule::raw_string => "a quoted string",
        Rule::number => "a whole number",
        Rule::measure => "a number (with a unit such as 500m, 1Gi or 30s)",
        Rule::percent => "a percentage such as 80%",
        Rule::range => "a range such as 1..8",
        Rule::boolean => "`true` or `false`",
        Rule::map => "a map `{ key: value }`",
        Rule::list => "a list `[ … ]`",
        Rule::value => "a value",
        Rule::map_key | Rule::bare_key => "a key",
        Rule::map_entry => "`key: value`",
        Rule::topic_ref => "a topic",
        Rule::schema | Rule::schema_kind => {
            "a schema (bytes, string, json, avro, protobuf, … or a class name)"
        }
        Rule::step_kind => "`function`, `source` or `sink`",
        Rule::runtime => "`java`, `python`, `go` or `connector`",
        Rule::resource_name => "`cpu` or `memory`",
        Rule::resource_amount => "`cpu` or `memory` with an amount",
        Rule::mesh => "`mesh NAME { … }`",
        Rule::step_body | Rule::cluster_body => "`{`",
        Rule::volume_source => "`secret`, `config-map` or `empty-dir`",
        Rule::secret_ref => "`secret \"name\" key \"key\"`",
        Rule::topic_modifier => "`external` or `feedback`",
        _ => return statement_words(&name),
    };
    words.to_owned()
}

/// Statement rules read as "a `replicas` statement".
fn statement_words(name: &str) -> String {
    let base = name
        .trim_end_matches("_stmt")
        .trim_end_matches("_decl")
        .replace('_', "-");
    format!("a `{base}` statement")
}
