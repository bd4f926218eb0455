//! The resolved mesh: names looked up, defaults applied, one effective mesh per environment.
//! Analysis passes and code generation work on this, never on the raw syntax tree.

mod settings;
pub mod statements;
pub mod words;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use settings::{StepSettings, Volume};

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::suggest::help_for;
use crate::syntax::ast::{
    self, ClusterSetting, Map, MeshItem, Name, Runtime, Schema, Setting, Spanned, StepKind,
    TopicKind, Value,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    pub name: Name,
    pub pulsar_name: Option<Spanned<String>>,
    pub broker: Option<Spanned<String>>,
    pub admin: Option<Spanned<String>>,
    pub auth_secret: Option<Spanned<String>>,
    pub oauth2: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    /// `auth generic { plugin … params … }`, by field name.
    pub generic_auth: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    pub tls_secret: Option<Spanned<String>>,
    pub tls: Option<Spanned<BTreeMap<String, Spanned<Value>>>>,
    pub state: Option<Spanned<String>>,
}

impl Cluster {
    fn new(name: Name) -> Self {
        Cluster {
            name,
            pulsar_name: None,
            broker: None,
            admin: None,
            auth_secret: None,
            oauth2: None,
            generic_auth: None,
            tls_secret: None,
            tls: None,
            state: None,
        }
    }

    fn apply(&mut self, setting: &Spanned<ClusterSetting>) {
        let span = setting.span;
        match &setting.value {
            ClusterSetting::Broker(s) => self.broker = Some(s.clone()),
            ClusterSetting::Admin(s) => self.admin = Some(s.clone()),
            ClusterSetting::PulsarName(s) => self.pulsar_name = Some(s.clone()),
            ClusterSetting::AuthSecret(s) => {
                self.auth_secret = Some(s.clone());
                self.oauth2 = None;
                self.generic_auth = None;
            }
            ClusterSetting::AuthOAuth2(fields) => {
                let map = fields
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.clone()))
                    .collect();
                self.oauth2 = Some(Spanned::new(map, span));
                self.auth_secret = None;
                self.generic_auth = None;
            }
            ClusterSetting::AuthGeneric(fields) => {
                let map = fields
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.clone()))
                    .collect();
                self.generic_auth = Some(Spanned::new(map, span));
                self.auth_secret = None;
                self.oauth2 = None;
            }
            ClusterSetting::TlsSecret(s) => {
                self.tls_secret = Some(s.clone());
                self.tls = None;
            }
            ClusterSetting::Tls(fields) => {
                let map = fields
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.clone()))
                    .collect();
                self.tls = Some(Spanned::new(map, span));
                self.tls_secret = None;
            }
            ClusterSetting::State(s) => self.state = Some(s.clone()),
        }
    }

    /// Equal in everything a step's spec takes from its cluster (the URLs live in the
    /// ConfigMap, not in the spec).
    pub fn spec_fields_equal(&self, other: &Cluster) -> bool {
        self.name.value == other.name.value
            && self.pulsar_name == other.pulsar_name
            && self.auth_secret == other.auth_secret
            && self.oauth2 == other.oauth2
            && self.generic_auth == other.generic_auth
            && self.tls_secret == other.tls_secret
            && self.tls == other.tls
            && self.state == other.state
    }

    /// The Pulsar cluster name given to function instances.
    pub fn pulsar_cluster_name(&self) -> &str {
        self.pulsar_name
            .as_ref()
            .map(|n| n.value.as_str())
            .unwrap_or(&self.name.value)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub name: Name,
    /// `persistent://tenant/namespace/name`.
    pub full_name: String,
    pub schema: Spanned<Schema>,
    pub kind: TopicKind,
    pub cluster: Option<Name>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: Spanned<StepKind>,
    pub name: Name,
    pub runtime: Spanned<Runtime>,
    pub class: Option<Spanned<String>>,
    pub settings: StepSettings,
}

