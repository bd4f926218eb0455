//! The pest parser and the conversion of its parse tree into the typed AST.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::Parser;

use super::ast::*;
use super::depth::check_depth;
use super::expected::describe;
use super::grammar::{MeshParser, Rule};
use super::{MAX_DEPTH, MAX_FILE_BYTES, MAX_STEP_INSTANCES};
use crate::diag::{Code, Diagnostic, Diagnostics, SourceFile, Span};

type Result<T> = std::result::Result<T, Diagnostic>;

/// Parses a whole mesh file. Syntax errors stop parsing (there is one, at the first place the
/// input stops making sense); everything else is checked later, all at once.
pub fn parse(file: &SourceFile) -> std::result::Result<Mesh, Diagnostics> {
    let mut pairs = syntax_tree(file)?;
    let mesh = pairs
        .next()
        .and_then(|file| file.into_inner().next())
        .ok_or_else(|| internal(Span::new(0, 0)))?;
    Ok(mesh_of(mesh)?)
}

/// The raw pest tree of a file (after the size and depth limits), for tools that work on the
/// text's layout rather than its meaning, such as the formatter.
pub fn syntax_tree(file: &SourceFile) -> std::result::Result<Pairs<'_, Rule>, Diagnostics> {
    let text = file.text.as_str();
    if text.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            Code::FileTooLarge,
            Span::new(0, 0),
            format!(
                "the file is {} bytes; the limit is {MAX_FILE_BYTES}",
                text.len()
            ),
        )
        .help("split the mesh into several files")
        .into());
    }
    check_depth(text, MAX_DEPTH)?;
    MeshParser::parse(Rule::file, text).map_err(|e| syntax_error(text, e))
}

fn syntax_error(text: &str, error: pest::error::Error<Rule>) -> Diagnostics {
    let (start, end) = match error.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span(s) => s,
    };
    // Point at the whole offending token, not a zero-width gap, when there is one: its first
    // character, then up to the next delimiter (all on character boundaries).
    let start = start.min(text.len());
    let is_delimiter = |c: char| c.is_whitespace() || "{}[]:,;\"".contains(c);
    let mut token_end = start;
    for (i, c) in text[start..].char_indices() {
        if i > 0 && is_delimiter(c) {
            break;
        }
        token_end = start + i + c.len_utf8();
        if i == 0 && is_delimiter(c) {
            break;
        }
    }
    let token_end = token_end.max(end.min(text.len()));
    let token = &text[start..token_end];
    let escaped;
    let found = if token.trim().is_empty() && !token.is_empty() {
        // A stray space-like character: show it escaped, it is invisible otherwise.
        escaped = token.escape_debug().to_string();
        escaped.as_str()
    } else {
        token.trim()
    };
    let expected = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<String> = positives.iter().map(describe).collect();
            words.sort();
            words.dedup();
            words
        }
        pest::error::ErrorVariant::CustomError { message } => {
            if message.contains("limit reached") {
                // pest's own guard against exhausting the stack or its call budget.
                return Diagnostic::error(
                    Code::TooDeep,
                    Span::new(start, token_end),
                    "the file is nested too deeply to parse",
                )
                .primary("parsing stopped here")
                .help("flatten the structure; meshes never need this depth")
                .into();
            }
            vec![message.clone()]
        }
    };
    let message = match (expected.as_slice(), found.is_empty()) {
        ([], true) => "unexpected end of file".to_owned(),
        ([], false) => format!("unexpected `{found}`"),
        (words, true) => format!("expected {}, found the end of the file", or_list(words)),
        (words, false) => format!("expected {}, found `{found}`", or_list(words)),
    };
    let span = Span::new(start, token_end);
    let mut d = Diagnostic::error(Code::Syntax, span, message).primary("here");
    if text.trim().is_empty() {
        d = d.help("a mesh file holds one `mesh NAME { … }` block");
    }
    d.into()
}

fn or_list(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] if rest.len() < 6 => format!("{} or {last}", rest.join(", ")),
        _ => format!("{}, or another statement", words[..5].join(", ")),
    }
}

/// The parse tree did not have the shape the grammar guarantees: a bug in fmc, never the user's.
fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Syntax, span, "internal parser error")
        .help("this is a bug in fmc; please report it with the input file")
}

fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// The children of a pair, skipping keyword tokens (they carry no information).
fn parts(pair: Pair<Rule>) -> Vec<Pair<Rule>> {
    pair.into_inner()
        .filter(|p| !is_keyword(p.as_rule()))
        .collect()
}

/// Whether a rule is a keyword token (`k_…`). Looked up in a table built once from the rule
/// names: formatting a rule's name for every token was a third of the parse time.
fn is_keyword(rule: Rule) -> bool {
    static KEYWORDS: OnceLock<Vec<bool>> = OnceLock::new();
    let table = KEYWORDS.get_or_init(|| {
        let mut table = Vec::new();
        for &rule in Rule::all_rules() {
            let index = rule as usize;
            if table.len() <= index {
                table.resize(index + 1, false);
            }
            table[index] = format!("{rule:?}").starts_with("k_");
        }
        table
    });
    table.get(rule as usize).copied().unwrap_or(false)
}

fn nth<'a, 'i>(parts: &'a [Pair<'i, Rule>], i: usize, parent: Span) -> Result<&'a Pair<'i, Rule>> {
    parts.get(i).ok_or_else(|| internal(parent))
}

fn name(pair: &Pair<Rule>) -> Name {
    Spanned::new(pair.as_str().to_owned(), span_of(pair))
}

/// A string literal's value: a raw string's body as written, a quoted one with escapes resolved.
fn string(pair: &Pair<Rule>) -> Result<Spanned<String>> {
    let span = span_of(pair);
    // A raw string is the `string` pair's one inner pair; a quoted one has none.
    let raw_string = match pair.as_rule() {
        Rule::string => pair.clone().into_inner().next(),
        Rule::raw_string => Some(pair.clone()),
        _ => None,
    };
    if let Some(literal) = raw_string {
        let body = literal
            .into_inner()
            .find(|p| p.as_rule() == Rule::raw_body)
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        return Ok(Spanned::new(body, span));
    }
    let raw = pair.as_str();
    let body = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(|| internal(span))?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                match ch {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(Diagnostic::error(
                            Code::Syntax,
                            span,
                            format!("`\\u{{{hex}}}` is not a Unicode scalar value"),
                        ))
                    }
                }
            }
            _ => return Err(internal(span)),
        }
    }
    Ok(Spanned::new(out, span))
}

fn integer(pair: &Pair<Rule>) -> Result<Spanned<i64>> {
    let span = span_of(pair);
    pair.as_str()
        .parse::<i64>()
        .map(|n| Spanned::new(n, span))
        .map_err(|_| {
            Diagnostic::error(Code::InvalidValue, span, "number out of range").primary("too large")
        })
}

fn boolean(pair: &Pair<Rule>) -> bool {
    pair.as_str() == "true"
}

fn mesh_of(pair: Pair<Rule>) -> Result<Mesh> {
    let span = span_of(&pair);
    let mut children = parts(pair).into_iter();
    let name = name(&children.next().ok_or_else(|| internal(span))?);
    let mut items = Vec::new();
    for item in children {
        items.push(mesh_item(item)?);
    }
    check_size(&items)?;
    Ok(Mesh { name, items })
}

/// Every environment is lowered into a full copy of the mesh, so what memory and time grow
/// with is steps × (environments + 1); refuse meshes beyond the limit before lowering them.
fn check_size(items: &[MeshItem]) -> Result<()> {
    let envs = items
        .iter()
        .filter(|i| matches!(i, MeshItem::Env(_)))
        .count();
    let allowed = MAX_STEP_INSTANCES / (envs + 1);
    let Some(step) = items
        .iter()
        .filter_map(|i| match i {
            MeshItem::Step(step) => Some(step),
            _ => None,
        })
        .nth(allowed)
    else {
        return Ok(());
    };
    let steps = items
        .iter()
        .filter(|i| matches!(i, MeshItem::Step(_)))
        .count();
    Err(Diagnostic::error(
        Code::TooManySteps,
        step.name.span,
        format!(
            "{steps} steps in {} effective meshes (the base and {envs} environments) exceed \
             the limit of {MAX_STEP_INSTANCES} step instances",
            envs + 1
        ),
    )
    .primary(format!("step {} of at most {allowed}", allowed + 1))
    .help("split the mesh into several files (topics one mesh reads from another are `external`), or use fewer environments"))
}

