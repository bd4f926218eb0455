//! Prometheus metrics and the health endpoints, served by a small HTTP/1.1 responder (the
//! three GET endpoints need no web framework).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BUCKETS: [f64; 8] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0];

#[derive(Default)]
struct KindStats {
    reconciles: u64,
    errors: u64,
    duration_sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Upstream's histogram buckets for `function_mesh_reconcile_latency`, in milliseconds
/// (`pkg/monitoring/metrics.go`).
const UPSTREAM_BUCKETS_MS: [f64; 6] = [10.0, 100.0, 1000.0, 10000.0, 30000.0, 60000.0];

/// Upstream's per-object series, labelled `type`, `name`, `namespace`.
#[derive(Default)]
struct ObjectStats {
    reconciles: u64,
    latency_sum_ms: f64,
    buckets: [u64; UPSTREAM_BUCKETS_MS.len()],
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
        stats.reconciles += 1;
        if !ok {
            stats.errors += 1;
        }
        let secs = elapsed.as_secs_f64();
        stats.duration_sum += secs;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                stats.buckets[i] += 1;
            }
        }
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
        let stats = map
            .entry((kind, namespace.to_owned(), name.to_owned()))
            .or_default();
        stats.reconciles += 1;
        let ms = elapsed.as_secs_f64() * 1000.0;
        stats.latency_sum_ms += ms;
        for (i, bound) in UPSTREAM_BUCKETS_MS.iter().enumerate() {
            if ms <= *bound {
                stats.buckets[i] += 1;
            }
        }
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
                s.reconciles
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
            for (i, bound) in BUCKETS.iter().enumerate() {
                out.push_str(&format!("fm_operator_reconcile_duration_seconds_bucket{{kind=\"{kind}\",le=\"{bound}\"}} {}\n", s.buckets[i]));
            }
            out.push_str(&format!(
                "fm_operator_reconcile_duration_seconds_bucket{{kind=\"{kind}\",le=\"+Inf\"}} {}\n",
                s.reconciles
            ));
            out.push_str(&format!(
                "fm_operator_reconcile_duration_seconds_sum{{kind=\"{kind}\"}} {}\n",
                s.duration_sum
            ));
            out.push_str(&format!(
                "fm_operator_reconcile_duration_seconds_count{{kind=\"{kind}\"}} {}\n",
                s.reconciles
            ));
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
                s.reconciles
            ));
        }
        out.push_str("# HELP function_mesh_reconcile_latency Latency of reconcile operations, bucket boundaries are 10ms, 100ms, 1s, 10s, 30s and 60s.\n# TYPE function_mesh_reconcile_latency histogram\n");
        for ((kind, ns, name), s) in map.iter() {
            let l = labels(kind, ns, name);
            for (i, bound) in UPSTREAM_BUCKETS_MS.iter().enumerate() {
                out.push_str(&format!(
                    "function_mesh_reconcile_latency_bucket{{{l},le=\"{bound}\"}} {}\n",
                    s.buckets[i]
                ));
            }
            out.push_str(&format!(
                "function_mesh_reconcile_latency_bucket{{{l},le=\"+Inf\"}} {}\n",
                s.reconciles
            ));
            out.push_str(&format!(
                "function_mesh_reconcile_latency_sum{{{l}}} {}\n",
                s.latency_sum_ms
            ));
            out.push_str(&format!(
                "function_mesh_reconcile_latency_count{{{l}}} {}\n",
                s.reconciles
            ));
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
