//! `fmc`: compile mesh files into Function Mesh resources and Kustomize overlays.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use fmc::codegen::{write_atomically, Options, Templates};
use fmc::diag::{render_human, render_json, Diagnostics, SourceFile};

/// Exit codes: 0 success (warnings allowed), 1 the mesh has errors, 2 usage or I/O error.
const EXIT_DIAGNOSTICS: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "fmc",
    version,
    about = "Compile mesh files into Function Mesh resources and Kustomize overlays"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum MessageFormat {
    /// Reports for people, with the source line and a help text.
    Human,
    /// One JSON object per diagnostic and line, for editors.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a mesh without writing anything.
    Check {
        /// The mesh file.
        file: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        message_format: MessageFormat,
    },
    /// Compile a mesh into out/base and out/overlays/<env>.
    Compile {
        /// The mesh file.
        file: PathBuf,
        /// Output directory, replaced as a whole; `-` writes the base as one YAML stream to stdout.
        #[arg(short, long, default_value = "out")]
        output: String,
        /// One Function/Source/Sink resource per step instead of one FunctionMesh.
        #[arg(long)]
        split: bool,
        /// Directory with replacements for the built-in templates.
        #[arg(long)]
        templates: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        message_format: MessageFormat,
    },
    /// Turn Function Mesh YAML (Function/Source/Sink/FunctionMesh + ConfigMaps) into a mesh file.
    Import {
        /// The YAML stream (`-` for stdin).
        file: PathBuf,
        /// Where to write the mesh; `-` (the default) for stdout.
        #[arg(short, long, default_value = "-")]
        output: String,
    },
    /// Print the CustomResourceDefinitions fmc's output conforms to.
    Crds,
    /// Write a large synthetic mesh to stdout (for benchmarks).
    #[command(hide = true)]
    Synth {
        #[arg(long, default_value_t = 1000)]
        steps: usize,
        #[arg(long, default_value_t = 3)]
        clusters: usize,
        #[arg(long, default_value_t = 2)]
        envs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            file,
            message_format,
        } => {
            let Some(source) = read_source(&file) else {
                return ExitCode::from(EXIT_USAGE);
            };
            let (_, diagnostics) = fmc::pipeline::check(&source);
            report(&source, diagnostics, message_format)
        }
        Command::Compile {
            file,
            output,
            split,
            templates,
            message_format,
        } => {
            let templates = match templates {
                Some(dir) => match Templates::from_dir(&dir) {
                    Ok(t) => t,
                    Err(e) => return usage_error(&e),
                },
                None => Templates::builtin(),
            };
            let Some(source) = read_source(&file) else {
                return ExitCode::from(EXIT_USAGE);
            };
            let (generated, diagnostics) =
                fmc::pipeline::compile(&source, &Options { split }, &templates);
            let code = report(&source, diagnostics, message_format);
            let Some(generated) = generated else {
                return code;
            };
            if output == "-" {
                let mut stdout = std::io::stdout().lock();
                if let Err(e) = stdout
                    .write_all(generated.stream.as_bytes())
                    .and_then(|_| stdout.flush())
                {
                    return usage_error(&format!("writing to stdout: {e}"));
                }
            } else if let Err(e) = write_atomically(&generated, Path::new(&output)) {
                return usage_error(&format!("writing {output}: {e}"));
            }
            code
        }
        Command::Synth {
            steps,
            clusters,
            envs,
        } => {
            print!(
                "{}",
                fmc::synth::synth(fmc::synth::SynthOptions {
                    steps,
                    clusters,
                    envs
                })
            );
            ExitCode::SUCCESS
        }
        Command::Import { file, output } => import(&file, &output),
        Command::Crds => match fm_api::crds::to_yaml() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(&format!("serialising CRDs: {e}")),
        },
    }
}

/// `fmc import`: warnings on stderr; an invalid input is a usage error naming the document.
fn import(file: &Path, output: &str) -> ExitCode {
    let text = if file.as_os_str() == "-" {
        let mut text = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            Ok(_) => text,
            Err(e) => return usage_error(&format!("reading stdin: {e}")),
        }
    } else {
        match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => return usage_error(&format!("cannot read {}: {e}", file.display())),
        }
    };
    let imported = match fmc::import::import(&text) {
        Ok(i) => i,
        Err(e) => return usage_error(&format!("{}: {e}", file.display())),
    };
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    let written = if output == "-" {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(imported.mesh.as_bytes())
            .and_then(|_| stdout.flush())
    } else {
        std::fs::write(output, &imported.mesh)
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(&format!("writing {output}: {e}")),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Reads the mesh file; I/O problems and non-UTF-8 text are usage errors with a clear message.
fn read_source(path: &Path) -> Option<SourceFile> {
    let name = path.display().to_string();
    if path.is_dir() {
        eprintln!("error: {name} is a directory, not a mesh file");
        return None;
    }
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            return None;
        }
    };
    if metadata.len() > fmc::syntax::MAX_FILE_BYTES as u64 {
        eprintln!(
            "error: {name} is {} bytes; mesh files are limited to {} bytes",
            metadata.len(),
            fmc::syntax::MAX_FILE_BYTES
        );
        return None;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile::new(name, text)),
            Err(e) => {
                eprintln!(
                    "error: {name} is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                );
                None
            }
        },
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            None
        }
    }
}

fn report(source: &SourceFile, diagnostics: Diagnostics, format: MessageFormat) -> ExitCode {
    let failed = diagnostics.has_errors();
    let sorted = diagnostics.into_sorted();
    let text = match format {
        MessageFormat::Json => render_json(source, &sorted),
        MessageFormat::Human => render_human(source, &sorted, !std::io::stderr().is_terminal()),
    };
    eprint!("{text}");
    if failed {
        ExitCode::from(EXIT_DIAGNOSTICS)
    } else {
        ExitCode::SUCCESS
    }
}