fn mesh_item(pair: Pair<Rule>) -> Result<MeshItem> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let p = parts(pair);
    Ok(match rule {
        Rule::namespace_stmt => MeshItem::Namespace(string(nth(&p, 0, span)?)?),
        Rule::tenant_stmt => MeshItem::Tenant(string(nth(&p, 0, span)?)?),
        Rule::pulsar_namespace_stmt => MeshItem::PulsarNamespace(string(nth(&p, 0, span)?)?),
        Rule::mesh_labels => MeshItem::Labels(map(nth(&p, 0, span)?.clone())?),
        Rule::mesh_annotations => MeshItem::Annotations(map(nth(&p, 0, span)?.clone())?),
        Rule::default_cluster_stmt => MeshItem::DefaultCluster(name(nth(&p, 0, span)?)),
        Rule::cluster_decl => MeshItem::Cluster(cluster(&p, span)?),
        Rule::topic_decl => MeshItem::Topic(topic(p, span)?),
        Rule::defaults_decl => MeshItem::Defaults(Defaults {
            name: name(nth(&p, 0, span)?),
            body: body(nth(&p, 1, span)?.clone())?,
        }),
        Rule::step_decl => MeshItem::Step(step(p, span)?),
        Rule::env_decl => MeshItem::Env(env(p, span)?),
        _ => return Err(internal(span)),
    })
}

fn cluster(p: &[Pair<Rule>], span: Span) -> Result<Cluster> {
    let cluster_name = name(nth(p, 0, span)?);
    let mut settings = Vec::new();
    for setting in parts(nth(p, 1, span)?.clone()) {
        let s_span = span_of(&setting);
        let rule = setting.as_rule();
        let sp = parts(setting);
        let value = match rule {
            Rule::broker_stmt => ClusterSetting::Broker(string(nth(&sp, 0, s_span)?)?),
            Rule::admin_stmt => ClusterSetting::Admin(string(nth(&sp, 0, s_span)?)?),
            Rule::cluster_name_stmt => ClusterSetting::PulsarName(string(nth(&sp, 0, s_span)?)?),
            Rule::auth_secret => ClusterSetting::AuthSecret(string(nth(&sp, 0, s_span)?)?),
            Rule::tls_secret => ClusterSetting::TlsSecret(string(nth(&sp, 0, s_span)?)?),
            Rule::cluster_state => ClusterSetting::State(string(nth(&sp, 0, s_span)?)?),
            Rule::auth_oauth2 => {
                let mut fields = Vec::new();
                for field in sp {
                    fields.push(keyword_field(field, |v| string(v).map(|s| s.value))?);
                }
                ClusterSetting::AuthOAuth2(fields)
            }
            Rule::auth_generic => {
                let mut fields = Vec::new();
                for field in sp {
                    fields.push(keyword_field(field, |v| string(v).map(|s| s.value))?);
                }
                ClusterSetting::AuthGeneric(fields)
            }
            Rule::tls_block => {
                let mut fields = Vec::new();
                for field in sp {
                    fields.push(keyword_field(field, |v| {
                        Ok(match v.as_rule() {
                            Rule::boolean => Value::Bool(boolean(v)),
                            _ => Value::String(string(v)?.value),
                        })
                    })?);
                }
                ClusterSetting::Tls(fields)
            }
            _ => return Err(internal(s_span)),
        };
        settings.push(Spanned::new(value, s_span));
    }
    Ok(Cluster {
        name: cluster_name,
        settings,
    })
}

/// `keyword value` pairs inside small blocks (oauth2, tls): the keyword is the field name.
fn keyword_field<T>(
    field: Pair<Rule>,
    value: impl Fn(&Pair<Rule>) -> Result<T>,
) -> Result<(Name, Spanned<T>)> {
    let span = span_of(&field);
    let mut inner = field.into_inner();
    let key = inner.next().ok_or_else(|| internal(span))?;
    let val = inner.next().ok_or_else(|| internal(span))?;
    let v_span = span_of(&val);
    Ok((name(&key), Spanned::new(value(&val)?, v_span)))
}

