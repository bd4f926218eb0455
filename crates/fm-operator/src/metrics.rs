//! Prometheus metrics and the health endpoints, served by a small HTTP/1.1 responder (the
//! three GET endpoints need no web framework).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BUCKETS: [f64; 8] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0];

/// Upstream's histogram buckets for `function_mesh_reconcile_latency`, in milliseconds
/// (`pkg/monitoring/metrics.go`).
const UPSTREAM_BUCKETS_MS: [f64; 6] = [10.0, 100.0, 1000.0, 10000.0, 30000.0, 60000.0];

/// A Prometheus histogram over fixed upper bounds (cumulative buckets, sum and count).
struct Histogram<const N: usize> {
    bounds: &'static [f64; N],
    buckets: [u64; N],
    sum: f64,
    count: u64,
}

impl<const N: usize> Histogram<N> {
    fn new(bounds: &'static [f64; N]) -> Self {
        Histogram {
            bounds,
            buckets: [0; N],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, value: f64) {
        self.count += 1;
        self.sum += value;
        for (bucket, bound) in self.buckets.iter_mut().zip(self.bounds) {
            if value <= *bound {
                *bucket += 1;
            }
        }
    }

    /// The `_bucket`, `_sum` and `_count` lines of `name` for one series with `labels`.
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        for (count, bound) in self.buckets.iter().zip(self.bounds) {
            out.push_str(&format!(
                "{name}_bucket{{{labels},le=\"{bound}\"}} {count}\n"
            ));
        }
        out.push_str(&format!(
            "{name}_bucket{{{labels},le=\"+Inf\"}} {}\n",
            self.count
        ));
        out.push_str(&format!("{name}_sum{{{labels}}} {}\n", self.sum));
        out.push_str(&format!("{name}_count{{{labels}}} {}\n", self.count));
    }
}

struct KindStats {
    errors: u64,
    /// Seconds per reconcile; its count is the number of reconciles.
    duration: Histogram<{ BUCKETS.len() }>,
}

impl Default for KindStats {
    fn default() -> Self {
        KindStats {
            errors: 0,
            duration: Histogram::new(&BUCKETS),
        }
    }
}

/// Upstream's per-object series, labelled `type`, `name`, `namespace`: milliseconds per
/// reconcile; its count is the number of reconciles.
struct ObjectStats(Histogram<{ UPSTREAM_BUCKETS_MS.len() }>);

impl Default for ObjectStats {
    fn default() -> Self {
        ObjectStats(Histogram::new(&UPSTREAM_BUCKETS_MS))
    }
}

#[derive(Default)]
pub struct Metrics {
    by_kind: Mutex<BTreeMap<&'static str, KindStats>>,
    /// Keyed by (type, namespace, name), as upstream labels its series.
    by_object: Mutex<BTreeMap<(&'static str, String, String), ObjectStats>>,
    ready: AtomicBool,
    leader: AtomicBool,
}

impl Metrics {
    pub fn observe(&self, kind: &'static str, elapsed: Duration, ok: bool) {
        let Ok(mut map) = self.by_kind.lock() else {
            return;
        };
        let stats = map.entry(kind).or_default();
        if !ok {
            stats.errors += 1;
        }
        stats.duration.observe(elapsed.as_secs_f64());
    }

    /// Upstream's series for one Function, Source or Sink reconcile (`kind` is `function`,
    /// `source` or `sink`, as upstream's `type` label), so existing dashboards keep working.
    pub fn observe_object(
        &self,
        kind: &'static str,
        namespace: &str,
        name: &str,
        elapsed: Duration,
    ) {
        let Ok(mut map) = self.by_object.lock() else {
            return;
        };
        map.entry((kind, namespace.to_owned(), name.to_owned()))
            .or_default()
            .0
            .observe(elapsed.as_secs_f64() * 1000.0);
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }

    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP fm_operator_reconciles_total Reconciles run, by kind.\n# TYPE fm_operator_reconciles_total counter\n");
        let map = match self.by_kind.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (kind, s) in map.iter() {
            out.push_str(&format!(
                "fm_operator_reconciles_total{{kind=\"{kind}\"}} {}\n",
                s.duration.count
            ));
        }
        out.push_str("# HELP fm_operator_reconcile_errors_total Reconciles that failed, by kind.\n# TYPE fm_operator_reconcile_errors_total counter\n");
        for (kind, s) in map.iter() {
            out.push_str(&format!(
                "fm_operator_reconcile_errors_total{{kind=\"{kind}\"}} {}\n",
                s.errors
            ));
        }
        out.push_str("# HELP fm_operator_reconcile_duration_seconds Time per reconcile.\n# TYPE fm_operator_reconcile_duration_seconds histogram\n");
        for (kind, s) in map.iter() {
            s.duration.write(
                &mut out,
                "fm_operator_reconcile_duration_seconds",
                &format!("kind=\"{kind}\""),
            );
        }
        self.render_upstream(&mut out);
        out.push_str("# HELP fm_operator_leader Whether this replica holds the leader lease.\n# TYPE fm_operator_leader gauge\n");
        out.push_str(&format!(
            "fm_operator_leader {}\n",
            u8::from(self.leader.load(Ordering::Relaxed))
        ));
        out
    }

