//! `fmc`: compile mesh files into Function Mesh resources and Kustomize overlays.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use fmc::codegen::{write_atomically, Options, Templates};
use fmc::diag::{
    decode, render_human, render_json, render_json_unlocated, Code, Diagnostics, NotUtf8,
    SourceFile,
};

/// Exit codes: 0 success (warnings allowed), 1 the mesh has errors, 2 usage or I/O error.
const EXIT_DIAGNOSTICS: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "fmc",
    version,
    about = "Compile mesh files into Function Mesh resources and Kustomize overlays",
    after_help = "Exit codes: 0 success (warnings allowed), 1 the mesh has errors, 2 usage or I/O error.\n\
                  `fmc explain CODE` explains a diagnostic code."
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

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart, for Markdown.
    Mermaid,
    /// SVG, laid out without Graphviz.
    Svg,
}

impl From<GraphFormat> for fmc::picture::Format {
    fn from(format: GraphFormat) -> Self {
        match format {
            GraphFormat::Dot => Self::Dot,
            GraphFormat::Mermaid => Self::Mermaid,
            GraphFormat::Svg => Self::Svg,
        }
    }
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
    /// Draw the mesh: steps as nodes, topics on the edges, clusters as boxes.
    Graph {
        /// The mesh file.
        file: PathBuf,
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
        /// Draw this environment's effective mesh instead of the base.
        #[arg(long)]
        env: Option<String>,
        /// Write the picture here instead of stdout (`-`: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
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
        /// Where to write the Secrets that literal secrets of the input move to (a password
        /// in a connector's config); required when there are any, never stdout.
        #[arg(long)]
        secrets_out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        message_format: MessageFormat,
    },
    /// Print the CustomResourceDefinitions fmc's output conforms to.
    Crds,
    /// Rewrite mesh files in the canonical layout (comments kept); `-` formats stdin to stdout.
    Fmt {
        /// The mesh files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing; exit 1 and name the files that are not formatted.
        #[arg(long)]
        check: bool,
        #[arg(long, value_enum, default_value = "human")]
        message_format: MessageFormat,
    },
    /// Print a shell completion script (e.g. `fmc completions bash > /etc/bash_completion.d/fmc`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into a directory.
    Man {
        /// Write fmc.1 and fmc-<command>.1 here instead of printing fmc.1.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Explain a diagnostic code, with a wrong and a fixed example; without a code, list them.
    Explain {
        /// The code, e.g. `unknown-topic` or `fmc::unknown-topic`.
        code: Option<String>,
    },
    /// Run the language server (LSP) on stdin/stdout, for editors.
    Lsp,
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

// The compiler allocates many small strings and JSON nodes; mimalloc handles that pattern
// markedly faster than glibc's allocator (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            file,
            message_format,
        } => {
            let source = match read_source(&file) {
                Ok(source) => source,
                Err(why) => return refuse(why, message_format),
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
            let source = match read_source(&file) {
                Ok(source) => source,
                Err(why) => return refuse(why, message_format),
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
                    .write_all(generated.stream().as_bytes())
                    .and_then(|_| stdout.flush())
                {
                    return file_error(
                        "<stdout>",
                        &format!("writing to stdout: {e}"),
                        message_format,
                    );
                }
            } else if let Err(e) = write_atomically(&generated, Path::new(&output)) {
                return file_error(&output, &format!("writing {output}: {e}"), message_format);
            }
            code
        }
        Command::Graph {
            file,
            format,
            env,
            output,
            message_format,
        } => {
            let source = match read_source(&file) {
                Ok(source) => source,
                Err(why) => return refuse(why, message_format),
            };
            let (model, diagnostics) = fmc::pipeline::check(&source);
            let code = report(&source, diagnostics, message_format);
            let Some(model) = model else {
                return code;
            };
            match fmc::picture::draw(&model, env.as_deref(), format.into()) {
                Ok(picture) => match write_text(output.as_deref(), &picture) {
                    Ok(()) => code,
                    Err(e) => {
                        let target = output
                            .as_deref()
                            .map_or_else(|| "<stdout>".to_owned(), |p| p.display().to_string());
                        file_error(&target, &e, message_format)
                    }
                },
                Err(e) => usage_error(&e.to_string()),
            }
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
        Command::Lsp => ExitCode::from(fmc::lsp::run()),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "fmc", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man { out_dir } => man(out_dir.as_deref()),
        Command::Fmt {
            files,
            check,
            message_format,
        } => fmt(&files, check, message_format),
        Command::Explain { code } => explain(code.as_deref()),
        Command::Import {
            file,
            output,
            secrets_out,
            message_format,
        } => import(&file, &output, secrets_out.as_deref(), message_format),
        Command::Crds => match fm_api::crds::to_yaml() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(&format!("serialising CRDs: {e}")),
        },
    }
}