fn topic(p: Vec<Pair<Rule>>, span: Span) -> Result<Topic> {
    let mut kind = TopicKind::Internal;
    let mut topic_name = None;
    let mut full_name = None;
    let mut schema = None;
    let mut cluster = None;
    for part in p {
        match part.as_rule() {
            Rule::topic_modifier => {
                kind = if part.as_str().starts_with("external") {
                    TopicKind::External
                } else {
                    TopicKind::Feedback
                }
            }
            Rule::ident if topic_name.is_none() => topic_name = Some(name(&part)),
            Rule::ident => cluster = Some(name(&part)),
            Rule::string => full_name = Some(string(&part)?),
            Rule::schema => schema = Some(schema_of(part)?),
            _ => return Err(internal(span)),
        }
    }
    Ok(Topic {
        kind,
        name: topic_name.ok_or_else(|| internal(span))?,
        full_name,
        schema: schema.ok_or_else(|| internal(span))?,
        cluster,
    })
}

fn schema_of(pair: Pair<Rule>) -> Result<Spanned<Schema>> {
    let span = span_of(&pair);
    let mut schema = Schema {
        kind: None,
        class: None,
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::schema_kind => schema.kind = Some(part.as_str().to_owned()),
            Rule::string => schema.class = Some(string(&part)?.value),
            _ => return Err(internal(span)),
        }
    }
    Ok(Spanned::new(schema, span))
}

fn step(p: Vec<Pair<Rule>>, span: Span) -> Result<Step> {
    let kind_pair = nth(&p, 0, span)?;
    let kind = match kind_pair.as_str() {
        "function" => StepKind::Function,
        "source" => StepKind::Source,
        _ => StepKind::Sink,
    };
    let runtime_pair = nth(&p, 2, span)?;
    let runtime =
        Runtime::from_word(runtime_pair.as_str()).ok_or_else(|| internal(span_of(runtime_pair)))?;
    let (class, body_pair) = match p.get(3).map(|x| x.as_rule()) {
        Some(Rule::string) => (Some(string(&p[3])?), nth(&p, 4, span)?),
        _ => (None, nth(&p, 3, span)?),
    };
    Ok(Step {
        kind: Spanned::new(kind, span_of(kind_pair)),
        name: name(nth(&p, 1, span)?),
        runtime: Spanned::new(runtime, span_of(runtime_pair)),
        class,
        body: body(body_pair.clone())?,
    })
}

fn env(p: Vec<Pair<Rule>>, span: Span) -> Result<Env> {
    let mut items = p.into_iter();
    let env_name = name(&items.next().ok_or_else(|| internal(span))?);
    let mut env = Env {
        name: env_name,
        namespace: None,
        clusters: Vec::new(),
        steps: Vec::new(),
    };
    for item in items {
        let i_span = span_of(&item);
        let rule = item.as_rule();
        let ip = parts(item);
        match rule {
            Rule::namespace_stmt => env.namespace = Some(string(nth(&ip, 0, i_span)?)?),
            Rule::env_cluster => env.clusters.push(cluster(&ip, i_span)?),
            Rule::env_step => env.steps.push((
                name(nth(&ip, 0, i_span)?),
                body(nth(&ip, 1, i_span)?.clone())?,
            )),
            _ => return Err(internal(i_span)),
        }
    }
    Ok(env)
}

fn body(pair: Pair<Rule>) -> Result<Vec<Spanned<Setting>>> {
    parts(pair)
        .into_iter()
        .map(|stmt| {
            let span = span_of(&stmt);
            setting(stmt).map(|s| Spanned::new(s, span))
        })
        .collect()
}

fn topic_ref(pair: &Pair<Rule>) -> Result<Spanned<TopicRef>> {
    let span = span_of(pair);
    let inner = pair
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| internal(span))?;
    Ok(match inner.as_rule() {
        Rule::string => Spanned::new(TopicRef::Full(string(&inner)?.value), span),
        _ => Spanned::new(TopicRef::Name(inner.as_str().to_owned()), span),
    })
}

