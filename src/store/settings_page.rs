//! Store settings.