/// Formats each file in place (or checks it); one file's problem does not stop the others.
fn fmt(files: &[PathBuf], check: bool, message_format: MessageFormat) -> ExitCode {
    let mut worst = ExitCode::SUCCESS;
    let mut fail = |code: u8| {
        if worst == ExitCode::SUCCESS || code == EXIT_USAGE {
            worst = ExitCode::from(code);
        }
    };
    for path in files {
        let stdin = path.as_os_str() == "-";
        let read = if stdin {
            read_stdin()
        } else {
            read_source(path)
        };
        let source = match read {
            Ok(source) => source,
            Err(why) => {
                let code = why.exit_code();
                refuse(why, message_format);
                fail(code);
                continue;
            }
        };
        let formatted = match fmc::format::format(&source) {
            Ok(text) => text,
            Err(fmc::format::FormatError::Syntax(diagnostics)) => {
                report(&source, diagnostics, message_format);
                fail(EXIT_DIAGNOSTICS);
                continue;
            }
            Err(fmc::format::FormatError::Changed(why)) => {
                eprintln!(
                    "error: {}: not formatted, {why} (a bug in fmc fmt)",
                    source.name
                );
                fail(EXIT_USAGE);
                continue;
            }
        };
        if stdin {
            print!("{formatted}");
        } else if formatted != source.text {
            if check {
                println!("{} is not formatted", source.name);
                fail(EXIT_DIAGNOSTICS);
            } else if let Err(e) = fmc::format::write_in_place(path, &formatted) {
                let message = format!("writing {}: {e}", source.name);
                file_error(&source.name, &message, message_format);
                fail(EXIT_USAGE);
            }
        }
    }
    worst
}

/// The man pages, rendered from the same definitions clap parses with, so they cannot drift.
fn man(out_dir: Option<&Path>) -> ExitCode {
    let command = Cli::command();
    let Some(dir) = out_dir else {
        let mut page = Vec::new();
        return match clap_mangen::Man::new(command)
            .render(&mut page)
            .and_then(|_| std::io::stdout().write_all(&page))
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => usage_error(&format!("writing the man page: {e}")),
        };
    };
    if let Err(e) =
        std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(command, dir))
    {
        return usage_error(&format!("writing man pages to {}: {e}", dir.display()));
    }
    ExitCode::SUCCESS
}

fn explain(code: Option<&str>) -> ExitCode {
    use fmc::diag::explain::{explanation, parse_code};
    let Some(text) = code else {
        for code in Code::ALL {
            println!("{:<24} {}", code.as_str(), code.summary());
        }
        return ExitCode::SUCCESS;
    };
    match parse_code(text) {
        Some(code) => {
            print!("{}", explanation(code));
            ExitCode::SUCCESS
        }
        None => {
            let names = Code::ALL
                .iter()
                .filter_map(|c| c.as_str().strip_prefix("fmc::"));
            let wrong = text.strip_prefix("fmc::").unwrap_or(text);
            let hint = fmc::suggest::help_for(wrong, names)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            usage_error(&format!(
                "`{text}` is not a diagnostic code{hint} (`fmc explain` lists them)"
            ))
        }
    }
}

