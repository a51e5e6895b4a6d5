//! Identity: the Entra ID token endpoint and OpenID discovery document, access-token minting and checking, and RBAC.

pub mod discovery;
pub mod entra;
pub mod rbac;
pub mod tokens;
