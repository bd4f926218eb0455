//! What looks like a credential: keys that name one, and strings that hold one. A leaf
//! module: the secrets pass, the diagnostic renderer (which masks them in excerpts), the
//! language server and `fmc import` all ask here.

use std::ops::Range;

use crate::lexer::{tokens, Kind};

/// Key fragments that mark a value as a credential.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "privatekey",
    "private_key",
    "private-key",
    "accesskey",
    "access_key",
    "access-key",
];

/// Key endings that say the value points at a credential instead of holding it
/// (`passwordFile`, `tokenPath`, `secretName`, `tokenUrl`, …).
const REFERENCE_ENDINGS: &[&str] = &["file", "path", "name", "ref", "url", "uri"];

/// Whether `key` names a credential (and does not merely point at one).
pub fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.contains(w))
        && !REFERENCE_ENDINGS.iter().any(|ending| key.ends_with(ending))
}

/// Strings that look like credentials wherever they are, found with the formatter's lexer so
/// it works on text that does not parse: the value after a key that names a credential, and
/// any string with a user and password in a URL.
pub fn secret_ranges(text: &str) -> impl Iterator<Item = Range<usize>> {
    let tokens = tokens(text);
    let mut spans = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != Kind::Str {
            continue;
        }
        let after_secret_key = i >= 2
            && tokens[i - 1].kind == Kind::Punct(':')
            && matches!(tokens[i - 2].kind, Kind::Word | Kind::Str)
            && looks_secret(tokens[i - 2].text.trim_matches('"'));
        let credentials_in_url = token
            .text
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '"']).next())
            .is_some_and(|authority| authority.contains('@'));
        if after_secret_key || credentials_in_url {
            spans.push(token.start..token.start + token.text.len());
        }
    }
    spans.into_iter()
}

/// Whether a plugin's parameter string carries a credential itself: `token:VALUE` (not
/// `token:file://…`), or `key:value` / JSON pairs whose key names a credential and whose value
/// is not a file reference.
pub fn generic_params_hold_secret(params: &str) -> bool {
    let trimmed = params.trim();
    if let Some(token) = trimmed.strip_prefix("token:") {
        return !token.starts_with("file:");
    }
    let pairs: Vec<(String, String)> = match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_default()))
            .collect(),
        _ => trimmed
            .split(',')
            .filter_map(|pair| pair.split_once([':', '=']))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect(),
    };
    pairs
        .iter()
        .any(|(k, v)| looks_secret(k) && !v.is_empty() && !v.starts_with("file:"))
}

#[cfg(test)]
mod tests {
    use super::{generic_params_hold_secret, looks_secret, secret_ranges};

    #[test]
    fn values_that_point_at_a_credential_are_not_credentials() {
        for key in [
            "password",
            "DB_PASSWORD",
            "apiKey",
            "accessKeyId",
            "clientSecret",
            "token",
        ] {
            assert!(looks_secret(key), "{key}");
        }
        for key in [
            "passwordFile",
            "tokenPath",
            "secretName",
            "tokenUrl",
            "url",
            "topic",
        ] {
            assert!(!looks_secret(key), "{key}");
        }
    }

    #[test]
    fn strings_after_credential_keys_and_urls_with_passwords_are_found() {
        let text = r#"config { password: "hunter22", url: "http://u:p@host/x", topic: "t" }"#;
        let found: Vec<&str> = secret_ranges(text).map(|r| &text[r]).collect();
        assert_eq!(found, [r#""hunter22""#, r#""http://u:p@host/x""#]);
    }

    #[test]
    fn generic_auth_parameters_with_a_credential_are_literal_secrets() {
        for params in [
            "token:eyJhbGciOiJIUzI1NiJ9",
            r#"{"privateKey": "-----BEGIN"}"#,
            "username:admin,password:hunter2",
        ] {
            assert!(generic_params_hold_secret(params), "{params}");
        }
        for params in [
            "token:file:///etc/pulsar/token",
            r#"{"privateKey": "file:///keys/key.pem", "issuerUrl": "https://issuer"}"#,
            "tenantDomain:example,tenantService:svc",
        ] {
            assert!(!generic_params_hold_secret(params), "{params}");
        }
    }
}
