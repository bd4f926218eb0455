//! Taking fields out of a spec as they become statements: whatever is not taken is what the
//! step keeps in `spec { … }`.

use serde_json::{Map, Value as Json};

pub fn take(map: &mut Map<String, Json>, key: &str) -> Option<Json> {
    map.shift_remove(key)
}

/// Takes an object out to be consumed field by field (`put_back` returns the rest). An empty
/// object, or anything that is not an object, stays where it is: there is nothing to say
/// with a statement, and `spec` keeps it exactly as written.
pub fn take_object(map: &mut Map<String, Json>, key: &str) -> Map<String, Json> {
    match map.get(key) {
        Some(Json::Object(o)) if !o.is_empty() => match map.shift_remove(key) {
            Some(Json::Object(o)) => o,
            _ => Map::new(),
        },
        _ => Map::new(),
    }
}

/// Puts a partly consumed object back, unless nothing is left of it.
pub fn put_back(map: &mut Map<String, Json>, key: &str, rest: Map<String, Json>) {
    if !rest.is_empty() {
        map.insert(key.to_owned(), Json::Object(rest));
    }
}

pub fn take_str(map: &mut Map<String, Json>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Json::String(_)) => take(map, key).and_then(|v| v.as_str().map(str::to_owned)),
        _ => None,
    }
}

pub fn take_i64(map: &mut Map<String, Json>, key: &str) -> Option<i64> {
    let n = map.get(key)?.as_i64()?;
    map.shift_remove(key);
    Some(n)
}

pub fn take_bool(map: &mut Map<String, Json>, key: &str) -> Option<bool> {
    let b = map.get(key)?.as_bool()?;
    map.shift_remove(key);
    Some(b)
}
