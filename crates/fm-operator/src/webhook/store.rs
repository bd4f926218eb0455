//! The certificate material in a Secret of the operator's namespace, shared by its replicas.
//! `tls.crt`, `tls.key` and `ca.crt` are there for people and other tools; the operator reads
//! `material.json`, which also holds the CA key and the expiry times.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;
use kube::api::{Api, ObjectMeta, PostParams};
use serde::{Deserialize, Serialize};

use super::cert::{Ca, Material};

const MATERIAL_KEY: &str = "material.json";

#[derive(Serialize, Deserialize)]
struct StoredCa {
    cert_pem: String,
    key_pem: String,
    common_name: String,
    not_after_unix: u64,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    ca: StoredCa,
    previous_cas: Vec<StoredCa>,
    cert_pem: String,
    key_pem: String,
    not_after_unix: u64,
    sans: Vec<String>,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

fn time(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

impl From<&Ca> for StoredCa {
    fn from(ca: &Ca) -> Self {
        StoredCa {
            cert_pem: ca.cert_pem.clone(),
            key_pem: ca.key_pem.clone(),
            common_name: ca.common_name.clone(),
            not_after_unix: unix(ca.not_after),
        }
    }
}

impl From<StoredCa> for Ca {
    fn from(s: StoredCa) -> Self {
        Ca {
            cert_pem: s.cert_pem,
            key_pem: s.key_pem,
            common_name: s.common_name,
            not_after: time(s.not_after_unix),
        }
    }
}

/// The material in `secret`, if it holds readable material (anything else is replaced).
pub fn read(secret: &Secret) -> Option<Material> {
    let bytes = secret.data.as_ref()?.get(MATERIAL_KEY)?;
    let s: Stored = serde_json::from_slice(&bytes.0).ok()?;
    Some(Material {
        ca: s.ca.into(),
        previous_cas: s.previous_cas.into_iter().map(Ca::from).collect(),
        cert_pem: s.cert_pem,
        key_pem: s.key_pem,
        not_after: time(s.not_after_unix),
        sans: s.sans,
    })
}

fn data(m: &Material) -> Result<BTreeMap<String, ByteString>, serde_json::Error> {
    let stored = Stored {
        ca: (&m.ca).into(),
        previous_cas: m.previous_cas.iter().map(StoredCa::from).collect(),
        cert_pem: m.cert_pem.clone(),
        key_pem: m.key_pem.clone(),
        not_after_unix: unix(m.not_after),
        sans: m.sans.clone(),
    };
    let bytes = |s: &str| ByteString(s.as_bytes().to_vec());
    Ok(BTreeMap::from([
        (
            MATERIAL_KEY.to_owned(),
            ByteString(serde_json::to_vec(&stored)?),
        ),
        ("tls.crt".to_owned(), bytes(&m.cert_pem)),
        ("tls.key".to_owned(), bytes(&m.key_pem)),
        ("ca.crt".to_owned(), bytes(&m.ca_bundle())),
    ]))
}

/// Writes `material` into the Secret `name`: creates it, or replaces the version `current`
/// that was read (so two replicas renewing at once cannot both win: the second gets a 409).
pub async fn write(
    api: &Api<Secret>,
    name: &str,
    current: Option<Secret>,
    material: &Material,
) -> Result<(), super::Error> {
    let data = data(material)?;
    match current {
        Some(mut secret) => {
            secret.data = Some(data);
            api.replace(name, &PostParams::default(), &secret).await?;
        }
        None => {
            let secret = Secret {
                metadata: ObjectMeta {
                    name: Some(name.to_owned()),
                    labels: Some(BTreeMap::from([(
                        "app.kubernetes.io/name".to_owned(),
                        "fm-operator".to_owned(),
                    )])),
                    ..Default::default()
                },
                type_: Some("Opaque".to_owned()),
                data: Some(data),
                ..Default::default()
            };
            api.create(&PostParams::default(), &secret).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::cert::{ensure, Ensured};

    #[test]
    fn material_survives_the_secret() {
        let now = SystemTime::now();
        let Ensured::Renewed(m) = ensure(None, &["127.0.0.1".to_owned()], now).expect("ok") else {
            panic!("nothing stored: new material");
        };
        let secret = Secret {
            data: Some(data(&m).expect("data")),
            ..Default::default()
        };
        let back = read(&secret).expect("readable");
        // Times are kept to the second.
        assert_eq!(unix(back.not_after), unix(m.not_after));
        assert_eq!(back.cert_pem, m.cert_pem);
        assert_eq!(back.ca.key_pem, m.ca.key_pem);
        assert_eq!(back.ca_bundle(), m.ca_bundle());
        assert!(read(&Secret::default()).is_none());
    }
}