/// One effective mesh (the base, or the base with one environment's overrides).
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    pub name: Name,
    /// `None` for the base; the environment's name otherwise.
    pub env: Option<Name>,
    pub namespace: Option<Spanned<String>>,
    pub tenant: String,
    pub pulsar_namespace: String,
    pub labels: Map,
    pub annotations: Map,
    pub default_cluster: Option<Name>,
    pub clusters: Vec<Cluster>,
    /// Environments cannot change topics: the base's table is shared with them.
    pub topics: Arc<Vec<Topic>>,
    /// Shared between the base and the environments: an environment copies only the steps it
    /// overrides, so meshes with thousands of steps and several environments stay small.
    pub steps: Vec<Arc<Step>>,
    /// Topic positions by short name and by full name, so lookups stay O(1) in meshes with
    /// thousands of topics (the first declaration wins for a shared full name).
    topic_by_name: Arc<HashMap<String, usize>>,
    topic_by_full_name: Arc<HashMap<String, usize>>,
}

impl Mesh {
    /// What a finding in this mesh adds to its message: ` (environment `prod`)` in an
    /// environment's mesh, nothing in the base.
    pub fn environment_suffix(&self) -> String {
        self.env
            .as_ref()
            .map(|env| format!(" (environment `{}`)", env.value))
            .unwrap_or_default()
    }

    fn add_topic(&mut self, topic: Topic) {
        let index = self.topics.len();
        Arc::make_mut(&mut self.topic_by_name).insert(topic.name.value.clone(), index);
        Arc::make_mut(&mut self.topic_by_full_name)
            .entry(topic.full_name.clone())
            .or_insert(index);
        Arc::make_mut(&mut self.topics).push(topic);
    }

    /// The declared topic with this full Pulsar name.
    pub fn topic_by_full_name(&self, full_name: &str) -> Option<&Topic> {
        self.topic_by_full_name
            .get(full_name)
            .map(|&i| &self.topics[i])
    }

    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.name.value == name)
    }

    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topic_by_name.get(name).map(|&i| &self.topics[i])
    }

    /// The cluster a step runs against: its own `cluster`, else the mesh default, else the
    /// only cluster there is.
    pub fn step_cluster(&self, step: &Step) -> Option<&Cluster> {
        if let Some(name) = &step.settings.cluster {
            return self.cluster(&name.value);
        }
        if let Some(name) = &self.default_cluster {
            return self.cluster(&name.value);
        }
        match self.clusters.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// Full Pulsar name of a topic as written in a step.
    pub fn full_topic_name(&self, topic: &ast::TopicRef) -> Option<String> {
        match topic {
            ast::TopicRef::Full(full) => Some(full.clone()),
            ast::TopicRef::Name(name) => self.topic(name).map(|t| t.full_name.clone()),
        }
    }
}

/// For each step of an environment's mesh, whether its spec can differ from the base's: its
/// own settings, or its cluster's spec fields, were overridden. (Environments cannot add or
/// remove steps, topics or mesh-level settings other than the namespace.)
pub fn changed_steps(base: &Mesh, env: &Mesh) -> Vec<bool> {
    env.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            // Steps an environment does not override are the base's own (shared), so most
            // comparisons end at the pointer.
            let same_settings = base.steps.get(i).is_some_and(|b| {
                std::sync::Arc::ptr_eq(b, step)
                    || (b.name.value == step.name.value && b.settings == step.settings)
            });
            let same_cluster = match (base.step_cluster(step), env.step_cluster(step)) {
                (Some(b), Some(e)) => b.spec_fields_equal(e),
                (None, None) => true,
                _ => false,
            };
            !(same_settings && same_cluster)
        })
        .collect()
}

/// The base mesh and each environment's effective mesh, in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub base: Mesh,
    pub envs: Vec<Mesh>,
}

impl Model {
    pub fn all(&self) -> impl Iterator<Item = &Mesh> {
        std::iter::once(&self.base).chain(&self.envs)
    }
}

/// Lowers the syntax tree. Returns the model when no error was found while resolving names.
pub fn lower(mesh: &ast::Mesh) -> (Option<Model>, Diagnostics) {
    let mut lowering = Lowering::default();
    let model = lowering.run(mesh);
    let failed = lowering.diagnostics.has_errors();
    (
        if failed { None } else { Some(model) },
        lowering.diagnostics,
    )
}

#[derive(Default)]
struct Lowering<'a> {
    diagnostics: Diagnostics,
    defaults: HashMap<&'a str, &'a ast::Defaults>,
}

