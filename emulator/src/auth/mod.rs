//! Identity: the Entra ID token endpoint, access-token minting and checking, and RBAC.

pub mod entra;
pub mod rbac;
pub mod tokens;
