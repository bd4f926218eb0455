//! The Language Server Protocol's framing (`Content-Length` headers), as an editor speaks it
//! to `fmc lsp`: shared by `tests/lsp.rs` and `benches/lsp.rs`.

use std::io::BufRead;

use serde_json::Value;

/// The next message, or `None` at the end of the stream or on a malformed frame.
pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