    /// `function_mesh_reconcile_count` and `function_mesh_reconcile_latency` (milliseconds),
    /// with upstream's names, labels and buckets.
    fn render_upstream(&self, out: &mut String) {
        let map = match self.by_object.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let labels = |kind: &str, ns: &str, name: &str| {
            format!(
                "type=\"{kind}\",name=\"{}\",namespace=\"{}\"",
                escape_label(name),
                escape_label(ns)
            )
        };
        out.push_str("# HELP function_mesh_reconcile_count Number of reconcile operations\n# TYPE function_mesh_reconcile_count counter\n");
        for ((kind, ns, name), s) in map.iter() {
            out.push_str(&format!(
                "function_mesh_reconcile_count{{{}}} {}\n",
                labels(kind, ns, name),
                s.0.count
            ));
        }
        out.push_str("# HELP function_mesh_reconcile_latency Latency of reconcile operations, bucket boundaries are 10ms, 100ms, 1s, 10s, 30s and 60s.\n# TYPE function_mesh_reconcile_latency histogram\n");
        for ((kind, ns, name), s) in map.iter() {
            s.0.write(
                out,
                "function_mesh_reconcile_latency",
                &labels(kind, ns, name),
            );
        }
    }

    /// Status line and body for a request path.
    pub fn respond(&self, path: &str) -> (&'static str, String) {
        match path {
            "/metrics" => ("200 OK", self.render()),
            "/healthz" => ("200 OK", "ok\n".into()),
            "/readyz" if self.ready.load(Ordering::Relaxed) => ("200 OK", "ok\n".into()),
            "/readyz" => ("503 Service Unavailable", "not ready\n".into()),
            _ => ("404 Not Found", "not found\n".into()),
        }
    }
}

/// Serves `/metrics`, `/healthz` and `/readyz` until the process ends.
pub async fn serve(listener: TcpListener, metrics: std::sync::Arc<Metrics>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
            let Ok(Ok(n)) = read else {
                return;
            };
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request
                .lines()
                .next()
                .and_then(|line| line.split_whitespace().nth(1))
                .unwrap_or("/");
            let (status, body) = metrics.respond(path);
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}

/// A label value as the Prometheus text format writes it.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_renders() {
        let m = Metrics::default();
        m.observe("function", Duration::from_millis(20), true);
        m.observe("function", Duration::from_millis(20), false);
        let text = m.render();
        assert!(text.contains("fm_operator_reconciles_total{kind=\"function\"} 2"));
        assert!(text.contains("fm_operator_reconcile_errors_total{kind=\"function\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        m.observe_object("function", "ns", "wc", Duration::from_millis(50));
        let text = m.render();
        assert!(text.contains(
            "function_mesh_reconcile_count{type=\"function\",name=\"wc\",namespace=\"ns\"} 1"
        ));
        assert!(text.contains(
            "function_mesh_reconcile_latency_bucket{type=\"function\",name=\"wc\",namespace=\"ns\",le=\"10\"} 0"
        ));
        assert!(text.contains(
            "function_mesh_reconcile_latency_bucket{type=\"function\",name=\"wc\",namespace=\"ns\",le=\"100\"} 1"
        ));
        assert!(text.contains("# TYPE function_mesh_reconcile_latency histogram"));
        assert_eq!(escape_label("a\"b\\c"), "a\\\"b\\\\c");
        assert_eq!(m.respond("/readyz").0, "503 Service Unavailable");
        m.set_ready(true);
        assert_eq!(m.respond("/readyz").0, "200 OK");
    }
}