fn resource_name(pair: &Pair<Rule>) -> ResourceName {
    if pair.as_str() == "cpu" {
        ResourceName::Cpu
    } else {
        ResourceName::Memory
    }
}

fn setting(stmt: Pair<Rule>) -> Result<Setting> {
    let span = span_of(&stmt);
    let rule = stmt.as_rule();
    let p = parts(stmt);
    let first = || nth(&p, 0, span);
    Ok(match rule {
        Rule::use_stmt => Setting::Use(p.iter().map(name).collect()),
        Rule::cluster_ref => Setting::Cluster(name(first()?)),
        Rule::image_stmt => Setting::Image(string(first()?)?),
        Rule::image_pull_policy_stmt => Setting::ImagePullPolicy(name(first()?)),
        Rule::package_stmt => Setting::Package(string(first()?)?),
        Rule::file_stmt => Setting::File(string(first()?)?),
        Rule::in_pattern_stmt => Setting::InPattern(string(first()?)?),
        Rule::in_stmt => Setting::In(p.iter().map(topic_ref).collect::<Result<_>>()?),
        Rule::out_stmt => Setting::Out(topic_ref(first()?)?),
        Rule::log_topic_stmt => Setting::LogTopic(topic_ref(first()?)?),
        Rule::dead_letter_stmt => Setting::DeadLetter(topic_ref(first()?)?),
        Rule::subscription_stmt => Setting::Subscription(string(first()?)?),
        Rule::subscription_type_stmt => Setting::SubscriptionType(name(first()?)),
        Rule::position_stmt => Setting::Position(name(first()?)),
        Rule::guarantee_stmt => Setting::Guarantee(name(first()?)),
        Rule::auto_ack_stmt => Setting::AutoAck(boolean(first()?)),
        Rule::max_retries_stmt => Setting::MaxRetries(integer(first()?)?),
        Rule::timeout_stmt => Setting::Timeout(name(first()?)),
        Rule::cleanup_subscription_stmt => Setting::CleanupSubscription(boolean(first()?)),
        Rule::replicas_stmt => {
            let value = first()?;
            match value.as_rule() {
                Rule::range => {
                    let r = parts(value.clone());
                    Setting::Replicas {
                        min: integer(nth(&r, 0, span)?)?,
                        max: Some(integer(nth(&r, 1, span)?)?),
                    }
                }
                _ => Setting::Replicas {
                    min: integer(value)?,
                    max: None,
                },
            }
        }
        Rule::autoscale_stmt => {
            let pct = nth(&p, 1, span)?;
            Setting::Autoscale {
                resource: resource_name(first()?),
                percent: percent(pct)?,
            }
        }
        Rule::resources_stmt | Rule::requests_stmt | Rule::limits_stmt => {
            let side = match rule {
                Rule::resources_stmt => ResourceSide::Both,
                Rule::requests_stmt => ResourceSide::Requests,
                _ => ResourceSide::Limits,
            };
            Setting::Resources {
                side,
                amounts: amounts(p)?,
            }
        }
        Rule::env_vars => {
            let mut vars = Vec::new();
            for entry in p {
                let e_span = span_of(&entry);
                let ep = parts(entry);
                let key = map_key(nth(&ep, 0, e_span)?)?;
                let val = nth(&ep, 1, e_span)?;
                let value = match val.as_rule() {
                    Rule::secret_ref => {
                        let sp = parts(val.clone());
                        EnvValue::Secret {
                            secret: string(nth(&sp, 0, e_span)?)?,
                            key: string(nth(&sp, 1, e_span)?)?,
                        }
                    }
                    _ => EnvValue::Literal(value(val.clone())?),
                };
                vars.push((key, value));
            }
            Setting::Env(vars)
        }
        Rule::volume_stmt => {
            let source_pair = nth(&p, 1, span)?;
            let sp = parts(source_pair.clone());
            let source = if source_pair.as_str().starts_with("secret") {
                VolumeSource::Secret(string(nth(&sp, 0, span)?)?)
            } else if source_pair.as_str().starts_with("config-map") {
                VolumeSource::ConfigMap(string(nth(&sp, 0, span)?)?)
            } else {
                VolumeSource::EmptyDir
            };
            Setting::Volume {
                name: name(first()?),
                source,
                mount: string(nth(&p, 2, span)?)?,
            }
        }
        Rule::labels_stmt => Setting::Labels(map(first()?.clone())?),
        Rule::annotations_stmt => Setting::Annotations(map(first()?.clone())?),
        Rule::node_selector_stmt => Setting::NodeSelector(map(first()?.clone())?),
        Rule::toleration_stmt => Setting::Toleration(map(first()?.clone())?),
        Rule::service_account_stmt => Setting::ServiceAccount(string(first()?)?),
        Rule::termination_grace_stmt => Setting::TerminationGrace(name(first()?)),
        Rule::state_stmt => Setting::State(match p.first() {
            Some(url) => Some(string(url)?),
            None => None,
        }),
        Rule::config_stmt => Setting::Config(map(first()?.clone())?),
        Rule::spec_stmt => Setting::Spec(map(first()?.clone())?),
        Rule::log_level_stmt => Setting::LogLevel(name(first()?)),
        Rule::java_opts_stmt => {
            let list = value(first()?.clone())?;
            let Value::List(items) = list.value else {
                return Err(internal(span));
            };
            let mut opts = Vec::new();
            for item in items {
                match item.value {
                    Value::String(s) => opts.push(Spanned::new(s, item.span)),
                    _ => {
                        return Err(Diagnostic::error(
                            Code::InvalidValue,
                            item.span,
                            "JVM options must be strings",
                        ))
                    }
                }
            }
            Setting::JavaOpts(opts)
        }
        Rule::forward_properties_stmt => Setting::ForwardProperties(boolean(first()?)),
        Rule::max_pending_async_stmt => Setting::MaxPendingAsync(integer(first()?)?),
        Rule::log_rotation_stmt => Setting::LogRotation(name(first()?)),
        Rule::log_format_stmt => Setting::LogFormat(name(first()?)),
        Rule::log_config_format_stmt => Setting::LogConfigFormat(name(first()?)),
        Rule::log_config_stmt => Setting::LogConfig {
            config_map: string(first()?)?,
            key: string(nth(&p, 1, span)?)?,
        },
        Rule::log_topic_agent_stmt => Setting::LogTopicAgent(name(first()?)),
        Rule::builtin_autoscale_stmt => {
            let pct = nth(&p, 1, span)?;
            Setting::BuiltinAutoscale {
                resource: resource_name(first()?),
                percent: percent(pct)?,
            }
        }
        Rule::window_stmt => Setting::Window(fields(p, window_field)?),
        Rule::vpa_stmt => Setting::Vpa(fields(p, vpa_field)?),
        Rule::volume_claim_stmt => {
            let mut rest = p.into_iter();
            let claim = name(&rest.next().ok_or_else(|| internal(span))?);
            Setting::VolumeClaim {
                name: claim,
                fields: fields(rest.collect(), claim_field)?,
            }
        }
        Rule::producer_stmt => Setting::Producer(fields(p, producer_field)?),
        Rule::security_stmt => Setting::Security(
            p.iter()
                .map(|r| relaxation(r.clone()))
                .collect::<Result<_>>()?,
        ),
        _ => return Err(internal(span)),
    })
}

