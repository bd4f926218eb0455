//! The webhook's serving certificate: a private CA and a certificate it signs, made by the
//! operator itself (no cert-manager), kept in a Secret so every replica serves the same one,
//! and renewed before it expires.
//!
//! Renewal never breaks admission: the CA bundle written into the webhook configurations holds
//! every CA still valid, and each replica registers a new bundle before it serves a certificate
//! signed by a new CA.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

/// How long a serving certificate is valid, and how long before its end it is replaced.
pub const SERVING_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);
pub const SERVING_RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long the CA is valid, and how long before its end a new one is made.
pub const CA_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
pub const CA_RENEW_BEFORE: Duration = Duration::from_secs(365 * 24 * 3600);
/// Certificates start this much in the past, so a server whose clock is behind accepts them.
const BACKDATE: Duration = Duration::from_secs(3600);

/// A CA: its certificate, its key, and when it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ca {
    pub cert_pem: String,
    pub key_pem: String,
    /// Its subject, needed to sign with it again after a restart.
    pub common_name: String,
    pub not_after: SystemTime,
}

/// Everything the webhook needs, as kept in the Secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Material {
    /// The CA that signs new serving certificates.
    pub ca: Ca,
    /// Older CAs still valid, kept in the bundle until they expire.
    pub previous_cas: Vec<Ca>,
    pub cert_pem: String,
    pub key_pem: String,
    pub not_after: SystemTime,
    /// The names the serving certificate is valid for.
    pub sans: Vec<String>,
}

impl Material {
    /// The PEM bundle for `caBundle`: the current CA, then every older CA still valid.
    pub fn ca_bundle(&self) -> String {
        let mut bundle = self.ca.cert_pem.clone();
        for ca in &self.previous_cas {
            bundle.push_str(&ca.cert_pem);
        }
        bundle
    }
}

/// What to do with the material found in the Secret.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Valid for long enough, for the right names.
    Keep,
    /// A new serving certificate from the same CA.
    Reissue,
    /// A new CA (the old one kept in the bundle while valid) and a new serving certificate.
    NewCa,
}

/// Decides from the stored material, the names wanted and the time.
pub fn plan(stored: Option<&Material>, sans: &[String], now: SystemTime) -> Plan {
    let Some(m) = stored else {
        return Plan::NewCa;
    };
    let expires_within = |at: SystemTime, within: Duration| at <= now + within;
    if expires_within(m.ca.not_after, CA_RENEW_BEFORE) {
        Plan::NewCa
    } else if expires_within(m.not_after, SERVING_RENEW_BEFORE) || m.sans != sans {
        Plan::Reissue
    } else {
        Plan::Keep
    }
}

/// The material to serve: `stored` when it is good for long enough, else renewed by [`plan`].
#[derive(Debug, PartialEq, Eq)]
pub enum Ensured {
    Kept(Material),
    Renewed(Material),
}

/// Keeps or renews `stored` for `sans` at `now`.
pub fn ensure(
    stored: Option<Material>,
    sans: &[String],
    now: SystemTime,
) -> Result<Ensured, rcgen::Error> {
    let (ca, mut previous_cas) = match (plan(stored.as_ref(), sans, now), stored) {
        (Plan::Keep, Some(m)) => return Ok(Ensured::Kept(m)),
        (Plan::Reissue, Some(m)) => (m.ca, m.previous_cas),
        (_, stored) => {
            let previous = stored
                .map(|m| std::iter::once(m.ca).chain(m.previous_cas).collect())
                .unwrap_or_default();
            (new_ca(now)?, previous)
        }
    };
    // An expired CA vouches for nothing: it leaves the bundle.
    previous_cas.retain(|ca| ca.not_after > now);
    let (cert_pem, key_pem, not_after) = issue(&ca, sans, now)?;
    Ok(Ensured::Renewed(Material {
        ca,
        previous_cas,
        cert_pem,
        key_pem,
        not_after,
        sans: sans.to_vec(),
    }))
}

