//! Pulsar clusters recovered from `pulsar.pulsarConfig`: one cluster per ConfigMap, its URLs
//! from the ConfigMap when the input has it (placeholders and a warning otherwise), and its
//! authentication and TLS from the first step that uses it. A later step whose settings
//! differ keeps its own in `spec`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::write;

/// URLs for a cluster whose ConfigMap is not in the input; valid, so the mesh checks, and
/// obviously not real.
const PLACEHOLDER_BROKER: &str = "pulsar://replace-me.invalid:6650";
const PLACEHOLDER_ADMIN: &str = "http://replace-me.invalid:8080";

#[derive(Clone, Debug)]
pub struct Cluster {
    pub ident: String,
    pub config_map: String,
    pub broker: String,
    pub admin: String,
    /// `clusterName` when it is not the identifier.
    pub pulsar_name: Option<String>,
    /// The `pulsar` block (minus `pulsarConfig`) the cluster's statements reproduce.
    pub messaging: Map<String, Json>,
    pub statements: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Clusters {
    pub list: Vec<Cluster>,
    config_maps: BTreeMap<String, BTreeMap<String, String>>,
    /// The mesh's name: fmc names a cluster's ConfigMap `<mesh>-<cluster>-pulsar`.
    mesh: String,
}

impl Clusters {
    pub fn new(config_maps: BTreeMap<String, BTreeMap<String, String>>, mesh: &str) -> Self {
        Clusters {
            list: Vec::new(),
            config_maps,
            mesh: mesh.to_owned(),
        }
    }

    /// Whether a ConfigMap is one fmc writes for a cluster: named `<mesh>-<cluster>-pulsar`,
    /// holding the two URLs and nothing else.
    pub fn is_own_config_map(&self, name: &str) -> bool {
        let named = name
            .strip_prefix(&format!("{}-", self.mesh))
            .and_then(|rest| rest.strip_suffix("-pulsar"))
            .is_some_and(|ident| !ident.is_empty() && super::kebab(ident, "") == ident);
        named
            && self.config_maps.get(name).is_some_and(|data| {
                data.len() == 2
                    && data.contains_key("brokerServiceURL")
                    && data.contains_key("webServiceURL")
            })
    }

    /// Declares the cluster of a ConfigMap no step uses (see `is_own_config_map`).
    pub fn declare_unused(&mut self, config_map: &str, warnings: &mut Vec<String>) {
        if self.list.iter().any(|c| c.config_map == config_map) {
            return;
        }
        let who = format!("ConfigMap {config_map}");
        let cluster = self.new_cluster(config_map, None, &Map::new(), &who, warnings);
        self.list.push(cluster);
    }

    /// The cluster identifier a ConfigMap name stands for: `<cluster>` in the
    /// `<mesh>-<cluster>-pulsar` that fmc writes, else the name itself as an identifier.
    pub fn ident_for(&self, config_map: &str) -> String {
        let own = config_map
            .strip_prefix(&format!("{}-", self.mesh))
            .and_then(|rest| rest.strip_suffix("-pulsar"))
            .filter(|ident| !ident.is_empty() && super::kebab(ident, "") == *ident);
        match own {
            Some(ident) => ident.to_owned(),
            None => super::kebab(config_map, "pulsar"),
        }
    }

    /// The cluster of a step from its `pulsar` block and `clusterName`. Returns the cluster
    /// identifier, what is left of the `pulsar` block, and whether `clusterName` is what the
    /// cluster reproduces (so the step need not keep it).
    pub fn for_step(
        &mut self,
        mut pulsar: Map<String, Json>,
        cluster_name: Option<&str>,
        who: &str,
        warnings: &mut Vec<String>,
    ) -> (String, Map<String, Json>, bool) {
        let config_map = match pulsar.shift_remove("pulsarConfig") {
            Some(Json::String(s)) => s,
            other => {
                if let Some(v) = other {
                    pulsar.insert("pulsarConfig".into(), v);
                }
                warnings.push(format!(
                    "{who}: no `pulsar.pulsarConfig`; the step runs on cluster `pulsar` with placeholder URLs"
                ));
                "pulsar".to_owned()
            }
        };
        let index = match self.list.iter().position(|c| c.config_map == config_map) {
            Some(i) => i,
            None => {
                let cluster = self.new_cluster(&config_map, cluster_name, &pulsar, who, warnings);
                self.list.push(cluster);
                self.list.len() - 1
            }
        };
        let cluster = &self.list[index];
        // What the cluster's statements reproduce is dropped; the rest stays with the step.
        for key in cluster
            .messaging
            .keys()
            .filter(|k| !pulsar.contains_key(*k))
        {
            warnings.push(format!(
                "{who}: has no `pulsar.{key}`, but runs on cluster `{}`, which has one; the compiled step gets it",
                cluster.ident
            ));
        }
        let rest: Map<String, Json> = pulsar
            .into_iter()
            .filter(|(k, v)| cluster.messaging.get(k) != Some(v))
            .collect();
        if !rest.is_empty() {
            warnings.push(format!(
                "{who}: `pulsar` settings the cluster `{}` does not carry are kept in `spec`",
                cluster.ident
            ));
        }
        let name_kept = cluster_name
            .is_some_and(|n| cluster.pulsar_name.as_deref().unwrap_or(&cluster.ident) == n);
        (cluster.ident.clone(), rest, name_kept)
    }