fn percent(pair: &Pair<Rule>) -> Result<Spanned<f64>> {
    let text = pair.as_str().trim_end_matches('%');
    let percent = text
        .parse::<f64>()
        .map_err(|_| Diagnostic::error(Code::InvalidValue, span_of(pair), "not a percentage"))?;
    Ok(Spanned::new(percent, span_of(pair)))
}

/// `cpu 500m memory 1Gi`: resource amounts as written (read as quantities during lowering).
fn amounts(pairs: Vec<Pair<Rule>>) -> Result<Vec<(ResourceName, Spanned<String>)>> {
    let mut amounts = Vec::new();
    for amount in pairs {
        let a_span = span_of(&amount);
        let ap = parts(amount);
        amounts.push((
            resource_name(nth(&ap, 0, a_span)?),
            name(nth(&ap, 1, a_span)?),
        ));
    }
    Ok(amounts)
}

/// The lines of a small block (`window`, `vpa`, `producer`, …), each read by `line` from its
/// keyword and the parts after it.
fn fields<T>(
    pairs: Vec<Pair<Rule>>,
    line: fn(&str, Vec<Pair<Rule>>, Span) -> Result<T>,
) -> Result<Vec<Spanned<T>>> {
    pairs
        .into_iter()
        .map(|field| {
            let span = span_of(&field);
            let mut inner = field.into_inner();
            let keyword = inner.next().ok_or_else(|| internal(span))?;
            let rest: Vec<Pair<Rule>> = inner.filter(|p| !is_keyword(p.as_rule())).collect();
            line(keyword.as_str(), rest, span).map(|value| Spanned::new(value, span))
        })
        .collect()
}

