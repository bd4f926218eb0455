//! Every name of a parsed mesh with its span: where clusters, topics, defaults blocks, steps
//! and environments are declared, and every place one is used (in steps, defaults blocks,
//! `use` lists and environment blocks). Definition, references, rename, hover and the outline
//! are answered from it.

use crate::diag::Span;
use crate::syntax::ast::{self, MeshItem, Setting, Spanned, TopicRef};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Cluster,
    Topic,
    Defaults,
    Step,
    Env,
}

impl SymbolKind {
    pub fn word(self) -> &'static str {
        match self {
            SymbolKind::Cluster => "cluster",
            SymbolKind::Topic => "topic",
            SymbolKind::Defaults => "defaults block",
            SymbolKind::Step => "step",
            SymbolKind::Env => "environment",
        }
    }
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub kind: SymbolKind,
    pub name: String,
    pub span: Span,
    pub definition: bool,
}

/// The parsed mesh and its names.
#[derive(Debug)]
pub struct Index {
    pub mesh: ast::Mesh,
    /// In source order.
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    pub fn new(mesh: ast::Mesh) -> Self {
        let mut occurrences = Vec::new();
        let mut add = |kind, name: &Spanned<String>, definition| {
            occurrences.push(Occurrence {
                kind,
                name: name.value.clone(),
                span: name.span,
                definition,
            })
        };
        for item in &mesh.items {
            match item {
                MeshItem::DefaultCluster(name) => add(SymbolKind::Cluster, name, false),
                MeshItem::Cluster(c) => add(SymbolKind::Cluster, &c.name, true),
                MeshItem::Topic(t) => {
                    add(SymbolKind::Topic, &t.name, true);
                    if let Some(c) = &t.cluster {
                        add(SymbolKind::Cluster, c, false);
                    }
                }
                MeshItem::Defaults(d) => {
                    add(SymbolKind::Defaults, &d.name, true);
                    settings(&d.body, &mut add);
                }
                MeshItem::Step(s) => {
                    add(SymbolKind::Step, &s.name, true);
                    settings(&s.body, &mut add);
                }
                MeshItem::Env(e) => {
                    add(SymbolKind::Env, &e.name, true);
                    for c in &e.clusters {
                        add(SymbolKind::Cluster, &c.name, false);
                    }
                    for (name, body) in &e.steps {
                        add(SymbolKind::Step, name, false);
                        settings(body, &mut add);
                    }
                }
                MeshItem::Namespace(_)
                | MeshItem::Tenant(_)
                | MeshItem::PulsarNamespace(_)
                | MeshItem::Labels(_)
                | MeshItem::Annotations(_) => {}
            }
        }
        occurrences.sort_by_key(|o| (o.span.start, o.span.end));
        Index { mesh, occurrences }
    }