fn duplicate(kind: &str, name: &Name, first: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Duplicate,
        name.span,
        format!("{kind} `{}` is declared twice", name.value),
    )
    .primary("declared again here")
    .label(first, "first declared here")
    .help(format!("rename one of the two {kind}s"))
}

impl<'a> Lowering<'a> {
    fn run(&mut self, mesh: &'a ast::Mesh) -> Model {
        let mut base = Mesh {
            name: mesh.name.clone(),
            env: None,
            namespace: None,
            tenant: "public".into(),
            pulsar_namespace: "default".into(),
            labels: Vec::new(),
            annotations: Vec::new(),
            default_cluster: None,
            clusters: Vec::new(),
            topics: Arc::new(Vec::new()),
            steps: Vec::new(),
            topic_by_name: Arc::default(),
            topic_by_full_name: Arc::default(),
        };
        let mut step_names: HashMap<String, Span> = HashMap::new();
        for item in &mesh.items {
            if let MeshItem::Defaults(d) = item {
                if let Some(first) = self.defaults.insert(&d.name.value, d) {
                    self.diagnostics
                        .push(duplicate("defaults block", &d.name, first.name.span));
                }
            }
        }
        // Tenant and namespace first: topic names expand with them wherever they are written.
        for item in &mesh.items {
            match item {
                MeshItem::Tenant(t) => base.tenant = t.value.clone(),
                MeshItem::PulsarNamespace(n) => base.pulsar_namespace = n.value.clone(),
                _ => {}
            }
        }
        let mut envs = Vec::new();
        for item in &mesh.items {
            match item {
                MeshItem::Namespace(n) => base.namespace = Some(n.clone()),
                MeshItem::Tenant(_) | MeshItem::PulsarNamespace(_) | MeshItem::Defaults(_) => {}
                MeshItem::Labels(m) => settings::merge_map(&mut base.labels, &m.value),
                MeshItem::Annotations(m) => settings::merge_map(&mut base.annotations, &m.value),
                MeshItem::DefaultCluster(n) => base.default_cluster = Some(n.clone()),
                MeshItem::Cluster(c) => {
                    if let Some(first) = base.cluster(&c.name.value) {
                        let first = first.name.span;
                        self.diagnostics.push(duplicate("cluster", &c.name, first));
                        continue;
                    }
                    let mut cluster = Cluster::new(c.name.clone());
                    c.settings.iter().for_each(|s| cluster.apply(s));
                    base.clusters.push(cluster);
                }
                MeshItem::Topic(t) => {
                    if let Some(first) = base.topic(&t.name.value) {
                        let first = first.name.span;
                        self.diagnostics.push(duplicate("topic", &t.name, first));
                        continue;
                    }
                    let full_name = match &t.full_name {
                        Some(full) => full.value.clone(),
                        None => format!(
                            "persistent://{}/{}/{}",
                            base.tenant, base.pulsar_namespace, t.name.value
                        ),
                    };
                    base.add_topic(Topic {
                        name: t.name.clone(),
                        full_name,
                        schema: t.schema.clone(),
                        kind: t.kind,
                        cluster: t.cluster.clone(),
                    });
                }
                MeshItem::Step(s) => {
                    if let Some(&first) = step_names.get(&s.name.value) {
                        self.diagnostics.push(duplicate("step", &s.name, first));
                        continue;
                    }
                    step_names.insert(s.name.value.clone(), s.name.span);
                    let settings = self.fold(&s.body, 0);
                    base.steps.push(Arc::new(Step {
                        kind: s.kind.clone(),
                        name: s.name.clone(),
                        runtime: s.runtime.clone(),
                        class: s.class.clone(),
                        settings,
                    }));
                }
                MeshItem::Env(e) => envs.push(e),
            }
        }
        self.check_cluster_names(&base);
        let mut seen_envs: Vec<&Name> = Vec::new();
        let mut effective = Vec::new();
        for env in envs {
            if let Some(first) = seen_envs.iter().find(|n| n.value == env.name.value) {
                self.diagnostics
                    .push(duplicate("environment", &env.name, first.span));
                continue;
            }
            seen_envs.push(&env.name);
            effective.push(self.environment(&base, env));
        }
        Model {
            base,
            envs: effective,
        }
    }