fn window_field(keyword: &str, p: Vec<Pair<Rule>>, span: Span) -> Result<WindowField> {
    let first = nth(&p, 0, span)?;
    Ok(match keyword {
        "length" => WindowField::Length(name(first)),
        "slide" => WindowField::Slide(name(first)),
        "max-lag" => WindowField::MaxLag(name(first)),
        "watermark-interval" => WindowField::WatermarkInterval(name(first)),
        "timestamp-extractor" => WindowField::TimestampExtractor(string(first)?),
        "late-data" => WindowField::LateData(topic_ref(first)?),
        "guarantee" => WindowField::Guarantee(name(first)),
        _ => return Err(internal(span)),
    })
}

fn vpa_field(keyword: &str, p: Vec<Pair<Rule>>, span: Span) -> Result<VpaField> {
    Ok(match keyword {
        "update" => VpaField::Update(name(nth(&p, 0, span)?)),
        "min-replicas" => VpaField::MinReplicas(integer(nth(&p, 0, span)?)?),
        "container" => {
            let mut rest = p.into_iter();
            let container = string(&rest.next().ok_or_else(|| internal(span))?)?;
            VpaField::Container {
                name: container,
                fields: fields(rest.collect(), vpa_container_field)?,
            }
        }
        _ => return Err(internal(span)),
    })
}

fn vpa_container_field(keyword: &str, p: Vec<Pair<Rule>>, span: Span) -> Result<VpaContainerField> {
    Ok(match keyword {
        "mode" => VpaContainerField::Mode(name(nth(&p, 0, span)?)),
        "values" => VpaContainerField::Values(name(nth(&p, 0, span)?)),
        "min" => VpaContainerField::Min(amounts(p)?),
        "max" => VpaContainerField::Max(amounts(p)?),
        "controls" => VpaContainerField::Controls(p.iter().map(resource_name).collect()),
        _ => return Err(internal(span)),
    })
}

fn claim_field(keyword: &str, p: Vec<Pair<Rule>>, span: Span) -> Result<ClaimField> {
    let first = nth(&p, 0, span)?;
    Ok(match keyword {
        "size" => ClaimField::Size(name(first)),
        "access" => ClaimField::Access(name(first)),
        "storage-class" => ClaimField::StorageClass(string(first)?),
        "at" => ClaimField::MountAt(string(first)?),
        _ => return Err(internal(span)),
    })
}

fn producer_field(keyword: &str, p: Vec<Pair<Rule>>, span: Span) -> Result<ProducerField> {
    let first = nth(&p, 0, span)?;
    Ok(match keyword {
        "max-pending" => ProducerField::MaxPending(integer(first)?),
        "max-pending-across-partitions" => {
            ProducerField::MaxPendingAcrossPartitions(integer(first)?)
        }
        "thread-local" => ProducerField::ThreadLocal(boolean(first)),
        "batcher" => ProducerField::Batcher(name(first)),
        "compression" => ProducerField::Compression(name(first)),
        _ => return Err(internal(span)),
    })
}

