//! The Go instance: the user's binary, configured by a JSON document (`-instance-conf`)
//! whose keys are those of pulsar-function-go's `conf.Conf`.

use fm_api::common::GoRuntime;
use serde_json::{json, Map, Value};

use super::{auth, join, LogFiles, Package, Plan, PRELUDE};
use crate::component::Component;
use crate::details::model::ProcessingGuarantees;
use crate::details::FunctionDetails;
use crate::labels::{GRPC_PORT, METRICS_PORT};
use crate::logging;
use crate::quoting::{command_line, quote, Word};

/// Placeholders for the values only known in the pod. `tag` makes them unique: it is chosen
/// so that no user-supplied text in the document contains them.
struct Placeholders {
    shard_number: String,
    shard_text: String,
    broker_url: String,
    web_url: String,
}

impl Placeholders {
    fn new(tag: usize) -> Placeholders {
        Placeholders {
            shard_number: format!("@@fm{tag}-shard-number@@"),
            shard_text: format!("@@fm{tag}-shard@@"),
            broker_url: format!("@@fm{tag}-broker-url@@"),
            web_url: format!("@@fm{tag}-web-url@@"),
        }
    }
}

/// The Go config document with placeholders for the values only known in the pod.
fn conf(c: &Component<'_>, details: &FunctionDetails, ph: &Placeholders) -> Map<String, Value> {
    let source = details.source.clone().unwrap_or_default();
    let sink = details.sink.clone().unwrap_or_default();
    let resources = details.resources.clone().unwrap_or_default();
    let retry = details.retry_details.clone().unwrap_or_default();
    // The Go instance reads one input topic: the first listed, else the pattern.
    let input = c.specific_input();
    let (topic, is_regex) = match input {
        Some((topics, pattern)) => match (topics.first(), pattern) {
            (Some(t), _) => (t.clone(), false),
            (None, Some(p)) => (p.to_owned(), true),
            (None, None) => (String::new(), false),
        },
        None => (String::new(), false),
    };
    let consumer = source.input_specs.get(&topic).cloned().unwrap_or_default();
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("pulsarServiceURL", json!(ph.broker_url));
    put("pulsarWebServiceUrl", json!(ph.web_url));
    if let Some(state) = c.state_storage() {
        put("stateStorageServiceUrl", json!(state.service_url));
    }
    put("instanceID", json!(ph.shard_number));
    put(
        "funcID",
        json!(format!("{}-{}", ph.shard_text, c.function_id_suffix())),
    );
    put("funcVersion", json!("0"));
    put("maxBufTuples", json!(100));
    put("port", json!(GRPC_PORT));
    put("clusterName", json!(c.cluster_name()));
    put("tenant", json!(details.tenant));
    put("nameSpace", json!(details.namespace));
    put("name", json!(details.name));
    put("logTopic", json!(details.log_topic));
    put(
        "processingGuarantees",
        json!(match details.processing_guarantees {
            ProcessingGuarantees::AtleastOnce => 0,
            ProcessingGuarantees::AtmostOnce => 1,
            ProcessingGuarantees::EffectivelyOnce => 2,
            ProcessingGuarantees::Manual => 3,
        }),
    );
    put("secretsMap", json!(details.secrets_map));
    put("runtime", json!(3));
    put("autoAck", json!(details.auto_ack));
    put("parallelism", json!(details.parallelism));
    // New-style credentials only: legacy Secret values are env vars whose JSON escaping
    // cannot be done at generation time (upstream gave Go no credentials at all).
    if let Some(a) = c.auth_config() {
        if let Some(o) = &a.oauth2_config {
            put("clientAuthenticationPlugin", json!(auth::OAUTH2_PLUGIN));
            put(
                "clientAuthenticationParameters",
                json!(auth::oauth2_params(o, auth::Mounts::MAIN.oauth2_dir)),
            );
        } else if let Some(g) = &a.generic_auth {
            put(
                "clientAuthenticationPlugin",
                json!(g.client_authentication_plugin),
            );
            put(
                "clientAuthenticationParameters",
                json!(g.client_authentication_parameters),
            );
        }
    }
    if let Some(t) = c.tls_config().filter(|t| t.enabled.unwrap_or(false)) {
        if let Some(path) = c
            .pulsar()
            .and_then(|p| auth::tls_cert_path(p, auth::Mounts::MAIN))
        {
            put("tlsTrustCertsFilePath", json!(path));
        }
        put(
            "tlsAllowInsecureConnection",
            json!(t.allow_insecure.unwrap_or(false)),
        );
        put(
            "tlsHostnameVerificationEnable",
            json!(t.hostname_verification.unwrap_or(true)),
        );
    }
    // Upstream leaves the subscription type at SHARED and sets no position (its Go
    // configuration has no such key), so the Go instance subscribes SHARED from LATEST
    // whatever the spec asks; it also refuses a non-shared subscription with parallelism > 1.
    put("subscriptionType", json!(0));
    put("timeoutMs", json!(source.timeout_ms));
    put("subscriptionName", json!(source.subscription_name));
    put("cleanupSubscription", json!(source.cleanup_subscription));
    put("sourceSpecsTopic", json!(topic));
    put("sourceSchemaType", json!(consumer.schema_type));
    put("isRegexPatternSubscription", json!(is_regex));
    put(
        "receiverQueueSize",
        json!(consumer.receiver_queue_size.map(|r| r.value).unwrap_or(0)),
    );
    put("sinkSpecsTopic", json!(sink.topic));
    put("sinkSchemaType", json!(sink.schema_type));
    put("cpu", json!(resources.cpu));
    put("ram", json!(resources.ram));
    put("disk", json!(resources.disk));
    put("maxMessageRetries", json!(retry.max_message_retries));
    put("deadLetterTopic", json!(retry.dead_letter_topic));
    // -1 disables the instance's self-check for health pings no spawner sends here.
    put("expectedHealthCheckInterval", json!(-1));
    put("userConfig", json!(details.user_config));
    put("metricsPort", json!(METRICS_PORT));
    m
}

