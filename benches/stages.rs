//! Per-stage timings and heap peaks on a synthetic mesh, so a regression points at its stage:
//! `cargo bench --bench stages [-- STEPS]` (default 10,000 steps). Prints figures; asserts
//! nothing about speed or memory (targets live in bench/README.md, never in tests).

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fmc::codegen::{self, Options, Templates};
use fmc::diag::SourceFile;
use fmc::synth::{synth, SynthOptions};

/// mimalloc (as `fmc` uses) with a count of live bytes and their high-water mark, so each
/// stage can report how far above its starting point the heap went.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Heap figures of a stage, in MiB: its peak above what was live before it, and what its
/// result keeps alive.
struct Heap {
    peak: f64,
    kept: f64,
}

/// Median time of `runs` runs of `f`, its heap figures (of its last run), and its last result.
fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Heap, T) {
    let mut samples = Vec::new();
    let mut last = None;
    let (mut above, mut kept) = (0, 0);
    for _ in 0..runs {
        drop(last.take());
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let start = Instant::now();
        last = Some(f());
        samples.push(start.elapsed());
        above = PEAK.load(Ordering::Relaxed) - before;
        kept = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    }
    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    let heap = Heap {
        peak: mib(above),
        kept: mib(kept),
    };
    (median(samples), heap, last.expect("at least one run"))
}

fn row(stage: &str, time: Duration, heap: Heap, note: &str) {
    println!(
        "  {stage:<14} {:>9.2} ms {:>7.1} MiB {:>7.1} MiB{note}",
        time.as_secs_f64() * 1e3,
        heap.peak,
        heap.kept
    );
}

fn main() {
    let steps: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let runs = if steps > 5_000 { 5 } else { 11 };
    let text = synth(SynthOptions {
        steps,
        clusters: 4,
        envs: 3,
    });
    let file = SourceFile::new("synth.fm", text);
    println!(
        "stage timings, {steps} steps, {} bytes, median of {runs}; heap: the stage's peak above what was live before it, and what its result keeps",
        file.text.len()
    );

    let (t, m, _) = measure(runs, || {
        fmc::syntax::syntax_tree(&file)
            .map(|pairs| pairs.count())
            .expect("parses")
    });
    row(
        "pest",
        t,
        m,
        "           the grammar alone: parse's first half",
    );
    let (t, m, ast) = measure(runs, || fmc::syntax::parse(&file).expect("parses"));
    row("parse", t, m, "          pest, then the typed AST");
    let (t, m, model) = measure(runs, || fmc::model::lower(&ast).0.expect("lowers"));
    row("lower", t, m, "");
    let (t, m, _) = measure(runs, || {
        let mut d = fmc::diag::Diagnostics::default();
        fmc::graph::MeshGraph::build(&model.base, &mut d)
    });
    row("graph (base)", t, m, "");
    let (t, m, diagnostics) = measure(runs, || fmc::passes::check(&model));
    assert!(diagnostics.is_empty());
    row("passes (all)", t, m, "   base + 3 environments");
    let (t, m, diagnostics) = measure(runs, || {
        let mut d = codegen::admission(&model.base, None);
        for env in &model.envs {
            d.extend(codegen::admission(env, Some(&model.base)));
        }
        d
    });
    assert!(diagnostics.is_empty());
    row(
        "admission",
        t,
        m,
        "      the operator's rules, as `check` runs them",
    );
    let (t, m, _) = measure(runs, || fmc::pipeline::check(&file));
    row("check (all)", t, m, "    what `fmc check` does");
    drop(ast);
    // Every step relaxing a default: one warning each, all rendered.
    let warned = SourceFile::new(
        "warned.fm",
        file.text.replace(
            "\n    use jvm\n",
            "\n    use jvm\n    security { run-as-root }\n",
        ),
    );
    let (_, warnings) = fmc::pipeline::check(&warned);
    let warnings = warnings.into_sorted();
    let (t, m, _) = measure(runs, || fmc::diag::render_human(&warned, &warnings, true));
    row(
        "render",
        t,
        m,
        &format!(
            "         {} warnings, as `check` prints them",
            warnings.len()
        ),
    );

    let (t, m, base) = measure(runs, || {
        codegen::resources(&model.base, &Options::default()).expect("resources")
    });
    row(
        "resources",
        t,
        m,
        "      one effective mesh: typed specs, written member by member",
    );
    let mesh_value = &base[0].value().expect("value");
    let (t, m, yaml) = measure(runs, || fm_api::yaml::to_string(mesh_value));
    row(
        "yaml write",
        t,
        m,
        &format!("     {} bytes, fm_api::yaml", yaml.len()),
    );
    let (t, m, emitted) = measure(runs, || serde_yaml_ng::to_string(mesh_value).expect("yaml"));
    row(
        "yaml emit",
        t,
        m,
        &format!("      {} bytes, serde_yaml_ng's emitter", emitted.len()),
    );
    drop(emitted);
    let (t, m, _) = measure(runs, || {
        serde_yaml_ng::from_str::<serde_json::Value>(&yaml).expect("yaml")
    });
    row(
        "yaml parse",
        t,
        m,
        "      what a custom template's check costs",
    );
    let (t, m, _) = measure(runs, || {
        minijinja::Value::from(minijinja::value::Serde(mesh_value))
    });
    row("to minijinja", t, m, "");
    drop(yaml);
    drop(base);
    let templates = Templates::builtin();
    let (t, m, output) = measure(runs, || {
        codegen::generate(&model, &file.name, &Options::default(), &templates).expect("generates")
    });
    row("codegen (all)", t, m, "  base + 3 environments");
    drop(model);
    let (t, m, _) = measure(runs, || {
        fmc::pipeline::compile(&file, &Options::default(), &templates)
    });
    row(
        "compile (all)",
        t,
        m,
        "  what `fmc compile` does before writing",
    );
    let bytes: usize = output.files.values().map(String::len).sum();
    println!(
        "  output         {bytes} bytes in {} files",
        output.files.len()
    );
}
