//! Per-stage timings on a synthetic mesh, so a regression points at its stage:
//! `cargo bench --bench stages [-- STEPS]` (default 10,000 steps). Prints figures; asserts
//! nothing about speed (targets live in bench/README.md, never in tests).

use std::time::{Duration, Instant};

use fmc::codegen::{self, Options, Templates};
use fmc::diag::SourceFile;
use fmc::synth::{synth, SynthOptions};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        samples.push(start.elapsed());
    }
    (median(samples), last.expect("at least one run"))
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
        "stage timings, {steps} steps, {} bytes, median of {runs}",
        file.text.len()
    );

    let (parse, ast) = time(runs, || fmc::syntax::parse(&file).expect("parses"));
    println!("  parse          {:>9.2} ms", parse.as_secs_f64() * 1e3);
    let (lower, model) = time(runs, || fmc::model::lower(&ast).0.expect("lowers"));
    println!("  lower          {:>9.2} ms", lower.as_secs_f64() * 1e3);
    let (graph, _) = time(runs, || {
        let mut d = fmc::diag::Diagnostics::default();
        fmc::graph::MeshGraph::build(&model.base, &mut d)
    });
    println!("  graph (base)   {:>9.2} ms", graph.as_secs_f64() * 1e3);
    let (passes, diagnostics) = time(runs, || fmc::passes::check(&model));
    assert!(diagnostics.is_empty());
    println!("  passes (all)   {:>9.2} ms", passes.as_secs_f64() * 1e3);
    let (resources, _) = time(runs, || {
        codegen::resources(&model.base, &Options::default()).expect("resources")
    });
    println!("  resources      {:>9.2} ms", resources.as_secs_f64() * 1e3);
    let base = codegen::resources(&model.base, &Options::default()).expect("resources");
    let mesh_value = &base[0].value;
    let (emit, yaml) = time(runs, || serde_yaml_ng::to_string(mesh_value).expect("yaml"));
    println!(
        "  yaml emit      {:>9.2} ms ({} bytes)",
        emit.as_secs_f64() * 1e3,
        yaml.len()
    );
    let (reparse, _) = time(runs, || {
        serde_yaml_ng::from_str::<serde_json::Value>(&yaml).expect("yaml")
    });
    println!("  yaml parse     {:>9.2} ms", reparse.as_secs_f64() * 1e3);
    let (mj, _) = time(runs, || {
        minijinja::Value::from(minijinja::value::Serde(mesh_value))
    });
    println!("  to minijinja   {:>9.2} ms", mj.as_secs_f64() * 1e3);
    let (json_emit, json) = time(runs, || serde_json::to_string(mesh_value).expect("json"));
    println!("  json emit      {:>9.2} ms", json_emit.as_secs_f64() * 1e3);
    let (json_parse, _) = time(runs, || {
        serde_json::from_str::<serde_json::Value>(&json).expect("json")
    });
    println!(
        "  json parse     {:>9.2} ms",
        json_parse.as_secs_f64() * 1e3
    );
    let templates = Templates::builtin();
    let (generate, output) = time(runs, || {
        codegen::generate(&model, &file.name, &Options::default(), &templates).expect("generates")
    });
    println!("  codegen (all)  {:>9.2} ms", generate.as_secs_f64() * 1e3);
    let bytes: usize = output.files.values().map(String::len).sum();
    println!(
        "  output         {bytes} bytes in {} files",
        output.files.len()
    );
}
