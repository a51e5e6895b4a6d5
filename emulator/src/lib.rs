#![forbid(unsafe_code)]
//! azure-emulator: a local, HTTPS-only stand-in for the parts of Azure that acs-push-operator
//! calls — Entra ID's token endpoint, ARM for Microsoft.Communication and
//! Microsoft.NotificationHubs, and Azure Monitor metrics — plus test controls under
//! `/_emulator/`. See README.md for the wire-level contract.
//!
//! ```no_run
//! # async fn demo() -> Result<(), azure_emulator::StartError> {
//! let emulator = azure_emulator::start(azure_emulator::Config::default()).await?;
//! println!("{} trusts {} bytes of CA PEM", emulator.base_url, emulator.ca_pem.len());
//! emulator.shutdown.shutdown();
//! # Ok(()) }
//! ```

// The module stack, bottom to top (each file imports only from the layers below it; see
// README.md "Code layout"):
// leaves: clock, secret, tls, faults, throttle, request_log, connection_string, arm/ →
// store/ → validate, lro, auth/ → providers/ (with providers/dispatch) → front_door →
// data_plane, seed, control → http/ → server.
mod arm;
mod auth;
mod clock;
mod connection_string;
mod control;
mod data_plane;
mod faults;
mod front_door;
mod http;
mod lro;
mod providers;
mod request_log;
pub mod secret;
pub mod seed;
mod server;
mod store;
mod throttle;
mod tls;
mod validate;

pub use faults::FaultSpec;
pub use seed::{IdentitySeed, ResourceSeed, Seed, SettingsSeed, SubscriptionSeed};
pub use server::{Config, RunningEmulator, ShutdownHandle, StartError, start};
pub use throttle::ThrottleSpec;
