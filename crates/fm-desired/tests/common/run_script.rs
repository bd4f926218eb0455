//! Runs a generated container command under a real shell and reports what the programs it
//! starts received, argument by argument.
//!
//! The scripts refer to absolute paths (`/pulsar/bin/pulsar-admin`, `/pulsar/conf/...`), so
//! they run in a throw-away root directory: a private mount namespace (`unshare`, mapped to
//! root in a user namespace) bind-mounts the host's `/usr` and `/dev` into it and `chroot`s
//! there. The script itself is run exactly as the container would run it (`bash -c <script>`,
//! unmodified); only the programs it calls are stand-ins. Each stand-in is a small bash
//! script that appends its name, `HOME`, working directory and arguments (NUL-separated)
//! to a log, then does what the test needs (nothing, create the downloaded file, or run the
//! real program). Without `unshare` or user namespaces the harness cannot run:
//! [`Harness::new`] prints a `skipped: …` line and returns `None`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a stand-in does after recording its call.
#[derive(Clone, Debug)]
pub enum Stub {
    /// Exit 0.
    Record,
    /// Create the file a download tool was asked to write (`--destination-file`, `-O`, or
    /// `--path` after `packages download`), then exit 0.
    Download,
    /// Run the real program (an absolute host path under `/usr`) with the same arguments.
    Real(String),
    /// Exit with this status.
    Fail(i32),
}

/// One recorded invocation of a stand-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The stand-in's name (`java`, `/pulsar/bin/pulsar-admin`, ...).
    pub program: String,
    pub home: String,
    pub cwd: String,
    pub args: Vec<String>,
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub calls: Vec<Call>,
    /// Files under `/pulsar` and `/tmp` inside the root after the run, by absolute path.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Run {
    /// The calls to one stand-in, in order.
    pub fn calls_to(&self, program: &str) -> Vec<&Call> {
        self.calls.iter().filter(|c| c.program == program).collect()
    }

    /// The only call to `program`; panics (showing the run) when there is not exactly one.
    pub fn call(&self, program: &str) -> &Call {
        let calls = self.calls_to(program);
        assert_eq!(calls.len(), 1, "calls to {program}: {self:#?}");
        calls[0]
    }

    pub fn file(&self, path: &str) -> Option<String> {
        self.files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Panics with the run's output unless the script exited 0.
    pub fn assert_ok(&self) -> &Run {
        assert_eq!(self.status, Some(0), "script failed: {self:#?}");
        self
    }
}

/// Builder of a throw-away root with stand-ins.
pub struct Harness {
    stubs: BTreeMap<String, Stub>,
    files: Vec<(String, Vec<u8>, bool)>,
    env: BTreeMap<String, String>,
    cwd: String,
}

