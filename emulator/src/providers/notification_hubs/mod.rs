//! Microsoft.NotificationHubs: namespaces, hubs (with their PNS credentials) and shared access
//! authorization rules. Each file imports only the ones before it: namespaces, pns_credentials
//! → hubs → rules.

pub mod hubs;
pub mod namespaces;
pub mod pns_credentials;
pub mod rules;
