//! Bytes of an uploaded file → text. Spreadsheet exports come as UTF-8 (with or without a
//! byte-order mark), UTF-16 ("Unicode text" from Excel) or Windows-1252 (older Excel on
//! Windows); anything with NUL bytes that is not UTF-16 is not a spreadsheet.

use super::ImportError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Windows1252,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16 => "UTF-16",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// Windows-1252 bytes 0x80–0x9F (the rest of the high half is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

pub fn decode(bytes: Vec<u8>) -> Result<(String, Encoding), ImportError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes).map(|t| (t, Encoding::Utf16));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes).map(|t| (t, Encoding::Utf16));
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let controls = head
        .iter()
        .filter(|b| **b == 0 || (**b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0C)))
        .count();
    if head.contains(&0) || controls * 100 > head.len() {
        return Err(ImportError::NotText);
    }
    let mut bytes = bytes;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, Encoding::Utf8)),
        Err(e) => {
            let bytes = e.into_bytes();
            let text = bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
                    _ => b as char,
                })
                .collect();
            Ok((text, Encoding::Windows1252))
        }
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> Result<String, ImportError> {
    let units = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let (t, e) = decode("\u{feff}name,cost\nDunk,€10".as_bytes().to_vec()).unwrap();
        assert_eq!((t.as_str(), e), ("name,cost\nDunk,€10", Encoding::Utf8));
        let (t, _) = decode(b"name\nA".to_vec()).unwrap();
        assert_eq!(t, "name\nA");
    }

    #[test]
    fn windows_1252_fallback() {
        // "Café;€12" as Excel on Windows saves it.
        let (t, e) = decode(vec![b'C', b'a', b'f', 0xE9, b';', 0x80, b'1', b'2']).unwrap();
        assert_eq!((t.as_str(), e), ("Café;€12", Encoding::Windows1252));
    }

    #[test]
    fn utf16_little_endian() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "name\tcost\nPikachu\t5".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (t, e) = decode(bytes).unwrap();
        assert_eq!((t.as_str(), e), ("name\tcost\nPikachu\t5", Encoding::Utf16));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(decode(Vec::new()), Err(ImportError::Empty));
        assert_eq!(decode(b" \n\r\n".to_vec()), Err(ImportError::Empty));
        // A PNG renamed .csv.
        let png = vec![
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I',
        ];
        assert_eq!(decode(png), Err(ImportError::NotText));
    }
}
