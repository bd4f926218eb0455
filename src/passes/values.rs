//! Sanity of values: replicas, autoscaling, resources, durations, URLs, enumerations,
//! packages against runtimes, and upstream's admission rules that fmc can check early.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use fm_api::common::ProcessingGuarantee;

use crate::model::words::SubscriptionType;
use crate::model::{Cluster, Mesh, Step};
use crate::syntax::ast::{ResourceName, Runtime, Spanned, StepKind};
use crate::units;

pub fn check(mesh: &Mesh, steps: &[&Step], diagnostics: &mut Diagnostics) {
    if mesh.clusters.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingSetting,
                mesh.name.span,
                "the mesh declares no Pulsar cluster",
            )
            .help("add `cluster NAME { broker \"pulsar://…\" admin \"http://…\" }`"),
        );
    }
    for cluster in &mesh.clusters {
        check_cluster(cluster, diagnostics);
    }
    for &step in steps {
        check_step(mesh, step, diagnostics);
    }
}

fn check_cluster(cluster: &Cluster, diagnostics: &mut Diagnostics) {
    match &cluster.broker {
        None => diagnostics.push(missing(
            cluster.name.span,
            format!("cluster `{}` has no `broker` URL", cluster.name.value),
            "add `broker \"pulsar://host:6650\"`",
        )),
        Some(url) => scheme(url, &["pulsar://", "pulsar+ssl://"], "broker", diagnostics),
    }
    match &cluster.admin {
        None => diagnostics.push(missing(
            cluster.name.span,
            format!("cluster `{}` has no `admin` URL", cluster.name.value),
            "add `admin \"http://host:8080\"`",
        )),
        Some(url) => scheme(url, &["http://", "https://"], "admin", diagnostics),
    }
    if let Some(url) = &cluster.state {
        scheme(url, &["bk://"], "state storage", diagnostics);
    }
    if let Some(generic) = &cluster.generic_auth {
        for field in ["plugin", "params"] {
            if !generic.value.contains_key(field) {
                diagnostics.push(missing(
                    generic.span,
                    format!("`auth generic` needs `{field}`"),
                    "write `auth generic { plugin \"org.apache.pulsar.client.impl.auth.AuthenticationToken\" params \"token:file:///path\" }`",
                ));
            }
        }
    }
    if let Some(oauth2) = &cluster.oauth2 {
        for field in ["issuer", "audience", "key-secret", "key"] {
            if !oauth2.value.contains_key(field) {
                diagnostics.push(missing(
                    oauth2.span,
                    format!("`auth oauth2` needs `{field}`"),
                    "oauth2 needs issuer, audience, key-secret and key",
                ));
            }
        }
    }
}

fn scheme(url: &Spanned<String>, schemes: &[&str], what: &str, diagnostics: &mut Diagnostics) {
    let ok = schemes.iter().any(|s| {
        url.value
            .strip_prefix(s)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
    });
    if !ok {
        diagnostics.push(
            Diagnostic::error(
                Code::Url,
                url.span,
                format!("the {what} URL must start with {}", schemes.join(" or ")),
            )
            .primary("wrong scheme or no host"),
        );
    }
}

fn missing(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::MissingSetting, span, message).help(help.to_owned())
}

