//! A file's bytes as mesh text. Mesh files are UTF-8; anything else is refused with a
//! diagnostic that points at the first byte that is not, so an editor can show where it is.

use super::{Code, Diagnostic, SourceFile, Span};

/// What a file that is not UTF-8 text gives: the text decoded lossily (each invalid sequence
/// a U+FFFD), for the excerpt, and the diagnostic pointing into it.
#[derive(Debug)]
pub struct NotUtf8 {
    pub file: SourceFile,
    pub diagnostic: Diagnostic,
}

/// The text of `bytes`, or why it is not UTF-8.
pub fn decode(name: impl Into<String>, bytes: Vec<u8>) -> Result<SourceFile, Box<NotUtf8>> {
    let name = name.into();
    let error = match String::from_utf8(bytes) {
        Ok(text) => return Ok(SourceFile::new(name, text)),
        Err(error) => error,
    };
    let bytes = error.as_bytes();
    if let Some((order, unit)) = utf16_byte_order_mark(bytes) {
        // The excerpt reads better decoded as what the file declares itself to be; the
        // byte-order mark is its first character either way.
        let units = bytes[2..]
            .chunks_exact(2)
            .map(|pair| unit([pair[0], pair[1]]));
        let text: String = std::iter::once('\u{FEFF}')
            .chain(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)))
            .collect();
        let diagnostic = Diagnostic::error(
            Code::Encoding,
            Span::new(0, '\u{FEFF}'.len_utf8()),
            format!("the file is UTF-16 ({order}), not UTF-8"),
        )
        .primary("UTF-16 byte-order mark")
        .help("save the file as UTF-8: `iconv -f UTF-16 -t UTF-8 old.fm > mesh.fm`");
        let file = SourceFile::new(name, text);
        return Err(Box::new(NotUtf8 { file, diagnostic }));
    }
    // The valid prefix decodes to itself, so the offset is the same in the lossy text, where
    // the bad sequence became one U+FFFD.
    let at = error.utf8_error().valid_up_to();
    let span = Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8());
    // The byte itself is not quoted: it may sit inside a value someone meant to keep secret.
    let diagnostic = Diagnostic::error(
        Code::Encoding,
        span,
        format!("the file is not UTF-8 text: the byte at offset {at} does not belong to a UTF-8 character"),
    )
    .primary("not UTF-8")
    .help("save the file as UTF-8; from Latin-1, for example: `iconv -f LATIN1 -t UTF-8 old.fm > mesh.fm`");
    let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
    Err(Box::new(NotUtf8 { file, diagnostic }))
}

/// How a byte order reads one UTF-16 code unit.
type ReadUnit = fn([u8; 2]) -> u16;

/// Editors on Windows save "Unicode" as UTF-16 with a byte-order mark; say so by name.
/// The byte order's name, and how it reads a code unit.
fn utf16_byte_order_mark(bytes: &[u8]) -> Option<(&'static str, ReadUnit)> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(("little-endian", u16::from_le_bytes)),
        [0xFE, 0xFF, ..] => Some(("big-endian", u16::from_be_bytes)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_taken_as_it_is() {
        let file = decode("m.fm", "mesh m { } // é".as_bytes().to_vec()).expect("UTF-8");
        assert_eq!(file.text, "mesh m { } // é");
    }

    #[test]
    fn the_first_bad_byte_is_pointed_at_in_the_lossy_text() {
        let refused = decode("m.fm", b"mesh m {\n  \xe9t\xe9 }".to_vec()).expect_err("Latin-1");
        let span = refused.diagnostic.span();
        assert_eq!(refused.diagnostic.code, Code::Encoding);
        assert_eq!(&refused.file.text[span.start..span.end], "\u{FFFD}");
        assert_eq!(refused.file.line_col(span.start).line, 2);
        assert_eq!(refused.file.line_col(span.start).column, 3);
        assert!(refused.diagnostic.message.contains("offset 11"));
    }

    #[test]
    fn utf16_is_named() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("mesh m { }".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let refused = decode("m.fm", utf16).expect_err("UTF-16");
        assert!(
            refused
                .diagnostic
                .message
                .contains("UTF-16 (little-endian)"),
            "{}",
            refused.diagnostic.message
        );
        assert_eq!(refused.diagnostic.span(), Span::new(0, 3));
        assert_eq!(refused.file.text, "\u{FEFF}mesh m { }");
    }

    #[test]
    fn a_truncated_character_at_the_end_is_inside_the_file() {
        let refused = decode("m.fm", b"mesh m { } \xe2\x82".to_vec()).expect_err("cut short");
        let span = refused.diagnostic.span();
        assert!(span.end <= refused.file.text.len());
        assert_eq!(&refused.file.text[span.start..span.end], "\u{FFFD}");
    }
}