    /// The name written at `offset` (its end counts: the cursor just after a name is on it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let i = self.occurrences.partition_point(|o| o.span.end < offset);
        self.occurrences
            .get(i)
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
    }

    pub fn definition(&self, kind: SymbolKind, name: &str) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.definition && o.kind == kind && o.name == name)
    }

    pub fn occurrences_of<'a>(
        &'a self,
        kind: SymbolKind,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences
            .iter()
            .filter(move |o| o.kind == kind && o.name == name)
    }

    /// The declared names of a kind, in source order, each once.
    pub fn names(&self, kind: SymbolKind) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for o in &self.occurrences {
            if o.definition && o.kind == kind && !names.contains(&o.name.as_str()) {
                names.push(&o.name);
            }
        }
        names
    }

    pub fn topic(&self, name: &str) -> Option<&ast::Topic> {
        self.mesh.items.iter().find_map(|i| match i {
            MeshItem::Topic(t) if t.name.value == name => Some(t),
            _ => None,
        })
    }

    pub fn step(&self, name: &str) -> Option<&ast::Step> {
        self.steps().find(|s| s.name.value == name)
    }

    pub fn steps(&self) -> impl Iterator<Item = &ast::Step> {
        self.mesh.items.iter().filter_map(|i| match i {
            MeshItem::Step(s) => Some(s),
            _ => None,
        })
    }

    fn defaults(&self, name: &str) -> Option<&ast::Defaults> {
        self.mesh.items.iter().find_map(|i| match i {
            MeshItem::Defaults(d) if d.name.value == name => Some(d),
            _ => None,
        })
    }

    /// The mesh-level string statement `pick` selects (the last one written).
    fn mesh_string(&self, pick: fn(&MeshItem) -> Option<&Spanned<String>>) -> Option<&str> {
        self.mesh
            .items
            .iter()
            .rev()
            .find_map(pick)
            .map(|s| s.value.as_str())
    }

    /// `persistent://tenant/namespace/name` of a declared topic.
    pub fn full_topic_name(&self, topic: &ast::Topic) -> String {
        if let Some(full) = &topic.full_name {
            return full.value.clone();
        }
        let tenant = self
            .mesh_string(|i| match i {
                MeshItem::Tenant(t) => Some(t),
                _ => None,
            })
            .unwrap_or("public");
        let namespace = self
            .mesh_string(|i| match i {
                MeshItem::PulsarNamespace(n) => Some(n),
                _ => None,
            })
            .unwrap_or("default");
        format!("persistent://{tenant}/{namespace}/{}", topic.name.value)
    }

    /// What a step's base settings say, its `use`d defaults folded under its own statements
    /// (as lowering folds them: a later block replaces what an earlier one set).
    pub fn step_facts(&self, step: &ast::Step) -> StepFacts {
        let mut facts = StepFacts::default();
        self.fold(&step.body, 0, &mut facts);
        if facts.cluster.is_none() {
            facts.cluster = self.mesh.items.iter().rev().find_map(|i| match i {
                MeshItem::DefaultCluster(n) => Some(n.value.clone()),
                _ => None,
            });
        }
        if facts.cluster.is_none() {
            let clusters = self.names(SymbolKind::Cluster);
            if let [only] = clusters.as_slice() {
                facts.cluster = Some((*only).to_owned());
            }
        }
        facts
    }

    fn fold(&self, body: &[Spanned<Setting>], depth: usize, facts: &mut StepFacts) {
        let mut own = StepFacts::default();
        for setting in body {
            match &setting.value {
                Setting::Use(names) if depth < 8 => {
                    for name in names {
                        if let Some(d) = self.defaults(&name.value) {
                            self.fold(&d.body, depth + 1, facts);
                        }
                    }
                }
                Setting::Cluster(name) => own.cluster = Some(name.value.clone()),
                Setting::In(topics) => own
                    .inputs
                    .get_or_insert_with(Vec::new)
                    .extend(topics.iter().map(|t| topic_text(&t.value))),
                Setting::InPattern(p) => own.inputs = Some(vec![format!("pattern {:?}", p.value)]),
                Setting::Out(t) => own.output = Some(topic_text(&t.value)),
                Setting::LogTopic(t) => own.log_topic = Some(topic_text(&t.value)),
                Setting::DeadLetter(t) => own.dead_letter = Some(topic_text(&t.value)),
                _ => {}
            }
        }
        facts.cluster = own.cluster.or(facts.cluster.take());
        facts.inputs = own.inputs.or(facts.inputs.take());
        facts.output = own.output.or(facts.output.take());
        facts.log_topic = own.log_topic.or(facts.log_topic.take());
        facts.dead_letter = own.dead_letter.or(facts.dead_letter.take());
    }
}

/// A step's cluster and topics, as names.
#[derive(Clone, Debug, Default)]
pub struct StepFacts {
    pub cluster: Option<String>,
    pub inputs: Option<Vec<String>>,
    pub output: Option<String>,
    pub log_topic: Option<String>,
    pub dead_letter: Option<String>,
}

impl StepFacts {
    pub fn reads(&self, topic: &str) -> bool {
        self.inputs.iter().flatten().any(|t| t == topic)
    }

    /// How the step writes `topic`: as its output, log or dead-letter topic.
    pub fn writes(&self, topic: &str) -> Option<&'static str> {
        if self.output.as_deref() == Some(topic) {
            Some("out")
        } else if self.log_topic.as_deref() == Some(topic) {
            Some("log-topic")
        } else if self.dead_letter.as_deref() == Some(topic) {
            Some("dead-letter")
        } else {
            None
        }
    }
}

fn topic_text(topic: &TopicRef) -> String {
    match topic {
        TopicRef::Name(name) | TopicRef::Full(name) => name.clone(),
    }
}

fn settings(body: &[Spanned<Setting>], add: &mut impl FnMut(SymbolKind, &Spanned<String>, bool)) {
    let topic = |t: &Spanned<TopicRef>, add: &mut dyn FnMut(SymbolKind, &Spanned<String>, bool)| {
        if let TopicRef::Name(name) = &t.value {
            add(
                SymbolKind::Topic,
                &Spanned::new(name.clone(), t.span),
                false,
            );
        }
    };
    for setting in body {
        match &setting.value {
            Setting::Use(names) => names
                .iter()
                .for_each(|n| add(SymbolKind::Defaults, n, false)),
            Setting::Cluster(name) => add(SymbolKind::Cluster, name, false),
            Setting::In(topics) => topics.iter().for_each(|t| topic(t, add)),
            Setting::Out(t) | Setting::LogTopic(t) | Setting::DeadLetter(t) => topic(t, add),
            Setting::Window(fields) => fields.iter().for_each(|f| {
                if let crate::syntax::ast::WindowField::LateData(t) = &f.value {
                    topic(t, add)
                }
            }),
            _ => {}
        }
    }
}