    fn new_cluster(
        &self,
        config_map: &str,
        cluster_name: Option<&str>,
        pulsar: &Map<String, Json>,
        who: &str,
        warnings: &mut Vec<String>,
    ) -> Cluster {
        let base = self.ident_for(config_map);
        let mut ident = base.clone();
        let mut n = 2;
        while self.list.iter().any(|c| c.ident == ident) {
            ident = format!("{base}-{n}");
            n += 1;
        }
        let (broker, admin) = match self.config_maps.get(config_map) {
            Some(data) => {
                for key in data.keys() {
                    if key != "brokerServiceURL" && key != "webServiceURL" {
                        warnings.push(format!(
                            "ConfigMap {config_map}: `{key}` has no place in a cluster; not imported"
                        ));
                    }
                }
                let url = |k: &str| data.get(k).cloned().unwrap_or_default();
                (url("brokerServiceURL"), url("webServiceURL"))
            }
            None => {
                warnings.push(format!(
                    "{who}: ConfigMap `{config_map}` is not in the input; cluster `{ident}` has placeholder URLs: replace them"
                ));
                (PLACEHOLDER_BROKER.to_owned(), PLACEHOLDER_ADMIN.to_owned())
            }
        };
        let (statements, messaging) = messaging_statements(pulsar);
        Cluster {
            pulsar_name: cluster_name.filter(|n| *n != ident).map(str::to_owned),
            ident,
            config_map: config_map.to_owned(),
            broker,
            admin,
            messaging,
            statements,
        }
    }

    /// The cluster declarations, in first-use order.
    pub fn declarations(&self) -> Vec<String> {
        self.list
            .iter()
            .map(|c| {
                let mut body = vec![
                    format!("broker {}", write::string(&c.broker)),
                    format!("admin {}", write::string(&c.admin)),
                ];
                if let Some(name) = &c.pulsar_name {
                    body.push(format!("name {}", write::string(name)));
                }
                body.extend(c.statements.iter().cloned());
                format!(
                    "cluster {} {{\n{}\n}}",
                    c.ident,
                    write::indent(&body.join("\n"), 2)
                )
            })
            .collect()
    }
}

/// Cluster statements for the parts of a `pulsar` block the language can say, and the part
/// of the block they reproduce. Anything else makes the step keep it in `spec`.
fn messaging_statements(pulsar: &Map<String, Json>) -> (Vec<String>, Map<String, Json>) {
    let mut out = Vec::new();
    let mut covered = Map::new();
    for (key, word) in [("authSecret", "auth secret"), ("tlsSecret", "tls secret")] {
        if let Some(Json::String(s)) = pulsar.get(key) {
            out.push(format!("{word} {}", write::string(s)));
            covered.insert(key.into(), Json::String(s.clone()));
        }
    }
    if let Some(Json::Object(tls)) = pulsar.get("tlsConfig") {
        let fields = [
            ("enabled", "enabled"),
            ("allowInsecure", "allow-insecure"),
            ("hostnameVerification", "hostname-verification"),
            ("certSecretName", "ca-secret"),
            ("certSecretKey", "ca-key"),
        ];
        // The compiler writes `enabled: true` when it is not said.
        if tls.contains_key("enabled") && tls.keys().all(|k| fields.iter().any(|(f, _)| f == k)) {
            let body: Vec<String> = fields
                .iter()
                .filter_map(|(f, w)| tls.get(*f).map(|v| format!("{w} {}", write::value(v))))
                .collect();
            out.push(format!("tls {{ {} }}", body.join("  ")));
            covered.insert("tlsConfig".into(), Json::Object(tls.clone()));
        }
    }
    if let Some(Json::Object(auth)) = pulsar.get("authConfig") {
        if let (1, Some(Json::Object(o))) = (auth.len(), auth.get("oauth2Config")) {
            let fields = [
                ("issuerUrl", "issuer"),
                ("audience", "audience"),
                ("scope", "scope"),
                ("keySecretName", "key-secret"),
                ("keySecretKey", "key"),
            ];
            if o.keys().all(|k| fields.iter().any(|(f, _)| f == k))
                && o.values().all(Json::is_string)
            {
                let body: Vec<String> = fields
                    .iter()
                    .filter_map(|(f, w)| o.get(*f).map(|v| format!("{w} {}", write::value(v))))
                    .collect();
                out.push(format!(
                    "auth oauth2 {{\n{}\n}}",
                    write::indent(&body.join("\n"), 2)
                ));
                covered.insert("authConfig".into(), Json::Object(auth.clone()));
            }
        }
        if let (1, Some(Json::Object(g))) = (auth.len(), auth.get("genericAuth")) {
            let plugin = g.get("clientAuthenticationPlugin").and_then(Json::as_str);
            let params = g
                .get("clientAuthenticationParameters")
                .and_then(Json::as_str);
            if let (2, Some(plugin), Some(params)) = (g.len(), plugin, params) {
                out.push(format!(
                    "auth generic {{\n  plugin {}\n  params {}\n}}",
                    write::string(plugin),
                    write::string(params)
                ));
                covered.insert("authConfig".into(), Json::Object(auth.clone()));
            }
        }
    }
    (out, covered)
}
