//! Fetching the code package before the instance starts (upstream: `controllers/spec/common.go`,
//! `GetDownloadCommandWithEnv`, prepended to the command as in its default in-container mode).
//!
//! Locations: empty → the file is already in the image; `function://`, `source://`,
//! `sink://` → Pulsar's package service (`pulsar-admin` or `pulsarctl`); `http(s)://` → wget;
//! anything else → the legacy `functions download --path`. Downloads always land in the
//! `/pulsar/download` emptyDir (as upstream's init-container mode does) rather than beside
//! the image's own files, so the root filesystem can stay read-only.

use fm_api::common::PulsarMessaging;

use crate::command::auth;
use crate::component::Component;
use crate::quoting::{command_line, Word};

pub const DOWNLOAD_DIR: &str = "/pulsar/download";
pub const DOWNLOAD_VOLUME: &str = "fm-download";

/// Where a package comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location<'a> {
    InImage,
    Package(&'a str),
    Http(&'a str),
    Legacy(&'a str),
}

pub fn classify(location: Option<&str>) -> Location<'_> {
    match location.map(str::trim) {
        None | Some("") => Location::InImage,
        Some(l)
            if ["function://", "source://", "sink://"]
                .iter()
                .any(|p| l.starts_with(p)) =>
        {
            Location::Package(l)
        }
        Some(l) if l.starts_with("http://") || l.starts_with("https://") => Location::Http(l),
        Some(l) => Location::Legacy(l),
    }
}

/// The downloaded file's path: its base name inside [`DOWNLOAD_DIR`].
pub fn destination(file: &str) -> String {
    let base = file
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("package");
    format!("{DOWNLOAD_DIR}/{base}")
}

/// StreamNative's pulsarctl-based runner images carry pulsarctl and wget (upstream's regex
/// `pulsar-functions-(pulsarctl|sn|generic)-(java|python|go|nodejs|base)-runner`).
pub fn image_has_pulsarctl(image: &str) -> bool {
    ["pulsarctl", "sn", "generic"].iter().any(|flavour| {
        ["java", "python", "go", "nodejs", "base"]
            .iter()
            .any(|lang| image.contains(&format!("pulsar-functions-{flavour}-{lang}-runner")))
    })
}

/// The messaging block and env prefix used for downloads: the separate package service when
/// given (its ConfigMap/Secrets are injected with prefix `PACKAGE_`), else the main one.
pub fn download_messaging<'a>(c: &Component<'a>) -> (Option<&'a PulsarMessaging>, auth::Mounts) {
    match c.common.pulsar_package_service.as_ref() {
        Some(p) => (Some(p), auth::Mounts::PACKAGE_SERVICE),
        None => (c.pulsar(), auth::Mounts::MAIN),
    }
}

/// Default image of the init-container downloader (upstream's; it has pulsarctl and wget).
pub const DEFAULT_DOWNLOADER_IMAGE: &str = "streamnative/pulsarctl:2.10.2.3";
pub const DOWNLOADER_CONTAINER: &str = "downloader";

/// Where pulsarctl keeps its state (`~/.config/pulsar`: the context and the OAuth2 grants)
/// when it runs in the main container: `/tmp` is writable there even under a read-only root
/// filesystem (an emptyDir), which the image's home directory is not.
pub const MAIN_CONTAINER_HOME: &str = "/tmp";

/// Whether the admin tool of a container running `image` is pulsarctl rather than
/// pulsar-admin: the spec says so, or the image is a pulsarctl runner or pulsarctl itself.
pub fn uses_pulsarctl(c: &Component<'_>, image: &str) -> bool {
    c.common.image_has_pulsarctl.unwrap_or(false)
        || image_has_pulsarctl(image)
        || image.contains("/pulsarctl:")
}

/// How an admin tool is started against one messaging block (upstream:
/// `getPulsarctlCommandWithEnv` and `getPulsarAdminCommandWithEnv` in
/// `controllers/spec/common.go`): the shell steps that must run first (`PATH`, pulsarctl's
/// OAuth2 context), and the command's words up to its subcommand.
#[derive(Clone, Debug)]
pub struct AdminInvocation {
    pub steps: Vec<String>,
    pub words: Vec<Word>,
}

impl AdminInvocation {
    /// The whole step for `subcommand`: the preparation steps and the command, `&&`-joined.
    pub fn run(&self, subcommand: impl IntoIterator<Item = Word>) -> String {
        let mut words = self.words.clone();
        words.extend(subcommand);
        let mut steps = self.steps.clone();
        steps.push(command_line(&words));
        steps.join(" && ")
    }
}

