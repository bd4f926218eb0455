//! The stable diagnostic codes. Editors and CI scripts match on these strings: never rename one.

use std::fmt;

macro_rules! codes {
    ($($variant:ident = $name:literal: $summary:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed: `fmc::unknown-topic`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => concat!("fmc::", $name),)* }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    Io = "io": "a file cannot be read or written",
    Encoding = "encoding": "the file is not UTF-8 text",
    Syntax = "syntax": "the file does not follow the mesh grammar",
    FileTooLarge = "file-too-large": "the input file exceeds the size limit",
    TooDeep = "too-deep": "values are nested deeper than the limit",
    TooManySteps = "too-many-steps": "the mesh has more steps, times environments, than the limit",
    Duplicate = "duplicate": "a name is declared twice",
    UnknownTopic = "unknown-topic": "a step uses a topic that is not declared",
    UnknownCluster = "unknown-cluster": "a cluster name does not match any declared cluster",
    UnknownDefaults = "unknown-defaults": "`use` names a defaults block that does not exist",
    UnknownStep = "unknown-step": "an environment overrides a step that does not exist",
    MissingSetting = "missing-setting": "a required setting is absent",
    InvalidValue = "invalid-value": "a value is malformed or out of range",
    Admission = "admission": "the Function Mesh operator's admission rules would reject the generated resource",
    UnproducedTopic = "unproduced-topic": "a step reads a topic nothing in the mesh writes and that is not external",
    UnreadTopic = "unread-topic": "a topic is written but nothing in the mesh reads it",
    CrossCluster = "cross-cluster": "a step reads a topic that lives on another Pulsar cluster",
    Cycle = "cycle": "steps feed each other in a loop",
    SchemaMismatch = "schema-mismatch": "schemas disagree along an edge of the mesh",
    InvalidName = "invalid-name": "a name is not a valid Kubernetes name",
    NameTooLong = "name-too-long": "a generated Kubernetes name would exceed its length limit",
    Replicas = "replicas": "replica bounds are inconsistent",
    Resources = "resources": "resource requests exceed limits or are malformed",
    Url = "url": "a URL has the wrong scheme or shape",
    PackageKind = "package-kind": "the package does not fit the step's runtime",
    LiteralSecret = "literal-secret": "a secret value is written literally instead of referenced",
    RelaxedSecurity = "relaxed-security": "a step relaxes the hardened pod defaults",
    Template = "template": "an output template failed to render or produced invalid YAML",
    ImportInvalid = "import-invalid": "an input of `fmc import` is not valid Function Mesh YAML",
    ImportUnsupported = "import-unsupported": "an input of `fmc import` holds something a mesh cannot say",
    ImportNote = "import-note": "`fmc import` could not carry something over exactly, and says what",
    Window = "window": "a window's length and slide disagree, or a window setting is malformed",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
