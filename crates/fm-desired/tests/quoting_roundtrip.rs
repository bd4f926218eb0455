//! User config full of shell metacharacters reaches the runner unchanged: read back by the
//! test's own unquoter, and executed by a real bash with a stand-in `java`.

mod common;

use common::shell;
use fm_api::Function;
use fm_desired::{desired_for, quoting, Options};
use proptest::prelude::*;

const NASTY: &str =
    "it's \"quoted\" $HOME ${X} `uname` $(id) \\ back\nnew line\ttab ; && || * ? [a] ~ # !";

fn function_with(config_value: &str) -> Function {
    let mut f: Function = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: q, namespace: ns }
spec:
  className: org.example.Q
  input: { topics: [persistent://public/default/in] }
  pulsar: { pulsarConfig: cluster }
  java:
    jar: /pulsar/q.jar
    log: { logConfig: { name: my-log, key: log4j2.xml } }
"#,
    )
    .expect("parses");
    let mut cfg = serde_json::Map::new();
    cfg.insert(
        "value".into(),
        serde_json::Value::String(config_value.to_owned()),
    );
    cfg.insert("it's".into(), serde_json::json!({"nested": [config_value]}));
    f.spec.func_config = Some(cfg.into());
    f
}

fn script(f: &Function) -> String {
    let objects = desired_for(f, None, &Options::default()).expect("valid");
    let pod = objects
        .statefulset
        .spec
        .and_then(|s| s.template.spec)
        .expect("pod");
    pod.containers
        .last()
        .and_then(|c| c.command.clone())
        .expect("command")[2]
        .clone()
}

fn user_config_of(words: &[String]) -> serde_json::Value {
    let at = words
        .iter()
        .position(|w| w == "--function_details")
        .expect("details flag");
    let details: serde_json::Value = serde_json::from_str(&words[at + 1]).expect("details JSON");
    serde_json::from_str(details["userConfig"].as_str().expect("userConfig string"))
        .expect("userConfig JSON")
}

#[test]
fn nasty_config_round_trips_through_the_unquoter() {
    let words = shell::exec_words(&script(&function_with(NASTY)));
    let user = user_config_of(&words);
    assert_eq!(user["value"], NASTY);
    assert_eq!(user["it's"]["nested"][0], NASTY);
}

/// Runs the script under bash with `java` replaced by a script printing its arguments, one
/// per NUL-terminated record. Skipped when bash is not installed.
fn run_under_bash(script: &str) -> Option<Vec<String>> {
    let bash = ["/bin/bash", "/usr/bin/bash"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let dir = std::env::temp_dir().join(format!("fm-desired-quoting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let java = dir.join("java");
    std::fs::write(&java, "#!/bin/sh\nprintf '%s\\0' \"$@\"\n").expect("write stub");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&java, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let out = std::process::Command::new(bash)
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", dir.display()))
        .env("POD_NAME", "q-function-3")
        .env("brokerServiceURL", "pulsar://broker:6650")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    // The first line is the `echo shardId=…` of the prelude.
    let args = stdout.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    Some(
        args.split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn nasty_config_round_trips_through_bash() {
    let Some(args) = run_under_bash(&script(&function_with(NASTY))) else {
        eprintln!("bash not found; skipping");
        return;
    };
    let user = user_config_of(&args);
    assert_eq!(user["value"], NASTY);
    let at = args
        .iter()
        .position(|a| a == "--instance_id")
        .expect("instance id");
    assert_eq!(args[at + 1], "3", "SHARD_ID comes from the pod ordinal");
    let at = args
        .iter()
        .position(|a| a == "--pulsar_serviceurl")
        .expect("service url");
    assert_eq!(args[at + 1], "pulsar://broker:6650");
    assert!(
        args.contains(&"-Dpulsar.functions.instance.classpath=/pulsar/lib/*".to_owned()),
        "no glob expansion"
    );
}

proptest! {
    #[test]
    fn quote_then_unquote_is_identity(s in any::<String>()) {
        let quoted = quoting::quote(&s);
        let words = shell::words(&quoted);
        prop_assert_eq!(words, vec![s]);
    }

    #[test]
    fn any_config_value_round_trips(s in "[ -~\n\t]{0,40}") {
        let words = shell::exec_words(&script(&function_with(&s)));
        prop_assert_eq!(&user_config_of(&words)["value"], &serde_json::Value::String(s));
    }
}
