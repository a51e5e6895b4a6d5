//! ARM's vocabulary, shared by the front door, the providers and seeding: error and success
//! replies, request paths, query and handler context, operations and their api-versions.
//! Leaf files: none of them reads the store.

pub mod api_version;
pub mod error;
pub mod operation;
pub mod path;
pub mod request;
