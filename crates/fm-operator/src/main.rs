//! `fm-operator`: run the controllers, or render / print CRDs without a cluster.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use fm_operator::context::{Context, EventSettings};
use fm_operator::metrics::Metrics;
use fm_operator::webhook::{self, Endpoint, FailurePolicy};
use fm_operator::{controllers, discovery, leader};
use k8s_openapi::api::coordination::v1::Lease;
use kube::{Api, Client};
use tracing::{error, info, warn};

#[derive(Parser)]
#[command(
    name = "fm-operator",
    version,
    about = "Kubernetes operator for Function Mesh resources"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Watch the cluster and reconcile (what the Deployment runs).
    Run(Box<RunArgs>),
    /// Print the objects the operator would apply for the resources in a file (or `-`).
    Render {
        #[arg(short = 'f', long = "filename")]
        file: String,
        /// The operator's configuration file, as for `run`.
        #[arg(long)]
        config: Option<String>,
    },
    /// Print the CustomResourceDefinitions.
    Crds,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The configuration file: runner images, pull secrets and policy, pod labels and
    /// annotations, package download (README, "Configuration file"). Read at start.
    #[arg(long, env = "FM_CONFIG")]
    config: Option<String>,
    /// Namespace to watch; repeat for several. Default: all namespaces.
    #[arg(long = "namespace", env = "FM_WATCH_NAMESPACES", value_delimiter = ',')]
    namespaces: Vec<String>,
    /// Take a coordination.k8s.io Lease before acting, so several replicas can run safely.
    #[arg(long, env = "FM_LEADER_ELECT")]
    leader_elect: bool,
    #[arg(
        long,
        env = "FM_LEASE_NAMESPACE",
        default_value = "function-mesh-system"
    )]
    lease_namespace: String,
    #[arg(long, env = "FM_LEASE_NAME", default_value = "fm-operator")]
    lease_name: String,
    /// Address for /metrics, /healthz and /readyz.
    #[arg(long, env = "FM_METRICS_ADDR", default_value = "0.0.0.0:8080")]
    metrics_addr: String,
    #[arg(long, env = "FM_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Never roll existing StatefulSets unless their resource changed.
    #[arg(long, env = "FM_PAUSE_ROLLOUT")]
    pause_rollout: bool,
    /// Spread replicas over nodes with a preferred anti-affinity.
    #[arg(long, env = "FM_DEFAULT_AFFINITY", default_value_t = true, action = clap::ArgAction::Set)]
    default_affinity: bool,
    /// Seconds between two Warning Events of one reason on one object (a failing resource is
    /// retried more often than that).
    #[arg(long, env = "FM_EVENT_INTERVAL", default_value_t = 60)]
    event_interval: u64,
    /// Seconds a deleted resource waits for its subscription clean-up Job to succeed; then
    /// (or when the Job fails) it is released anyway, with a Warning Event.
    #[arg(long, env = "FM_CLEANUP_TIMEOUT", default_value_t = fm_operator::context::DEFAULT_CLEANUP_TIMEOUT.as_secs())]
    cleanup_timeout: u64,
    /// Serve the admission webhooks (HTTPS) on this address; off when unset.
    #[arg(long, env = "FM_WEBHOOK_ADDR")]
    webhook_addr: Option<std::net::SocketAddr>,
    /// Register the webhooks by this HTTPS base URL (out-of-cluster runs).
    #[arg(long, env = "FM_WEBHOOK_URL", value_parser = Endpoint::url, conflicts_with = "webhook_service")]
    webhook_url: Option<Endpoint>,
    /// Register the webhooks through this Service, port 443 (in-cluster; `[NAMESPACE/]NAME`,
    /// by default in the lease namespace, the operator's own).
    #[arg(long, env = "FM_WEBHOOK_SERVICE", value_parser = Endpoint::service)]
    webhook_service: Option<Endpoint>,
    /// The Secret, in the lease namespace, that holds the webhook's certificate.
    #[arg(
        long,
        env = "FM_WEBHOOK_SECRET",
        default_value = "fm-operator-webhook-cert"
    )]
    webhook_secret: String,
    /// What the API server does while no replica answers: admit unchecked (the reconciler
    /// still reports invalid resources) or refuse.
    #[arg(
        long,
        env = "FM_WEBHOOK_FAILURE_POLICY",
        value_enum,
        default_value = "ignore"
    )]
    webhook_failure_policy: FailurePolicy,
    /// The BackendConfig applied to every Function, Source and Sink; empty: none.
    #[arg(
        long,
        env = "FM_GLOBAL_BACKEND_CONFIG",
        default_value = "global-backend-config"
    )]
    global_backend_config: String,
    /// The namespace of `--global-backend-config`. Default: the lease namespace (the
    /// operator's own).
    #[arg(long, env = "FM_GLOBAL_BACKEND_CONFIG_NAMESPACE")]
    global_backend_config_namespace: Option<String>,
    /// The name of the BackendConfig applied to the resources of its own namespace; empty: none.
    #[arg(
        long,
        env = "FM_NAMESPACED_BACKEND_CONFIG",
        default_value = "backend-config"
    )]
    namespaced_backend_config: String,
}