    /// Settings of one block, with its `use`d defaults underneath.
    fn fold(&mut self, body: &'a [Spanned<Setting>], depth: usize) -> StepSettings {
        let mut inherited = StepSettings::default();
        let mut own = StepSettings::default();
        for setting in body {
            if let Setting::Use(names) = &setting.value {
                for name in names {
                    match self.defaults.get(name.value.as_str()).copied() {
                        Some(defaults) if depth < 8 => {
                            let d = self.fold(&defaults.body, depth + 1);
                            inherited.overlay(&d);
                        }
                        Some(_) => self.diagnostics.push(
                            Diagnostic::error(
                                Code::UnknownDefaults,
                                name.span,
                                "defaults blocks `use` each other too deeply (a loop?)",
                            )
                            .help("defaults may use other defaults at most 8 levels deep"),
                        ),
                        None => {
                            let mut d = Diagnostic::error(
                                Code::UnknownDefaults,
                                name.span,
                                format!("no defaults block named `{}`", name.value),
                            )
                            .primary("not declared");
                            if let Some(help) = help_for(&name.value, self.defaults.keys().copied())
                            {
                                d = d.help(help);
                            }
                            self.diagnostics.push(d);
                        }
                    }
                }
            } else {
                own.apply(setting, &mut self.diagnostics);
            }
        }
        inherited.overlay(&own);
        inherited
    }

    fn check_cluster_names(&mut self, mesh: &Mesh) {
        let names: Vec<&str> = mesh
            .clusters
            .iter()
            .map(|c| c.name.value.as_str())
            .collect();
        let mut refs: Vec<&Name> = mesh.default_cluster.iter().collect();
        refs.extend(
            mesh.steps
                .iter()
                .filter_map(|s| s.settings.cluster.as_ref()),
        );
        refs.extend(mesh.topics.iter().filter_map(|t| t.cluster.as_ref()));
        for r in refs {
            if !names.contains(&r.value.as_str()) {
                let mut d = Diagnostic::error(
                    Code::UnknownCluster,
                    r.span,
                    format!("no cluster named `{}`", r.value),
                )
                .primary("not declared");
                if let Some(help) = help_for(&r.value, names.iter().copied()) {
                    d = d.help(help);
                }
                self.diagnostics.push(d);
            }
        }
    }

    fn environment(&mut self, base: &Mesh, env: &'a ast::Env) -> Mesh {
        let mut mesh = base.clone();
        mesh.env = Some(env.name.clone());
        if let Some(ns) = &env.namespace {
            mesh.namespace = Some(ns.clone());
        }
        for c in &env.clusters {
            match mesh
                .clusters
                .iter_mut()
                .find(|x| x.name.value == c.name.value)
            {
                Some(cluster) => c.settings.iter().for_each(|s| cluster.apply(s)),
                None => {
                    let names: Vec<&str> = base
                        .clusters
                        .iter()
                        .map(|c| c.name.value.as_str())
                        .collect();
                    let mut d = Diagnostic::error(
                        Code::UnknownCluster,
                        c.name.span,
                        format!(
                            "environment `{}` overrides cluster `{}`, which the mesh does not declare",
                            env.name.value, c.name.value
                        ),
                    )
                    .primary("not declared");
                    if let Some(help) = help_for(&c.name.value, names) {
                        d = d.help(help);
                    }
                    self.diagnostics.push(d);
                }
            }
        }
        for (name, body) in &env.steps {
            let over = self.fold(body, 0);
            match mesh.steps.iter_mut().find(|s| s.name.value == name.value) {
                Some(step) => Arc::make_mut(step).settings.overlay(&over),
                None => {
                    let names: Vec<&str> =
                        base.steps.iter().map(|s| s.name.value.as_str()).collect();
                    let mut d = Diagnostic::error(
                        Code::UnknownStep,
                        name.span,
                        format!(
                            "environment `{}` overrides step `{}`, which the mesh does not declare",
                            env.name.value, name.value
                        ),
                    )
                    .primary("no such step");
                    if let Some(help) = help_for(&name.value, names) {
                        d = d.help(help);
                    }
                    self.diagnostics.push(d);
                }
            }
        }
        self.check_cluster_names(&mesh);
        mesh
    }
}
