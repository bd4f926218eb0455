//! The Python instance: `python_instance_main.py` (Functions only).

use fm_api::common::PythonRuntime;

use super::{join, shared_args, write_file, LogFiles, Package, Plan, PRELUDE};
use crate::component::Component;
use crate::details::FunctionDetails;
use crate::logging::{self, PythonLogSetup};
use crate::quoting::{command_line, quote, Word};

pub const MAIN: &str = "/pulsar/instances/python-instance/python_instance_main.py";
pub const SECRETS_PROVIDER: &str = "secretsprovider.EnvironmentBasedSecretsProvider";
/// `python_instance_main.py` names this flag `--tls_allow_insecure_connection`; upstream
/// passed the Java name, which argparse only accepted by prefix abbreviation.
pub const TLS_ALLOW_INSECURE_FLAG: &str = "--tls_allow_insecure_connection";

pub fn plan(
    c: &Component<'_>,
    p: &PythonRuntime,
    details: &FunctionDetails,
    package: Package,
) -> Plan {
    fn lit(s: impl Into<String>) -> Word {
        Word::lit(s)
    }
    let log = logging::python_setup(p.log.as_ref(), crate::filebeat::wanted(c));
    let mut steps = vec![PRELUDE.to_owned()];
    steps.extend(package.download.clone());
    // The runner's log.py forces INFO after loading the config file, whether generated or
    // the user's own; comment that line out so the file's levels hold (upstream always does).
    steps.push(
        "sed -i.bak 's/^  Log.setLevel/#&/' /pulsar/instances/python-instance/log.py".to_owned(),
    );
    // The instance logs to logs/functions/<tenant>/<namespace>/<name>/; the time-rotating
    // handler does not create directories, so make it up front.
    steps.push(format!(
        "mkdir -p {}",
        quote(&format!(
            "{}/{}/{}/{}",
            logging::FUNCTION_LOG_DIR,
            c.tenant(),
            c.pulsar_namespace(),
            c.pulsar_name()
        ))
    ));
    if let PythonLogSetup::Generated { path, content } = &log {
        steps.push(write_file(logging::PYTHON_LOG_DIR, path, content));
    }
    let mut words = vec![
        lit("exec"),
        lit("python"),
        lit(MAIN),
        lit("--py"),
        lit(&package.path),
        lit("--logging_directory"),
        lit(logging::FUNCTION_LOG_DIR),
        lit("--logging_file"),
        lit(c.pulsar_name()),
        lit("--logging_config_file"),
        lit(log.path()),
        lit("--install_usercode_dependencies"),
        lit("true"),
    ];
    words.extend(shared_args(c, details, TLS_ALLOW_INSECURE_FLAG));
    if c.has_secrets() {
        words.extend([lit("--secrets_provider"), lit(SECRETS_PROVIDER)]);
    }
    if let Some(state) = c.state_storage() {
        words.extend([lit("--state_storage_serviceurl"), lit(&state.service_url)]);
    }
    steps.push(command_line(&words));
    Plan {
        shell: "bash",
        script: join(steps),
        downloads: package.fetched(),
        init_download: package.init_download.clone(),
        log_files: LogFiles::Python(log),
        // The runner patches its own log.py and unpacks .whl/.zip packages next to them.
        read_only_root_ok: false,
        env: Vec::new(),
    }
}
