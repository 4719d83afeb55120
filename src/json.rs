//! Reading a JSON document from a user's file: a UTF-8 byte order mark is passed over and a
//! key given twice in one object is an error.
//!
//! RFC 8259 allows both choices this module makes: "implementations that parse JSON texts MAY
//! ignore the presence of a byte order mark rather than treating it as an error" (section 8.1;
//! editors on Windows write one), and "The names within an object SHOULD be unique" (section
//! 4), where parsers differ on what a repeated name means. `serde_json` keeps the last value
//! silently, so `"seed": 1, "seed": 2` would run seed 2 without a word; here it is an error
//! naming the key, its line and column, so that no setting is dropped unseen.

use crate::error::Error;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The JSON document in `text` (the file `file`, for messages).
pub(crate) fn parse(text: &str, file: &str) -> Result<Value, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Unique::deserialize(&mut de)
        .and_then(|Unique(v)| de.end().map(|()| v))
        .map_err(|e| Error::json(file, &e))?;
    Ok(value)
}

/// A JSON value whose objects have no repeated key.
struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json gives only finite numbers; `from` would make anything else null.
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut list = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            list.push(v);
        }
        Ok(Value::Array(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` is given twice in one object (JSON keeps only one of them; remove the other)"
                )));
            }
            let Unique(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_passed_over() {
        assert_eq!(
            parse("\u{feff}{\"a\": 1}", "f.json").unwrap(),
            serde_json::json!({"a": 1})
        );
    }

    #[test]
    fn a_repeated_key_is_an_error_with_its_place() {
        let text = "{\n  \"seed\": 1,\n  \"b\": {\"x\": [1, {\"y\": 2, \"y\": 3}]}\n}";
        let e = parse(text, "f.json").unwrap_err().to_string();
        assert!(e.starts_with("f.json:3:"), "{e}");
        assert!(e.contains("the key `y` is given twice in one object"), "{e}");
        let e = parse("{\"seed\": 1, \"seed\": 2}", "f.json").unwrap_err().to_string();
        assert!(e.contains("`seed` is given twice"), "{e}");
    }

    #[test]
    fn values_read_as_serde_json_reads_them() {
        let text = r#"{"a": [1, -2, 3.5, 1e300, "s", null, true, {}], "b": 18446744073709551615}"#;
        assert_eq!(parse(text, "f").unwrap(), serde_json::from_str::<Value>(text).unwrap());
        // Same key in two objects is fine; trailing text is not.
        assert!(parse(r#"[{"a": 1}, {"a": 2}]"#, "f").is_ok());
        assert!(parse("{} x", "f").is_err());
        assert!(parse("", "f").is_err());
    }
}