fn validity(params: &mut CertificateParams, now: SystemTime, lifetime: Duration) -> SystemTime {
    let not_after = now + lifetime;
    params.not_before = (now - BACKDATE).into();
    params.not_after = not_after.into();
    not_after
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn new_ca(now: SystemTime) -> Result<Ca, rcgen::Error> {
    let seconds = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let common_name = format!("fm-operator webhook CA {seconds}");
    let key = KeyPair::generate()?;
    let mut params = ca_params(&common_name);
    let not_after = validity(&mut params, now, CA_LIFETIME);
    let cert = params.self_signed(&key)?;
    Ok(Ca {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        common_name,
        not_after,
    })
}

/// A serving certificate for `sans` (DNS names or IP addresses), signed by `ca`.
fn issue(
    ca: &Ca,
    sans: &[String],
    now: SystemTime,
) -> Result<(String, String, SystemTime), rcgen::Error> {
    let ca_key = KeyPair::from_pem(&ca.key_pem)?;
    let issuer = Issuer::new(ca_params(&ca.common_name), ca_key);
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "fm-operator webhook");
    params.distinguished_name = dn;
    params.subject_alt_names = sans
        .iter()
        .map(|name| match name.parse::<std::net::IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => name.clone().try_into().map(SanType::DnsName),
        })
        .collect::<Result<_, _>>()?;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let not_after = validity(&mut params, now, SERVING_LIFETIME);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok((cert.pem(), key.serialize_pem(), not_after))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    fn sans() -> Vec<String> {
        vec![
            "127.0.0.1".into(),
            "fm-operator-webhook.function-mesh-system.svc".into(),
        ]
    }

    fn renewed(stored: Option<Material>, sans: &[String], now: SystemTime) -> Material {
        match ensure(stored, sans, now).expect("generated") {
            Ensured::Renewed(m) => m,
            Ensured::Kept(_) => panic!("kept"),
        }
    }

    fn fresh(now: SystemTime) -> Material {
        renewed(None, &sans(), now)
    }

    #[test]
    fn nothing_stored_makes_a_ca_and_a_certificate() {
        let now = SystemTime::now();
        assert_eq!(plan(None, &sans(), now), Plan::NewCa);
        let m = fresh(now);
        assert!(m.ca.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(m.key_pem.contains("PRIVATE KEY"));
        assert_eq!(m.ca_bundle(), m.ca.cert_pem);
        assert_eq!(plan(Some(&m), &sans(), now), Plan::Keep);
    }

    #[test]
    fn the_certificate_is_reissued_before_it_expires_or_when_names_change() {
        let now = SystemTime::now();
        let m = fresh(now);
        assert_eq!(plan(Some(&m), &sans(), now + 59 * DAY), Plan::Keep);
        assert_eq!(plan(Some(&m), &sans(), now + 61 * DAY), Plan::Reissue);
        assert_eq!(
            plan(Some(&m), &["localhost".to_owned()], now),
            Plan::Reissue
        );
        let later = now + 61 * DAY;
        let next = renewed(Some(m.clone()), &sans(), later);
        assert_eq!(next.ca, m.ca, "same CA: the registered bundle stays valid");
        assert_ne!(next.cert_pem, m.cert_pem);
        assert_eq!(plan(Some(&next), &sans(), later), Plan::Keep);
        assert_eq!(
            ensure(Some(next.clone()), &sans(), later).expect("ok"),
            Ensured::Kept(next)
        );
    }

    #[test]
    fn a_new_ca_keeps_the_old_one_in_the_bundle_while_it_is_valid() {
        let now = SystemTime::now();
        let m = fresh(now);
        let late = now + CA_LIFETIME - CA_RENEW_BEFORE + DAY;
        assert_eq!(plan(Some(&m), &sans(), late), Plan::NewCa);
        let next = renewed(Some(m.clone()), &sans(), late);
        assert_ne!(next.ca, m.ca);
        assert_eq!(next.previous_cas, vec![m.ca.clone()]);
        assert!(next.ca_bundle().contains(&m.ca.cert_pem));
        // Once the old CA has expired it leaves the bundle.
        let after = renewed(Some(next), &sans(), m.ca.not_after + DAY);
        assert!(!after.ca_bundle().contains(&m.ca.cert_pem));
    }

    #[test]
    fn the_certificate_verifies_against_the_bundle_for_its_names() {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
        let m = fresh(SystemTime::now());
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_slice_iter(m.ca_bundle().as_bytes()) {
            roots.add(ca.expect("CA PEM")).expect("a root");
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            roots.into(),
            rustls::crypto::ring::default_provider().into(),
        )
        .build()
        .expect("verifier");
        let cert = CertificateDer::from_pem_slice(m.cert_pem.as_bytes()).expect("cert PEM");
        for name in ["127.0.0.1", "fm-operator-webhook.function-mesh-system.svc"] {
            let server = ServerName::try_from(name).expect("name");
            rustls::client::danger::ServerCertVerifier::verify_server_cert(
                verifier.as_ref(),
                &cert,
                &[],
                &server,
                &[],
                UnixTime::now(),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let other = ServerName::try_from("evil.example").expect("name");
        assert!(
            rustls::client::danger::ServerCertVerifier::verify_server_cert(
                verifier.as_ref(),
                &cert,
                &[],
                &other,
                &[],
                UnixTime::now(),
            )
            .is_err()
        );
    }
}