fn check_step(mesh: &Mesh, step: &Step, diagnostics: &mut Diagnostics) {
    let s = &step.settings;
    let who = &step.name.value;

    if mesh.step_cluster(step).is_none()
        && s.cluster.is_none()
        && mesh.default_cluster.is_none()
        && mesh.clusters.len() > 1
    {
        diagnostics.push(missing(
            step.name.span,
            format!("step `{who}` does not say which cluster it runs on"),
            "add `cluster NAME` to the step (or a defaults block), or `default-cluster NAME` to the mesh",
        ));
    }

    // Runtime, class and package.
    let runtime = step.runtime.value;
    match (runtime, &step.class) {
        (Runtime::Go, Some(class)) => diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                class.span,
                "go functions have no class name",
            )
            .help("remove the string after `go`: the package is the executable"),
        ),
        (Runtime::Go, None) => {}
        (r, None) if r.needs_class() => diagnostics.push(missing(
            step.runtime.span,
            format!("step `{who}` needs a class name after `{}`", runtime.word()),
            "e.g. `java \"org.example.MyFunction\"`",
        )),
        (_, _) => {}
    }
    if runtime == Runtime::Connector && step.kind.value == StepKind::Function {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            step.runtime.span,
            "functions run `java`, `python`, `go`, `nodejs`, `wasm`, `executable` or `generic-python`; `connector` is for sources and sinks",
        ));
    }
    if runtime != Runtime::Connector && step.kind.value != StepKind::Function {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                step.runtime.span,
                format!("a {} is a `connector`", step.kind.value.word()),
            )
            .help("write `= connector \"org.example.ConnectorClass\"`"),
        );
    }
    match &s.package {
        None => diagnostics.push(missing(step.name.span, format!("step `{who}` has no `package`"), "add `package \"function://tenant/ns/name@version\"`, an http(s) URL, or the path of the file inside the image")),
        Some(package) => check_package(runtime, package, s.file.as_ref(), diagnostics),
    }

    if let Some(t) = &s.termination_grace {
        if units::duration_ms(&t.value).is_none() {
            diagnostics.push(duration_error(t, "termination grace period"));
        }
    }
    if let Some(state) = &s.state {
        match &state.value {
            Some(url) => scheme(url, &["bk://"], "state storage", diagnostics),
            None => {
                if mesh.step_cluster(step).is_some_and(|c| c.state.is_none()) {
                    diagnostics.push(missing(
                        state.span,
                        format!("step `{who}` asks for state but its cluster has no `state` URL"),
                        "add `state \"bk://bookie:4181\"` to the cluster, or give the URL here",
                    ));
                }
            }
        }
        if runtime == Runtime::Go {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    state.span,
                    "go functions cannot use state storage",
                )
                .help("the Pulsar Go runtime has no state API"),
            );
        }
    }

    // Upstream's admission rules (effectively-once with a timeout, retries or key-shared
    // ordering, …) are `fm_desired::validate`'s, reported as `fmc::admission` by codegen.
    // Upstream checks key-shared ordering against effectively-once for Functions only (that
    // rule is `fm_desired::validate`'s); a Sink with both subscribes failover, as every
    // effectively-once instance does, and silently loses the ordering asked for.
    let effectively_once = s
        .guarantee
        .as_ref()
        .is_some_and(|g| g.value == ProcessingGuarantee::EffectivelyOnce);
    if let Some(t) = s
        .subscription_type
        .as_ref()
        .filter(|t| t.value == SubscriptionType::KeyShared)
        .filter(|_| effectively_once && step.kind.value == StepKind::Sink)
    {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            t.span,
            "a key-shared subscription cannot be combined with `guarantee effectively-once`",
        ));
    }
    if let Some(dlq) = &s.dead_letter {
        if s.max_retries.as_ref().is_none_or(|r| r.value <= 0) {
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingSetting,
                    dlq.span,
                    "a dead-letter topic needs `max-retries N` with N > 0",
                )
                .help("messages go to the dead-letter topic after that many failed attempts"),
            );
        }
    }
    if let Some(r) = &s.max_retries {
        if r.value < 0 || r.value > i32::MAX as i64 {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                r.span,
                "max-retries must be between 0 and 2147483647",
            ));
        }
    }

    check_replicas(step, diagnostics);
    check_resources(step, diagnostics);
}

fn duration_error(t: &Spanned<String>, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        t.span,
        format!("`{}` is not a valid {what}", t.value),
    )
    .primary("expected a duration")
    .help("write a whole number with a unit: `500ms`, `30s`, `5m` or `1h`")
}

