//! What an uploaded file is, by its content (never by its name), and the resized copies a
//! photo is shown in. Decoding and re-encoding keeps only pixels: the EXIF block a phone
//! writes (GPS location, device, time) is not carried over; its orientation is applied first.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder,
    imageops::FilterType,
};

/// Largest upload accepted (refused from its Content-Length, before it is read).
pub const MAX_UPLOAD_BYTES: u64 = 15 * 1024 * 1024;
/// Photos per item.
pub const MAX_PHOTOS: i64 = 10;
/// A 12-megapixel phone photo is 4032 × 3024; 50 megapixels leaves room for any camera and
/// refuses an "image bomb" (a small file that decodes to gigabytes).
pub const MAX_PIXELS: u64 = 50_000_000;
const MAX_SIDE: u32 = 16_384;

/// The sizes a photo is shown in: the longest side in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The stock table and the cart.
    Thumb,
    /// Storefront cards and the item page.
    Card,
    /// Opened large.
    Full,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Full, Variant::Card, Variant::Thumb];

    pub fn side(self) -> u32 {
        match self {
            Variant::Thumb => 240,
            Variant::Card => 640,
            Variant::Full => 1600,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Variant::Thumb => "thumb",
            Variant::Card => "card",
            Variant::Full => "full",
        }
    }

    pub fn parse(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("This photo is {0} MB; photos can be up to 15 MB.")]
    TooLarge(u64),
    #[error(
        "HEIC photos cannot be read here yet. On an iPhone choose Settings › Camera › Formats › Most Compatible, or share the photo as JPEG."
    )]
    Heic,
    #[error("This file is not a photo Flipdesk can read (JPEG, PNG or WebP).")]
    NotAPhoto,
    #[error("This picture is {0} × {1} pixels; photos can have up to 50 megapixels.")]
    TooManyPixels(u32, u32),
    #[error("This photo could not be read: {0}")]
    Unreadable(String),
}

fn is_heic(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1"
        )
}

fn reader(bytes: &[u8], limited: bool) -> Result<ImageReader<Cursor<&[u8]>>, PhotoError> {
    if is_heic(bytes) {
        return Err(PhotoError::Heic);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAPhoto)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAPhoto);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    if !limited {
        return Ok(reader);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    Ok(reader)
}

/// Checks an upload by its content and header only (cheap: no pixels are decoded):
/// answers its width and height.
pub fn inspect(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    if bytes.len() as u64 > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge(
            (bytes.len() as u64).div_ceil(1024 * 1024),
        ));
    }
    // The header only: reading it allocates nothing, whatever size it claims.
    let (w, h) = reader(bytes, false)?
        .into_dimensions()
        .map_err(|_| PhotoError::NotAPhoto)?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels(w, h));
    }
    Ok((w, h))
}

/// A photo's sizes as JPEG (largest first), and its upright width and height.
pub struct Made {
    pub sizes: Vec<(Variant, Vec<u8>)>,
    pub width: u32,
    pub height: u32,
}

/// The photo decoded, turned upright, and encoded again as JPEG in every size.
pub fn variants(bytes: &[u8]) -> Result<Made, PhotoError> {
    inspect(bytes)?;
    let mut decoder = reader(bytes, true)?
        .into_decoder()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img =
        DynamicImage::from_decoder(decoder).map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    img.apply_orientation(orientation);
    let (width, height) = (img.width(), img.height());
    let mut out = Vec::with_capacity(Variant::ALL.len());
    // Each size from the one above it: resampling 12 megapixels once, not three times.
    let mut source = DynamicImage::ImageRgb8(img.to_rgb8());
    for variant in Variant::ALL {
        let side = variant.side();
        if source.width().max(source.height()) > side {
            source = source.resize(side, side, FilterType::Triangle);
        }
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 82)
            .encode_image(&source)
            .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
        out.push((variant, jpeg));
    }
    Ok(Made {
        sizes: out,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage, codecs::png::PngEncoder};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn photos_are_known_by_content() {
        assert_eq!(inspect(&png(30, 20)), Ok((30, 20)));
        assert_eq!(inspect(b"GIF89a not allowed"), Err(PhotoError::NotAPhoto));
        assert_eq!(
            inspect(b"%PDF-1.7 pretending to be a .jpg"),
            Err(PhotoError::NotAPhoto)
        );
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic0000");
        assert_eq!(inspect(&heic), Err(PhotoError::Heic));
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        // A PNG header claiming 20,000 × 20,000 pixels, in a few dozen bytes.
        let sized = |w: u32, h: u32| {
            let mut bomb = png(1, 1);
            bomb[16..20].copy_from_slice(&w.to_be_bytes());
            bomb[20..24].copy_from_slice(&h.to_be_bytes());
            let crc = crc32(&bomb[12..29]);
            bomb[29..33].copy_from_slice(&crc.to_be_bytes());
            bomb
        };
        assert_eq!(
            inspect(&sized(20_000, 20_000)),
            Err(PhotoError::TooManyPixels(20_000, 20_000))
        );
        assert_eq!(
            inspect(&sized(9_000, 9_000)),
            Err(PhotoError::TooManyPixels(9_000, 9_000))
        );
        // Within the limit by its header, but its pixels are not there: refused on decoding.
        assert_eq!(inspect(&sized(6_000, 4_000)), Ok((6_000, 4_000)));
        assert!(matches!(
            variants(&sized(6_000, 4_000)),
            Err(PhotoError::Unreadable(_))
        ));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn variants_are_jpeg_in_every_size() {
        let made = variants(&png(2000, 1000)).unwrap();
        assert_eq!((made.width, made.height), (2000, 1000));
        let sizes: Vec<(u32, u32)> = made
            .sizes
            .iter()
            .map(|(_, b)| image::load_from_memory_with_format(b, ImageFormat::Jpeg).unwrap())
            .map(|i| (i.width(), i.height()))
            .collect();
        assert_eq!(sizes, [(1600, 800), (640, 320), (240, 120)]);
        // A small photo is not blown up.
        let made = variants(&png(100, 50)).unwrap();
        let thumb = image::load_from_memory(&made.sizes[2].1).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (100, 50));
    }

    #[test]
    fn metadata_does_not_survive() {
        let img = RgbImage::from_pixel(64, 48, image::Rgb([200, 10, 10]));
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        // A phone's EXIF block right after the start marker, with a GPS position in it.
        let mut exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPSLatitude 52.5200 N 13.4050 E".to_vec();
        exif.resize(64, 0);
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(&exif);
        with_exif.extend_from_slice(&jpeg[2..]);
        for (_, bytes) in variants(&with_exif).unwrap().sizes {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("Exif") && !text.contains("GPS"));
        }
    }
}