const LOG: &str = "/fm-harness/calls";
const STUB_DIR: &str = "/fm-harness/bin";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unshare_works() -> Result<(), String> {
    let out = Command::new("unshare")
        .args(["-r", "-m", "true"])
        .output()
        .map_err(|e| format!("no unshare: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "unshare -r -m failed (user namespaces off?): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The default stand-ins: every program the generated scripts start.
fn default_stubs() -> BTreeMap<String, Stub> {
    let mut stubs = BTreeMap::new();
    for name in ["java", "python", "pulsar_rust_instance"] {
        stubs.insert(name.to_owned(), Stub::Record);
    }
    for name in ["pulsarctl", "wget", "/pulsar/bin/pulsar-admin"] {
        stubs.insert(name.to_owned(), Stub::Download);
    }
    stubs
}

impl Harness {
    /// A harness with stand-ins for `java`, `python`, `pulsar_rust_instance`, `pulsarctl`,
    /// `wget` and `/pulsar/bin/pulsar-admin`, `POD_NAME=fn-3`, the cluster ConfigMap's
    /// `brokerServiceURL`/`webServiceURL`, working directory `/pulsar` (the runner images'
    /// WORKDIR). `None` (after printing why) where namespaces are unavailable.
    pub fn new() -> Option<Harness> {
        if let Err(why) = unshare_works() {
            println!("skipped: cannot run scripts in a private root: {why}");
            return None;
        }
        let mut env = BTreeMap::new();
        env.insert("POD_NAME".to_owned(), "fn-3".to_owned());
        env.insert(
            "brokerServiceURL".to_owned(),
            "pulsar://broker:6650".to_owned(),
        );
        env.insert("webServiceURL".to_owned(), "http://broker:8080".to_owned());
        Some(Harness {
            stubs: default_stubs(),
            files: Vec::new(),
            env,
            cwd: "/pulsar".to_owned(),
        })
    }

    /// A stand-in for a bare program name (put first on `PATH`) or an absolute path.
    pub fn stub(&mut self, program: &str, stub: Stub) -> &mut Harness {
        self.stubs.insert(program.to_owned(), stub);
        self
    }

    /// A file placed in the root before the run.
    pub fn file(&mut self, path: &str, contents: &str) -> &mut Harness {
        self.files
            .push((path.to_owned(), contents.as_bytes().to_vec(), false));
        self
    }

    pub fn env(&mut self, name: &str, value: &str) -> &mut Harness {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn cwd(&mut self, dir: &str) -> &mut Harness {
        self.cwd = dir.to_owned();
        self
    }

    /// Runs a container command (`[shell, "-c", script]`) as given.
    pub fn run_command(&self, command: &[String]) -> Run {
        let root = fresh_root();
        self.populate(&root);
        let run = self.execute(&root, command);
        std::fs::remove_dir_all(&root).ok();
        run
    }

    /// Runs `script` with `shell -c`.
    pub fn run(&self, shell: &str, script: &str) -> Run {
        self.run_command(&[shell.to_owned(), "-c".to_owned(), script.to_owned()])
    }

    fn populate(&self, root: &Path) {
        let inside = |p: &str| root.join(p.trim_start_matches('/'));
        for dir in [
            "usr",
            "dev",
            "tmp",
            "pulsar",
            "fm-harness/bin",
            self.cwd.as_str(),
        ] {
            std::fs::create_dir_all(inside(dir)).expect("root dir");
        }
        // The usr-merged top-level links (or plain directories, bind-mounted below).
        for top in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            let host = Path::new("/").join(top);
            match std::fs::read_link(&host) {
                Ok(target) => std::os::unix::fs::symlink(target, inside(top)).expect("link"),
                Err(_) if host.is_dir() => std::fs::create_dir_all(inside(top)).expect("dir"),
                Err(_) => {}
            }
        }
        std::fs::write(inside(LOG), b"").expect("log");
        for (program, stub) in &self.stubs {
            let path = if program.starts_with('/') {
                inside(program)
            } else {
                inside(&format!("{STUB_DIR}/{program}"))
            };
            write_executable(&path, &stub_script(program, stub));
        }
        for (path, contents, _) in &self.files {
            let p = inside(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
            std::fs::write(&p, contents).expect("file");
        }
    }

    fn execute(&self, root: &Path, command: &[String]) -> Run {
        // Bind the host's system directories, then chroot; the command follows as "$@".
        let mut setup = String::from("set -e; R=\"$1\"; shift; ");
        for dir in ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            let host = Path::new("/").join(dir);
            if host.is_dir() && std::fs::read_link(&host).is_err() {
                setup.push_str(&format!("mount --rbind /{dir} \"$R/{dir}\"; "));
            }
        }
        setup.push_str("mount --rbind /dev \"$R/dev\"; exec chroot \"$R\" /usr/bin/env -i \"$@\"");
        let mut cmd = Command::new("unshare");
        cmd.args(["-r", "-m", "/bin/sh", "-c", &setup, "sh"])
            .arg(root)
            .arg(format!("--chdir={}", self.cwd))
            .arg(format!("PATH={STUB_DIR}:/usr/local/bin:/usr/bin:/bin"));
        for (k, v) in &self.env {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.args(command);
        let out = cmd.output().expect("run unshare");
        let log = std::fs::read(root.join(LOG.trim_start_matches('/'))).unwrap_or_default();
        let mut files = BTreeMap::new();
        for top in ["pulsar", "tmp"] {
            collect_files(&root.join(top), &format!("/{top}"), &mut files);
        }
        Run {
            status: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            calls: parse_log(&log),
            files,
        }
    }
}

fn fresh_root() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("fm-desired-root-{}-{n}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("stale root");
    }
    std::fs::create_dir_all(&dir).expect("root");
    dir
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    std::fs::write(path, text).expect("stub");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The bash text of a stand-in. The name is written single-quoted (test-chosen, no quotes).
fn stub_script(program: &str, stub: &Stub) -> String {
    assert!(!program.contains('\''), "stand-in names cannot hold quotes");
    let mut s = format!(
        "#!/bin/bash\nprintf '%s\\0' CALL \"$#\" '{program}' \"$HOME\" \"$PWD\" \"$@\" >> {LOG}\n"
    );
    match stub {
        Stub::Record => s.push_str("exit 0\n"),
        Stub::Fail(code) => s.push_str(&format!("exit {code}\n")),
        Stub::Real(path) => s.push_str(&format!("exec '{path}' \"$@\"\n")),
        Stub::Download => s.push_str(
            r#"dest=; prev=; pkg=
for a in "$@"; do
  case "$prev" in
    --destination-file|-O) dest=$a ;;
    --path) [ "$pkg" = packages ] && dest=$a ;;
  esac
  [ "$prev" = packages ] && [ "$a" = download ] && pkg=packages
  prev=$a
done
if [ -n "$dest" ]; then mkdir -p "$(dirname "$dest")" && printf 'downloaded\n' > "$dest"; fi
exit 0
"#,
        ),
    }
    s
}

/// Records are `CALL`, argc, name, HOME, PWD, then argc arguments, each NUL-terminated.
fn parse_log(log: &[u8]) -> Vec<Call> {
    let mut fields = log
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut calls = Vec::new();
    while let Some(tag) = fields.next() {
        if tag.is_empty() {
            break;
        }
        assert_eq!(tag, "CALL", "malformed call log");
        let argc: usize = fields.next().expect("argc").parse().expect("argc number");
        let program = fields.next().expect("name");
        let home = fields.next().expect("home");
        let cwd = fields.next().expect("cwd");
        let args = (0..argc).map(|_| fields.next().expect("arg")).collect();
        calls.push(Call {
            program,
            home,
            cwd,
            args,
        });
    }
    calls
}

fn collect_files(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect_files(&path, &name, out);
        } else if meta.is_file() {
            out.insert(name, std::fs::read(&path).unwrap_or_default());
        }
    }
}

/// The host path of a real program, for [`Stub::Real`].
pub fn real_program(name: &str) -> String {
    for dir in ["/usr/bin", "/usr/sbin", "/bin"] {
        let p = format!("{dir}/{name}");
        if Path::new(&p).exists() {
            // Inside the root only /usr is mounted; /bin is a link to it on merged systems.
            return p;
        }
    }
    panic!("{name} not found on this host");
}
