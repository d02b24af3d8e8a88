//! The fragment's outer syntax: `key=value` pairs joined by `&`, values percent-encoded.

use std::fmt;

/// Why a link could not be read: the field, what it should hold and what it held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl DecodeError {
    pub fn new(field: &str, expected: impl Into<String>, found: &str) -> Self {
        // A pasted link can be huge; the message only needs enough to recognise the value.
        let found = match found.char_indices().nth(40) {
            _ if found.is_empty() => "nothing".to_owned(),
            Some((cut, _)) => format!("`{}…`", &found[..cut]),
            None => format!("`{found}`"),
        };
        Self {
            field: field.to_owned(),
            expected: expected.into(),
            found,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "link field `{}`: expected {}, found {}",
            self.field, self.expected, self.found
        )
    }
}

impl std::error::Error for DecodeError {}

/// The pairs of one fragment, in order, values decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Splits `text` (with or without the leading `#`). Empty pieces (`a=1&&b=2`) are skipped;
    /// a key given twice is an error, since either value could be the intended one.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let text = text.strip_prefix('#').unwrap_or(text);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for piece in text.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            let key = percent_decode(key)
                .ok_or_else(|| DecodeError::new(key, "a percent-encoded name", key))?;
            let value = percent_decode(value).ok_or_else(|| {
                DecodeError::new(&key, "percent-encoded UTF-8 (%XX escapes)", value)
            })?;
            if pairs.iter().any(|(k, _)| *k == key) {
                return Err(DecodeError::new(&key, "one value", "the field twice"));
            }
            pairs.push((key, value));
        }
        Ok(Self(pairs))
    }

    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        self.0.push((key.to_owned(), value.into()));
    }

    /// Removes `key` and returns its value.
    pub fn take(&mut self, key: &str) -> Option<String> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// `k=v&…`, every value percent-encoded.
    pub fn to_fragment(&self) -> String {
        let mut out = String::new();
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(key);
            out.push('=');
            percent_encode(value, &mut out);
        }
        out
    }
}

/// Escapes every byte outside RFC 3986's unreserved set and the `:` `,` the format uses
/// inside values, so values survive any mailer, chat client or URL parser; base64url and hex
/// never need escaping.
fn percent_encode(value: &str, out: &mut String) {
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:,".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_read_back() {
        let mut fields = Fields::default();
        fields.push("name", "dmesg #3 & co=ü.txt");
        fields.push("step", "2");
        let text = fields.to_fragment();
        assert_eq!(text, "name=dmesg%20%233%20%26%20co%3D%C3%BC.txt&step=2");
        assert_eq!(Fields::parse(&format!("#{text}")), Ok(fields));
    }

    #[test]
    fn bad_escapes_and_repeated_keys_name_the_field() {
        let err = Fields::parse("step=1&name=%zz").unwrap_err();
        assert_eq!(err.field, "name");
        assert_eq!(
            err.to_string(),
            "link field `name`: expected percent-encoded UTF-8 (%XX escapes), found `%zz`"
        );
        let err = Fields::parse("step=1&step=2").unwrap_err();
        assert_eq!(err.field, "step");
        assert!(Fields::parse("%FF=1").is_err());
    }
}