/// `fmc import`: the input read as `check` reads a mesh (size limit, UTF-8 or a diagnostic
/// saying why not); refusals (exit 2) and warnings on stderr with their codes, as JSON lines
/// with `--message-format json`.
fn import(
    file: &Path,
    output: &str,
    secrets_out: Option<&Path>,
    format: MessageFormat,
) -> ExitCode {
    let read = if file.as_os_str() == "-" {
        read_stdin()
    } else {
        read_source(file)
    };
    let source = match read {
        Ok(source) => source,
        Err(why) => return refuse(why, format),
    };
    let say = |code: Code, severity: fmc::diag::Severity, message: &str| match format {
        MessageFormat::Json => eprint!(
            "{}",
            fmc::diag::render_json_unlocated_as(code, severity, &source.name, message)
        ),
        MessageFormat::Human => {
            let word = match severity {
                fmc::diag::Severity::Error => "error",
                fmc::diag::Severity::Warning => "warning",
            };
            eprintln!("{word}: {message} [{code}]")
        }
    };
    let error = fmc::diag::Severity::Error;
    let imported = match fmc::import::import(&source.text) {
        Ok(i) => i,
        Err(e) => {
            say(e.code, error, &format!("{}: {}", source.name, e.message));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if !imported.secrets.is_empty() {
        let Some(path) = secrets_out else {
            say(
                Code::LiteralSecret,
                error,
                &format!(
                    "{}: {} literal secret value(s) must move to a Secret for the mesh to compile; \
                     pass --secrets-out FILE to have them written there",
                    source.name,
                    imported.secrets.len()
                ),
            );
            return ExitCode::from(EXIT_USAGE);
        };
        if let Err(e) = write_private(path, &imported.secret_manifests()) {
            let message = format!("writing {}: {e}", path.display());
            return file_error(&path.display().to_string(), &message, format);
        }
    }
    for warning in &imported.warnings {
        say(warning.code, fmc::diag::Severity::Warning, &warning.message);
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
        Err(e) => file_error(output, &format!("writing {output}: {e}"), format),
    }
}

/// Writes a file only its owner can read (it holds secret values), replacing any there.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Writes `text` to `path`, or to stdout when there is none or it is `-`.
fn write_text(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path.filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            (stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush()))
            .map_err(|e| format!("writing to stdout: {e}"))
        }
    }
}

/// Why a mesh file could not be taken in.
enum Unreadable {
    /// Missing, a directory, too large, or the read failed: there is no text to point into.
    File {
        code: Code,
        name: String,
        message: String,
    },
    /// Read, but not UTF-8: a diagnostic pointing at the first bad byte.
    NotUtf8(Box<NotUtf8>),
}

impl Unreadable {
    fn io(name: &str, message: String) -> Self {
        Unreadable::File {
            code: Code::Io,
            name: name.to_owned(),
            message,
        }
    }

    fn exit_code(&self) -> u8 {
        match self {
            Unreadable::File { .. } => EXIT_USAGE,
            Unreadable::NotUtf8(_) => EXIT_DIAGNOSTICS,
        }
    }
}

/// Reads the mesh file. The size is checked before reading: a file far too large is refused
/// without being read into memory.
fn read_source(path: &Path) -> Result<SourceFile, Unreadable> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(Unreadable::io(
            &name,
            format!("{name} is a directory, not a mesh file"),
        ));
    }
    let metadata = std::fs::metadata(path)
        .map_err(|e| Unreadable::io(&name, format!("cannot read {name}: {e}")))?;
    if metadata.len() > fmc::syntax::MAX_FILE_BYTES as u64 {
        return Err(Unreadable::File {
            code: Code::FileTooLarge,
            message: format!(
                "{name} is {} bytes; mesh files are limited to {} bytes",
                metadata.len(),
                fmc::syntax::MAX_FILE_BYTES
            ),
            name,
        });
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Unreadable::io(&name, format!("cannot read {name}: {e}")))?;
    decode(name, bytes).map_err(Unreadable::NotUtf8)
}

/// Standard input as a mesh file named `<stdin>`.
fn read_stdin() -> Result<SourceFile, Unreadable> {
    let name = "<stdin>";
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .map_err(|e| Unreadable::io(name, format!("reading stdin: {e}")))?;
    decode(name, bytes).map_err(Unreadable::NotUtf8)
}

/// Says why a file was refused, in the chosen format; the exit code goes with the reason.
fn refuse(why: Unreadable, format: MessageFormat) -> ExitCode {
    let exit = why.exit_code();
    match why {
        Unreadable::File {
            code,
            name,
            message,
        } => match format {
            MessageFormat::Json => eprint!("{}", render_json_unlocated(code, &name, &message)),
            MessageFormat::Human => eprintln!("error: {message}"),
        },
        Unreadable::NotUtf8(refused) => {
            report(&refused.file, refused.diagnostic.into(), format);
        }
    }
    ExitCode::from(exit)
}

/// A file that cannot be written (or read), in the chosen format: exit 2.
fn file_error(name: &str, message: &str, format: MessageFormat) -> ExitCode {
    refuse(Unreadable::io(name, message.to_owned()), format)
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
