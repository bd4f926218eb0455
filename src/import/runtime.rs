//! The runtime block of a spec (`java`, `python`, `golang`, `genericRuntime`): runtime,
//! package and file, logging and JVM options.

use serde_json::{Map, Value as Json};

use crate::syntax::ast::{Runtime, StepKind};

use super::fields::{put_back, take, take_object, take_str};
use super::write;

/// The runtime block: which runtime, the package and its file name.
pub fn runtime(
    kind: StepKind,
    spec: &mut Map<String, Json>,
    out: &mut Vec<String>,
    who: &str,
    warnings: &mut Vec<String>,
) -> Runtime {
    // Connectors run on java; a function on the first runtime block it has. Any other
    // runtime block stays in `spec` (and the operator's admission rules judge it).
    let present: Vec<&str> = ["java", "python", "golang", "genericRuntime"]
        .into_iter()
        .filter(|k| spec.get(*k).is_some_and(|b| !b.is_null()))
        .collect();
    let key = match kind {
        StepKind::Function => present.first().copied().unwrap_or("java"),
        StepKind::Source | StepKind::Sink => "java",
    };
    for other in present.iter().filter(|k| **k != key) {
        warnings.push(format!(
            "{who}: a {} runs on one runtime, `{key}`; its `{other}` block is kept in `spec`",
            kind.word()
        ));
    }
    let (runtime, file_key, location_key) = match (kind, key) {
        (StepKind::Function, "python") => (Runtime::Python, "py", "pyLocation"),
        (StepKind::Function, "golang") => (Runtime::Go, "go", "goLocation"),
        (StepKind::Function, "genericRuntime") => (
            generic_runtime(spec).unwrap_or(Runtime::Executable),
            "functionFile",
            "functionFileLocation",
        ),
        (StepKind::Function, _) => (Runtime::Java, "jar", "jarLocation"),
        _ => (Runtime::Connector, "jar", "jarLocation"),
    };
    let mut block = take_object(spec, key);
    if runtime.generic_language().is_some() {
        // The language is said by the runtime word.
        take(&mut block, "language");
    }
    let file = take_str(&mut block, file_key);
    let location = block
        .get(location_key)
        .and_then(Json::as_str)
        .map(str::to_owned);
    match (&file, location.as_deref()) {
        (_, Some(url)) if url.contains("://") => {
            take(&mut block, location_key);
            out.push(format!("package {}", write::string(url)));
            let derived = derived_file(runtime, url);
            if let Some(file) = file.filter(|f| *f != derived) {
                out.push(format!("file {}", write::string(&file)));
            }
        }
        (Some(url), None | Some("")) if url.contains("://") => {
            // A URL as the file name itself: the compiler would download it as the package
            // and name the file after it, so the block keeps the file and clears the location.
            take(&mut block, location_key);
            out.push(format!("package {}", write::string(url)));
            block.insert(file_key.to_owned(), Json::String(url.clone()));
            block.insert(location_key.to_owned(), Json::Null);
        }
        (Some(file), location) => {
            // An empty location means "the file inside the image", as no location does.
            if location == Some("") {
                take(&mut block, location_key);
            }
            out.push(format!("package {}", write::string(file)));
        }
        (None, _) => {
            warnings.push(format!(
                "{who}: no `{key}.{file_key}`: the step has no package"
            ));
        }
    }
    put_back(spec, key, block);
    runtime
}

/// The runtime a `genericRuntime` block's language names, if the language has a word.
pub fn generic_runtime(spec: &Map<String, Json>) -> Option<Runtime> {
    let language = spec.get("genericRuntime")?.get("language")?.as_str()?;
    Runtime::ALL
        .iter()
        .copied()
        .find(|r| r.generic_language() == Some(language))
}

/// Logging and JVM options live in the runtime block too; written after `config`.
pub fn runtime_extras(runtime: Runtime, spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    let key = match runtime {
        Runtime::Python => "python",
        Runtime::Go => "golang",
        Runtime::Java | Runtime::Connector => "java",
        // The generic runtime has no log settings and no JVM.
        Runtime::NodeJs | Runtime::Wasm | Runtime::Executable | Runtime::GenericPython => return,
    };
    let mut block = take_object(spec, key);
    let mut log = take_object(&mut block, "log");
    super::extras::log(&mut log, out);
    put_back(&mut block, "log", log);
    if matches!(runtime, Runtime::Java | Runtime::Connector) {
        if let Some(Json::Array(opts)) = block.get("javaOpts") {
            if opts.iter().all(Json::is_string) {
                out.push(format!(
                    "java-opts {}",
                    write::value(&Json::Array(opts.clone()))
                ));
                take(&mut block, "javaOpts");
            }
        }
    }
    put_back(spec, key, block);
}

/// The file name the compiler derives from a package URL (see codegen's `package_file`).
fn derived_file(runtime: Runtime, package: &str) -> String {
    let last = package
        .rsplit('/')
        .next()
        .unwrap_or(package)
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    match runtime {
        _ if last.contains('.') => last,
        runtime => format!("{last}{}", crate::mapping::default_extension(runtime)),
    }
}
