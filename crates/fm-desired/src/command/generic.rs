//! The generic runtime (`pulsar_rust_instance`, for nodejs/python/executable/wasm code).

use fm_api::common::GenericRuntime;

use super::{join, shared_args, LogFiles, Package, Plan, PRELUDE};
use crate::component::Component;
use crate::details::FunctionDetails;
use crate::quoting::{command_line, Word};

pub fn plan(
    c: &Component<'_>,
    g: &GenericRuntime,
    details: &FunctionDetails,
    package: Package,
) -> Plan {
    fn lit(s: impl Into<String>) -> Word {
        Word::lit(s)
    }
    let mut steps = vec![PRELUDE.to_owned()];
    steps.extend(package.download.clone());
    let mut words = vec![
        lit("exec"),
        lit("pulsar_rust_instance"),
        lit("--function_file"),
        lit(&package.path),
        lit("--language"),
        lit(&g.language),
    ];
    words.extend(shared_args(
        c,
        details,
        super::java::TLS_ALLOW_INSECURE_FLAG,
    ));
    if c.has_secrets() {
        let provider = match g.language.as_str() {
            "python" => "secrets_provider.EnvironmentBasedSecretsProvider",
            _ => "EnvironmentBasedSecretsProvider",
        };
        words.extend([lit("--secrets_provider"), lit(provider)]);
    }
    if let Some(state) = c.state_storage() {
        words.extend([lit("--state_storage_serviceurl"), lit(&state.service_url)]);
    }
    steps.push(command_line(&words));
    Plan {
        // The generic runner images are minimal and ship `sh`, not bash.
        shell: "sh",
        script: join(steps),
        downloads: package.fetched(),
        init_download: package.init_download.clone(),
        log_files: LogFiles::None,
        read_only_root_ok: false,
        env: Vec::new(),
    }
}