/// The admin invocation for `messaging` (credentials found as `mounts` says). `home`, when
/// given, is the `HOME` every pulsarctl invocation gets.
pub fn admin_invocation(
    messaging: Option<&PulsarMessaging>,
    mounts: auth::Mounts,
    pulsarctl: bool,
    home: Option<&str>,
) -> AdminInvocation {
    let web = format!("\"${{{}webServiceURL}}\"", mounts.env_prefix);
    // `HOME=<dir> pulsarctl`: an assignment before the command, for that command only.
    let pulsarctl_words = || -> Vec<Word> {
        let mut words: Vec<Word> = home
            .map(|h| Word::raw("HOME=").then_lit(h))
            .into_iter()
            .collect();
        words.push(Word::lit("pulsarctl"));
        words
    };
    let oauth2 = messaging
        .and_then(|m| m.auth_config.as_ref())
        .and_then(|a| a.oauth2_config.as_ref());
    let mut steps = Vec::new();
    let mut words;
    if pulsarctl {
        steps.push("export PATH=$PATH:/pulsar/bin".to_owned());
        words = pulsarctl_words();
        match oauth2 {
            // pulsarctl authenticates OAuth2 through a context it activates first.
            Some(o) => {
                let mut ctx = pulsarctl_words();
                ctx.extend([
                    Word::lit("context"),
                    Word::lit("set"),
                    Word::lit("downloader"),
                    Word::lit("--admin-service-url"),
                    Word::raw(web),
                    Word::lit("--issuer-endpoint"),
                    Word::lit(&o.issuer_url),
                    Word::lit("--audience"),
                    Word::lit(&o.audience),
                    Word::lit("--key-file"),
                    Word::lit(format!("{}/{}", mounts.oauth2_dir, o.key_secret_key)),
                ]);
                if let Some(scope) = o.scope.as_deref().filter(|s| !s.is_empty()) {
                    ctx.push(Word::lit("--scope"));
                    ctx.push(Word::lit(scope));
                }
                steps.push(command_line(&ctx));
                let mut activate = pulsarctl_words();
                activate.extend([Word::lit("oauth2"), Word::lit("activate")]);
                steps.push(command_line(&activate));
                // The command then runs in that context, which holds the service URL.
            }
            None => {
                // A plugin and parameters (`genericAuth`, or the legacy `authSecret`): with
                // the OAuth2 plugin, pulsarctl only reads a grant that `oauth2 activate` saved
                // before, so that is tried first, as upstream does; for other plugins it fails
                // harmlessly.
                if let Some((_, params)) = auth::plugin_and_params(messaging, mounts) {
                    let mut activate = pulsarctl_words();
                    activate.extend([
                        Word::lit("oauth2"),
                        Word::lit("activate"),
                        Word::lit("--auth-params"),
                        params,
                    ]);
                    steps.push(format!("( {} || true )", command_line(&activate)));
                }
                words.extend(auth::admin_auth_args(messaging, mounts));
                words.extend([Word::lit("--admin-service-url"), Word::raw(web)]);
            }
        }
        words.extend(auth::pulsarctl_tls_args(messaging, mounts));
    } else {
        words = vec![
            Word::lit("/pulsar/bin/pulsar-admin"),
            Word::lit("--admin-url"),
            Word::raw(web),
        ];
        words.extend(auth::admin_auth_args(messaging, mounts));
        words.extend(auth::admin_tls_args(messaging, mounts));
    }
    AdminInvocation { steps, words }
}

/// The shell step that downloads the package to `dest` from a container running `image`,
/// or `None` when the package is in the image. `image` decides between pulsarctl and
/// pulsar-admin (the downloader image always has pulsarctl). `home`, when given, is the
/// `HOME` every pulsarctl invocation gets.
pub fn step(
    c: &Component<'_>,
    image: &str,
    location: Location<'_>,
    dest: &str,
    home: Option<&str>,
) -> Option<String> {
    let target = match location {
        Location::InImage => return None,
        Location::Http(url) => {
            return Some(command_line(&[
                Word::lit("wget"),
                Word::lit(url),
                Word::lit("-O"),
                Word::lit(dest),
            ]));
        }
        Location::Package(url) => vec![
            Word::lit("packages"),
            Word::lit("download"),
            Word::lit(url),
            Word::lit("--path"),
            Word::lit(dest),
        ],
        Location::Legacy(path) => vec![
            Word::lit("functions"),
            Word::lit("download"),
            Word::lit("--path"),
            Word::lit(path),
            Word::lit("--destination-file"),
            Word::lit(dest),
        ],
    };
    let (messaging, mounts) = download_messaging(c);
    Some(admin_invocation(messaging, mounts, uses_pulsarctl(c, image), home).run(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify(None), Location::InImage);
        assert_eq!(classify(Some("")), Location::InImage);
        assert_eq!(
            classify(Some("function://public/default/f@v1")),
            Location::Package("function://public/default/f@v1")
        );
        assert_eq!(
            classify(Some("https://x/y.py")),
            Location::Http("https://x/y.py")
        );
        assert_eq!(
            classify(Some("public/default/f")),
            Location::Legacy("public/default/f")
        );
    }

    #[test]
    fn destinations_and_images() {
        assert_eq!(
            destination("pulsar-functions-api-examples.jar"),
            "/pulsar/download/pulsar-functions-api-examples.jar"
        );
        assert_eq!(
            destination("/pulsar/examples/a.jar"),
            "/pulsar/download/a.jar"
        );
        assert!(image_has_pulsarctl(
            "streamnative/pulsar-functions-pulsarctl-java-runner:3.2.2.1"
        ));
        assert!(!image_has_pulsarctl(
            "streamnative/pulsar-functions-java-runner:3.2.2.1"
        ));
    }
}
