//! The store view's order list.
