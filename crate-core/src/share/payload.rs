//! Input bytes inside a link: raw deflate (RFC 1951), then base64url without padding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The most bytes a link's input may inflate to. Deflate expands at most about 1000:1, so a
/// link-sized payload stays far below this; the cap only stops a hand-made bomb.
pub const MAX_INFLATED: usize = 64 << 20;

/// miniz_oxide's best ratio: links are made rarely and read by people who pay for every byte.
const LEVEL: u8 = 10;

pub fn pack(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, LEVEL))
}

/// The bytes `pack` produced, or why `text` is not such a payload.
pub fn unpack(text: &str) -> Result<Vec<u8>, &'static str> {
    let deflated = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| "base64url text (A-Z a-z 0-9 - _, no padding)")?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_INFLATED)
        .map_err(|_| "complete raw-deflate data of at most 64 MiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_survive_and_text_shrinks() {
        let text =
            "efi: mem00: [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]\n".repeat(50);
        let packed = pack(text.as_bytes());
        assert!(packed.len() < text.len() / 10, "{} chars", packed.len());
        assert!(
            packed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(unpack(&packed).as_deref(), Ok(text.as_bytes()));
        assert_eq!(
            unpack(""),
            Err("complete raw-deflate data of at most 64 MiB")
        );
        assert!(unpack("a+b/").is_err());
        // A truncated link (a mailer cut the line) is reported, not half-read.
        assert!(unpack(&packed[..packed.len() / 2]).is_err());
    }
}
