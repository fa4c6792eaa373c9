//! One order: the owner's page and the buyer's page.
