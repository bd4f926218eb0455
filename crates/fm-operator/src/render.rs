//! `fm-operator render`: what the operator would apply, without a cluster.

use std::io::Read;

use fm_desired::Options;

/// Reads `path` (or standard input for `-`) and renders every desired object.
pub fn render(path: &str, options: &Options) -> Result<String, String> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?
    };
    render_text(&text, options)
}

pub fn render_text(text: &str, options: &Options) -> Result<String, String> {
    let docs = fm_api::load::load_stream(text).map_err(|e| e.to_string())?;
    fm_desired::render_stream(&docs, options).map_err(|e| e.to_string())
}
