//! log4j2 reads a YAML configuration with SnakeYAML, i.e. YAML 1.1, where a plain `OFF` is the
//! boolean `false`; PyYAML reads YAML 1.1 the same way.

#[path = "../../fm-api/tests/support/yaml.rs"]
mod support;

use fm_api::common::{JavaLog4jConfigFileType, LogLevel, RuntimeLogConfig};
use fm_desired::logging::{java_setup, JavaLogSetup};

#[test]
fn a_yaml_config_at_off_reads_as_off_in_yaml_1_1() {
    let cfg = RuntimeLogConfig {
        level: Some(LogLevel::Off),
        java_log4j_config_file_type: Some(JavaLog4jConfigFileType::Yaml),
        ..Default::default()
    };
    let JavaLogSetup::Generated { content, .. } = java_setup(Some(&cfg), false) else {
        panic!("a generated configuration")
    };
    let read = support::pyyaml_documents(&content).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read[0]["Configuration"]["Properties"]["Property"][0]["value"], "OFF",
        "\n{content}"
    );
}
