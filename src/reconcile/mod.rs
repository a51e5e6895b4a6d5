//! Shared reconcile parts: what every controller (links now; hub credentials and event
//! subscriptions next) is built on, knowing no kind. Pure parts at the bottom (condition merging,
//! events on transitions, outage conditions), then errors and requeue by cause, then the context
//! with the Azure identities, then the I/O parts (status writes, event publishing, finalizer).
//!
//! A kind brings its vocabulary (condition types and reasons) and its steps; it does not copy
//! any of this.

pub mod conditions;
pub mod context;
pub mod error;
pub mod events;
pub mod finalizer;
pub mod identity;
pub mod outage;
pub mod publish;
pub mod requeue;
pub mod status;
