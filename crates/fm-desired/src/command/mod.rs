//! The main container's command: `bash -c '<script>'` (upstream: `controllers/spec/common.go`,
//! `MakeJavaFunctionCommand`, `MakePythonFunctionCommand`, `MakeGoFunctionCommand`,
//! `MakeGenericFunctionCommand`; chosen per runtime by `makeFunctionCommand` in
//! `controllers/spec/function.go`).
//!
//! The script sets `SHARD_ID` from the pod ordinal, downloads the package if needed, writes
//! the generated log configuration, then `exec`s the instance runner so that it is PID 1's
//! direct replacement and receives the pod's signals. Every user value is single-quoted by
//! [`crate::quoting`], so the script is exact for any input.

pub mod auth;
mod generic;
mod go;
mod java;
mod python;

use crate::component::{Component, RuntimeRef};
use crate::details::FunctionDetails;
use crate::download::{self, Location};
use crate::labels::{GRPC_PORT, METRICS_PORT};
use crate::logging::{JavaLogSetup, PythonLogSetup};
use crate::options::Options;
use crate::quoting::Word;

/// First step of every script: the instance id is the StatefulSet pod ordinal.
pub const PRELUDE: &str = "SHARD_ID=${POD_NAME##*-} && echo shardId=${SHARD_ID}";

/// Where the instance's log configuration comes from (for volumes and mounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogFiles {
    Java(JavaLogSetup),
    Python(PythonLogSetup),
    None,
}

/// The container command and what it needs from the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `bash` (Java, Python, Go runners) or `sh` (generic runners).
    pub shell: &'static str,
    pub script: String,
    /// The package is downloaded into the download emptyDir.
    pub downloads: bool,
    pub log_files: LogFiles,
    /// Init-container mode: the download script the `downloader` init container runs.
    pub init_download: Option<String>,
    /// Whether the runner can live with a read-only root filesystem.
    pub read_only_root_ok: bool,
    /// Extra env vars for the main container (Go's `LOGGING_LEVEL`).
    pub env: Vec<(String, String)>,
}

impl Plan {
    pub fn command(&self) -> Vec<String> {
        vec![self.shell.to_owned(), "-c".to_owned(), self.script.clone()]
    }
}

/// Package file as the runner sees it, and how it gets there when it must be fetched:
/// a step of the main script, or (init-container mode) the downloader's script.
pub struct Package {
    pub path: String,
    pub download: Option<String>,
    pub init_download: Option<String>,
}

impl Package {
    pub fn fetched(&self) -> bool {
        self.download.is_some() || self.init_download.is_some()
    }
}

pub fn package(c: &Component<'_>, image: &str, options: &Options) -> Package {
    let (file, location) = c.runtime.package();
    match download::classify(location) {
        Location::InImage => Package {
            path: file.to_owned(),
            download: None,
            init_download: None,
        },
        location => {
            let dest = download::destination(file);
            if options.download_in_init_container {
                let image = downloader_image(c, options);
                Package {
                    path: dest.clone(),
                    download: None,
                    // The downloader's own env points HOME at its scratch volume.
                    init_download: download::step(c, &image, location, &dest, None),
                }
            } else {
                Package {
                    path: dest.clone(),
                    download: download::step(
                        c,
                        image,
                        location,
                        &dest,
                        Some(download::MAIN_CONTAINER_HOME),
                    ),
                    init_download: None,
                }
            }
        }
    }
}

/// Image of the init-container downloader: the spec's `downloaderImage`, else the option.
pub fn downloader_image(c: &Component<'_>, options: &Options) -> String {
    c.common
        .downloader_image
        .clone()
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| options.downloader_image.clone())
}

/// Arguments every Java/Python/generic instance takes, then authentication and TLS.
pub fn shared_args(
    c: &Component<'_>,
    details: &FunctionDetails,
    allow_insecure_flag: &str,
) -> Vec<Word> {
    fn lit(s: impl Into<String>) -> Word {
        Word::lit(s)
    }
    let mut args = vec![
        lit("--instance_id"),
        Word::raw("\"${SHARD_ID}\""),
        lit("--function_id"),
        Word::raw("\"${SHARD_ID}\"").then_lit(format!("-{}", c.function_id_suffix())),
        lit("--function_version"),
        lit("0"),
        lit("--function_details"),
        lit(details.to_json()),
        lit("--pulsar_serviceurl"),
        Word::raw("\"${brokerServiceURL}\""),
        lit("--max_buffered_tuples"),
        lit("100"),
        lit("--port"),
        lit(GRPC_PORT.to_string()),
        lit("--metrics_port"),
        lit(METRICS_PORT.to_string()),
        lit("--expected_healthcheck_interval"),
        lit("0"),
        lit("--cluster_name"),
        lit(c.cluster_name()),
    ];
    args.extend(auth::instance_auth_args(c.pulsar()));
    args.extend(auth::instance_tls_args(c.pulsar(), allow_insecure_flag));
    args
}

/// Builds the command for a component whose image is `image`.
pub fn plan(c: &Component<'_>, image: &str, options: &Options) -> Plan {
    let details = crate::details::build(c);
    let package = package(c, image, options);
    match c.runtime {
        RuntimeRef::Java(j) => java::plan(c, j, &details, package),
        RuntimeRef::Python(p) => python::plan(c, p, &details, package),
        RuntimeRef::Go(g) => go::plan(c, g, &details, package),
        RuntimeRef::Generic(g) => generic::plan(c, g, &details, package),
    }
}

/// Joins script steps with `&&` so any failure stops the start-up.
fn join(steps: Vec<String>) -> String {
    steps.join(" && ")
}

/// `mkdir -p <dir> && printf '%s' '<content>' > <path>`: writes a generated file.
fn write_file(dir: &str, path: &str, content: &str) -> String {
    use crate::quoting::quote;
    format!(
        "mkdir -p {} && printf '%s' {} > {}",
        quote(dir),
        quote(content),
        quote(path)
    )
}
