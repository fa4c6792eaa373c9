//! JSON on the wire between the browser and the server functions.
//!
//! Same bytes as server_fn's own `Json`, decoded differently: server_fn reads a response
//! with `serde_json::from_slice`, while a resource's hydration data is read with
//! `serde_json::from_str`. Those are two deserializer types, so the browser bundle carried
//! every response type's JSON decoder twice. Decoding through `from_str` here leaves one.

use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType, codec::Post};
use serde::{Serialize, de::DeserializeOwned};

/// The encoding of every server function's response (`output = crate::wire::Json`) and of
/// [`crate::error::AppError`].
pub struct JsonText;

/// A server function's response as JSON in a `POST` body.
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|e| e.to_string())?;
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_text() {
        let bytes = <JsonText as Encodes<Vec<u32>>>::encode(&vec![1, 2]).unwrap();
        assert_eq!(&bytes[..], b"[1,2]");
        let back: Vec<u32> = <JsonText as Decodes<Vec<u32>>>::decode(bytes).unwrap();
        assert_eq!(back, vec![1, 2]);
        assert!(<JsonText as Decodes<Vec<u32>>>::decode(Bytes::from_static(b"\xff")).is_err());
        assert!(<JsonText as Decodes<Vec<u32>>>::decode(Bytes::from_static(b"[1,")).is_err());
    }
}