/// The shell word holding the config: JSON single-quoted, run-time values spliced in.
pub fn conf_word(c: &Component<'_>, details: &FunctionDetails) -> Word {
    let mut tag = 0;
    loop {
        let ph = Placeholders::new(tag);
        let text = Value::Object(conf(c, details, &ph)).to_string();
        let unique = [
            &ph.shard_number,
            &ph.shard_text,
            &ph.broker_url,
            &ph.web_url,
        ]
        .iter()
        .all(|p| text.matches(p.as_str()).count() == 1);
        // User text would have to contain every tag tried to keep this looping; it cannot
        // contain infinitely many, so the loop ends.
        if unique {
            let quoted_number = format!("\"{}\"", ph.shard_number);
            return Word::template(
                &text,
                &[
                    (quoted_number.as_str(), "\"${SHARD_ID}\""),
                    (ph.shard_text.as_str(), "\"${SHARD_ID}\""),
                    (ph.broker_url.as_str(), "\"${brokerServiceURL}\""),
                    (ph.web_url.as_str(), "\"${webServiceURL}\""),
                ],
            );
        }
        tag += 1;
    }
}

pub fn plan(c: &Component<'_>, g: &GoRuntime, details: &FunctionDetails, package: Package) -> Plan {
    let mut steps = vec![PRELUDE.to_owned()];
    steps.extend(package.download.clone());
    // A bare name would be looked up on $PATH by exec; run it from the working directory.
    let binary = if package.path.starts_with('/') {
        package.path.clone()
    } else {
        format!("./{}", package.path)
    };
    if package.fetched() {
        steps.push(format!("chmod +x {}", quote(&binary)));
    }
    steps.push(format!(
        "GO_FUNCTION_CONF={}",
        conf_word(c, details).render()
    ));
    steps.push(command_line(&[
        Word::lit("exec"),
        Word::lit(binary),
        Word::lit("-instance-conf"),
        Word::raw("\"${GO_FUNCTION_CONF}\""),
    ]));
    let mut env = Vec::new();
    let log = g.log.as_ref();
    if log.and_then(|l| l.log_config.as_ref()).is_none() {
        let level = log
            .and_then(|l| l.level)
            .map(logging::go_level)
            .unwrap_or("info");
        env.push(("LOGGING_LEVEL".to_owned(), level.to_owned()));
    }
    Plan {
        shell: "bash",
        script: join(steps),
        downloads: package.fetched(),
        init_download: package.init_download.clone(),
        log_files: LogFiles::None,
        read_only_root_ok: true,
        env,
    }
}