/// One word of a `security { … }` block, with its argument where the word takes one.
fn relaxation(pair: Pair<Rule>) -> Result<Spanned<Relaxation>> {
    let span = span_of(&pair);
    let p = parts(pair);
    let word = nth(&p, 0, span)?;
    let args = &p[1..];
    let no_argument = |relaxation: Relaxation| -> Result<Relaxation> {
        match args.first() {
            None => Ok(relaxation),
            Some(extra) => Err(Diagnostic::error(
                Code::InvalidValue,
                span_of(extra),
                format!("`{}` takes no argument", word.as_str()),
            )),
        }
    };
    let relaxation = match (Relaxation::without_argument(word.as_str()), word.as_str()) {
        (Some(simple), _) => no_argument(simple)?,
        (None, Relaxation::NO_LIMITS) => {
            if args.iter().any(|a| a.as_rule() == Rule::list) {
                return Err(Diagnostic::error(
                    Code::InvalidValue,
                    span,
                    "`no-limits` takes resource names, not a list",
                )
                .help("write `no-limits cpu`, `no-limits memory` or `no-limits` for both"));
            }
            let mut resources: Vec<ResourceName> = args.iter().map(resource_name).collect();
            if resources.is_empty() {
                resources = vec![ResourceName::Cpu, ResourceName::Memory];
            }
            Relaxation::NoLimits(resources)
        }
        (None, Relaxation::CAPABILITIES) => {
            let list = match args {
                [list] if list.as_rule() == Rule::list => value(list.clone())?,
                _ => {
                    return Err(Diagnostic::error(
                        Code::InvalidValue,
                        span,
                        "`capabilities` takes a list of capability names",
                    )
                    .help("for example `capabilities [\"NET_BIND_SERVICE\"]`"))
                }
            };
            let Value::List(items) = list.value else {
                return Err(internal(span));
            };
            let mut names = Vec::new();
            for item in items {
                match &item.value {
                    Value::String(name)
                        if !name.is_empty()
                            && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') =>
                    {
                        names.push(Spanned::new(name.clone(), item.span))
                    }
                    _ => {
                        return Err(Diagnostic::error(
                            Code::InvalidValue,
                            item.span,
                            "not a Linux capability name",
                        )
                        .help(
                            "capability names are quoted upper-case words such as \"NET_ADMIN\"",
                        ))
                    }
                }
            }
            Relaxation::Capabilities(names)
        }
        (None, other) => {
            let mut diagnostic = Diagnostic::error(
                Code::InvalidValue,
                span_of(word),
                format!("`{other}` is not a security relaxation"),
            )
            .primary("unknown relaxation");
            diagnostic = match crate::suggest::help_for(other, Relaxation::WORDS.iter().copied()) {
                Some(help) => diagnostic.help(help),
                None => diagnostic.help(format!("one of: {}", Relaxation::WORDS.join(", "))),
            };
            return Err(diagnostic);
        }
    };
    Ok(Spanned::new(relaxation, span))
}

fn map_key(pair: &Pair<Rule>) -> Result<Spanned<String>> {
    let span = span_of(pair);
    let inner = pair.clone().into_inner().next();
    match inner {
        Some(s) if s.as_rule() == Rule::string => string(&s),
        _ => Ok(Spanned::new(pair.as_str().to_owned(), span)),
    }
}

fn map(pair: Pair<Rule>) -> Result<Spanned<Map>> {
    let span = span_of(&pair);
    let mut entries = Vec::new();
    for entry in parts(pair) {
        let e_span = span_of(&entry);
        let ep = parts(entry);
        let key = map_key(nth(&ep, 0, e_span)?)?;
        let val = value(nth(&ep, 1, e_span)?.clone())?;
        entries.push((key, val));
    }
    Ok(Spanned::new(entries, span))
}

fn value(pair: Pair<Rule>) -> Result<Spanned<Value>> {
    let span = span_of(&pair);
    let inner = match pair.as_rule() {
        Rule::value => pair.into_inner().next().ok_or_else(|| internal(span))?,
        _ => pair,
    };
    let v = match inner.as_rule() {
        Rule::string => Value::String(string(&inner)?.value),
        Rule::boolean => Value::Bool(boolean(&inner)),
        Rule::null => Value::Null,
        Rule::percent | Rule::measure => Value::Measure(inner.as_str().to_owned()),
        Rule::list => Value::List(parts(inner).into_iter().map(value).collect::<Result<_>>()?),
        Rule::map => Value::Map(map(inner)?.value),
        _ => return Err(internal(span)),
    };
    Ok(Spanned::new(v, span))
}