fn check_package(
    runtime: Runtime,
    package: &Spanned<String>,
    file: Option<&Spanned<String>>,
    diagnostics: &mut Diagnostics,
) {
    let p = &package.value;
    if let Some(rest) = ["function://", "source://", "sink://"]
        .iter()
        .find_map(|s| p.strip_prefix(s))
    {
        let path = rest.split('@').next().unwrap_or("");
        if path.split('/').count() != 3 || path.split('/').any(str::is_empty) {
            diagnostics.push(
                Diagnostic::error(
                    Code::Url,
                    package.span,
                    "a package URL is `function://tenant/namespace/name[@version]`",
                )
                .primary("expected three path segments"),
            );
        }
    } else if p.starts_with("http://") || p.starts_with("https://") {
        // Downloaded with wget; nothing more to check without fetching it.
    } else if p.contains("://") {
        diagnostics.push(
            Diagnostic::error(Code::Url, package.span, "unsupported package scheme").help(
                "use function://, source://, sink://, http(s)://, or a path inside the image",
            ),
        );
    }
    let named = file.map(|f| f.value.as_str()).unwrap_or(p.as_str());
    let name = named
        .split('@')
        .next()
        .unwrap_or(named)
        .rsplit('/')
        .next()
        .unwrap_or(named);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let allowed: &[&str] = match runtime {
        Runtime::Java => &["jar", "nar"],
        Runtime::Connector => &["nar", "jar"],
        Runtime::Python => &["py", "zip", "whl", "pex"],
        Runtime::Go | Runtime::Executable => &[],
        Runtime::NodeJs => &["js", "mjs", "cjs", "zip", "tgz"],
        Runtime::Wasm => &["wasm"],
        Runtime::GenericPython => &["py", "zip", "whl"],
    };
    let span = file.map(|f| f.span).unwrap_or(package.span);
    match (runtime, ext.as_deref()) {
        (Runtime::Go, Some(e @ ("jar" | "nar" | "py" | "zip" | "whl"))) => diagnostics.push(
            Diagnostic::error(
                Code::PackageKind,
                span,
                format!("a `.{e}` package cannot run on the go runtime"),
            )
            .help("go functions are a compiled executable"),
        ),
        (Runtime::Go | Runtime::Executable, _) | (_, None) => {}
        (_, Some(e)) if !allowed.contains(&e) => diagnostics.push(
            Diagnostic::error(
                Code::PackageKind,
                span,
                format!(
                    "a `.{e}` package cannot run on the {} runtime",
                    runtime.word()
                ),
            )
            .help(format!(
                "{} steps take {}",
                runtime.word(),
                allowed
                    .iter()
                    .map(|a| format!(".{a}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ),
        _ => {}
    }
}

fn check_replicas(step: &Step, diagnostics: &mut Diagnostics) {
    let s = &step.settings;
    if let Some(r) = &s.replicas {
        let (min, max) = &r.value;
        if min.value < 0 || min.value > i32::MAX as i64 {
            diagnostics.push(Diagnostic::error(
                Code::Replicas,
                min.span,
                "replicas must be 0 or more",
            ));
        }
        if let Some(max) = max {
            if max.value < min.value {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Replicas,
                        r.span,
                        format!(
                            "the maximum ({}) is below the minimum ({})",
                            max.value, min.value
                        ),
                    )
                    .primary("min..max reversed")
                    .help("write `replicas MIN..MAX` with MIN <= MAX"),
                );
            } else if min.value < 1 {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Replicas,
                        min.span,
                        "an autoscaled step needs at least 1 replica",
                    )
                    .help("the autoscaler cannot scale up from 0 replicas"),
                );
            } else if max.value > i32::MAX as i64 {
                diagnostics.push(Diagnostic::error(
                    Code::Replicas,
                    max.span,
                    "maximum replicas out of range",
                ));
            }
        }
    }
    let autoscaled = s.replicas.as_ref().is_some_and(|r| r.value.1.is_some());
    for percent in s.autoscale.values() {
        if !(1.0..=100.0).contains(&percent.value) || percent.value.fract() != 0.0 {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                percent.span,
                "utilisation targets are whole percentages from 1% to 100%",
            ));
        }
        if !autoscaled {
            diagnostics.push(
                Diagnostic::warning(
                    Code::Replicas,
                    percent.span,
                    "`autoscale` has no effect without a replica range",
                )
                .help("write `replicas MIN..MAX` to enable the autoscaler"),
            );
        }
    }
}

fn check_resources(step: &Step, diagnostics: &mut Diagnostics) {
    let s = &step.settings;
    for (resource, amount) in s.requests.iter().chain(&s.limits) {
        match units::quantity(&amount.value) {
            None => diagnostics.push(
                Diagnostic::error(
                    Code::Resources,
                    amount.span,
                    format!("`{}` is not a Kubernetes quantity", amount.value),
                )
                .help("e.g. cpu `500m`, `1`, `2.5`; memory `512Mi`, `1Gi`, `1G`"),
            ),
            Some(v) if v <= 0.0 => diagnostics.push(Diagnostic::error(
                Code::Resources,
                amount.span,
                format!("{} must be more than zero", word(*resource)),
            )),
            Some(_) => {}
        }
    }
    for (resource, request) in &s.requests {
        if let Some(limit) = s.limits.get(resource) {
            if let (Some(r), Some(l)) = (
                units::quantity(&request.value),
                units::quantity(&limit.value),
            ) {
                if r > l {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Resources,
                            request.span,
                            format!(
                                "the {} request ({}) is above its limit ({})",
                                word(*resource),
                                request.value,
                                limit.value
                            ),
                        )
                        .label(limit.span, "limit")
                        .help("a container can never be granted more than its limit"),
                    );
                }
            }
        }
    }
}

fn word(r: ResourceName) -> &'static str {
    match r {
        ResourceName::Cpu => "cpu",
        ResourceName::Memory => "memory",
    }
}
