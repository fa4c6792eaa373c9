//! The store view's listings.