impl RunArgs {
    /// Which BackendConfigs apply.
    fn backend_config_names(&self) -> fm_operator::backend_config::Names {
        let namespace = self
            .global_backend_config_namespace
            .clone()
            .unwrap_or_else(|| self.lease_namespace.clone());
        fm_operator::backend_config::Names {
            global: (!self.global_backend_config.is_empty())
                .then(|| (self.global_backend_config.clone(), namespace)),
            namespaced: (!self.namespaced_backend_config.is_empty())
                .then(|| self.namespaced_backend_config.clone()),
        }
    }

    /// The webhook configuration, when `--webhook-addr` asks for one; an error when it lacks
    /// an endpoint to register.
    fn webhook(&self) -> anyhow::Result<Option<webhook::Config>> {
        let Some(addr) = self.webhook_addr else {
            return Ok(None);
        };
        let Some(endpoint) = self
            .webhook_url
            .clone()
            .or_else(|| self.webhook_service.clone())
        else {
            anyhow::bail!("--webhook-addr needs --webhook-url or --webhook-service: the API server must know where to call");
        };
        Ok(Some(webhook::Config {
            addr,
            endpoint: endpoint.in_namespace(&self.lease_namespace),
            secret_namespace: self.lease_namespace.clone(),
            secret_name: self.webhook_secret.clone(),
            failure_policy: self.webhook_failure_policy,
        }))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render { file, config } => print_or_fail(
            options(config.as_deref(), fm_desired::Options::default())
                .map_err(|e| e.to_string())
                .and_then(|options| fm_operator::render::render(&file, &options)),
        ),
        Command::Crds => print_or_fail(fm_api::crds::to_yaml().map_err(|e| e.to_string())),
        Command::Run(args) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: starting the runtime: {e}");
                    return ExitCode::from(1);
                }
            };
            match runtime.block_on(run(*args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    error!("{e}");
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `base` with the configuration file applied, when there is one.
fn options(
    config: Option<&str>,
    base: fm_desired::Options,
) -> Result<fm_desired::Options, fm_operator::config_file::ConfigError> {
    match config {
        Some(path) => fm_operator::config_file::load(path, base),
        None => Ok(base),
    }
}

/// Prints a generated document, or the error with exit code 1.
fn print_or_fail(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(yaml) => {
            print!("{yaml}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Logs go to stderr; colour codes only when stderr is a terminal, so files and log
/// collectors get plain text.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    init_logging(args.log_format);
    let webhook = args.webhook()?;
    // Before anything else: a bad configuration file stops the start.
    let options = options(
        args.config.as_deref(),
        fm_desired::Options {
            default_affinity: args.default_affinity,
            ..Default::default()
        },
    )?;
    if let Some(path) = &args.config {
        info!(path, "configuration file read");
    }
    let client = Client::try_default().await?;
    let metrics = Arc::new(Metrics::default());
    let listener = tokio::net::TcpListener::bind(&args.metrics_addr).await?;
    tokio::spawn(fm_operator::metrics::serve(listener, metrics.clone()));

    // Every replica answers admission requests, leader or not: admission needs no lease.
    if let Some(config) = webhook {
        let client = client.clone();
        tokio::spawn(async move {
            if let Err(e) = webhook::run(client, config).await {
                error!("admission webhooks stopped: {e}");
                std::process::exit(1);
            }
        });
    }

    let hpa = discovery::hpa_version(&client).await?;
    let vpa = discovery::vpa_served(&client).await?;
    info!(hpa = hpa.api_version(), vpa, "API discovery");

    let mut ctx = Context::new(
        client.clone(),
        options,
        hpa,
        args.pause_rollout,
        metrics.clone(),
        EventSettings {
            instance: std::env::var("POD_NAME").ok(),
            interval: Duration::from_secs(args.event_interval),
        },
    );
    let (backend_configs, watching) = fm_operator::backend_config::Watch::start(
        client.clone(),
        args.backend_config_names(),
        &args.namespaces,
    );
    ctx.backend_configs = backend_configs;
    tokio::spawn(watching);
    let ctx = Arc::new(
        ctx.with_cleanup_timeout(Duration::from_secs(args.cleanup_timeout))
            .with_vpa(vpa),
    );

    if args.leader_elect {
        let identity = std::env::var("POD_NAME")
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| format!("fm-operator-{}", std::process::id()));
        let cfg = leader::LeaseConfig {
            namespace: args.lease_namespace.clone(),
            name: args.lease_name.clone(),
            identity,
            duration: Duration::from_secs(15),
        };
        let leases: Api<Lease> = Api::namespaced(client.clone(), &cfg.namespace);
        let mut elector = leader::Elector::new(leases, cfg);
        metrics.set_ready(true); // alive and waiting is healthy for a standby replica
        elector.acquire().await;
        metrics.set_leader(true);
        let controllers = tokio::spawn(controllers::run_all(ctx, args.namespaces));
        tokio::select! {
            _ = elector.hold() => {
                metrics.set_leader(false);
                anyhow::bail!("leadership lost; exiting so that only one replica acts");
            }
            _ = controllers => {}
        }
        // Shut down (the controllers finished on SIGTERM): hand over at once.
        if let Err(e) = elector.release().await {
            warn!(error = %e, "could not release the lease; the next replica waits for it to expire");
        }
        metrics.set_leader(false);
    } else {
        metrics.set_ready(true);
        controllers::run_all(ctx, args.namespaces).await;
    }
    info!("shut down");
    Ok(())
}
