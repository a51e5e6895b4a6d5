//! The `PushNotificationLink` controller, on the shared reconcile parts of
//! [`crate::reconcile`]. Its modules form a one-way stack, each importing only from those above
//! it in this list:
//!
//! - `spec`: the spec parsed (pure); `facts`: what a pass observed; `plan`: what to do
//! - `conditions`, `messages`, `events`, `outage`, `evaluate`: the pure diagnosis
//! - `index` (other links, from the watch), `readings` (per-hub readings), `context`
//! - steps: `observe`, `act`, `report`, `cleanup`
//! - `reconcile`: the driver; `controller`: the watches that run it

pub mod act;
pub mod cleanup;
pub mod conditions;
pub mod context;
pub mod controller;
pub mod evaluate;
pub mod events;
pub mod facts;
pub mod index;
mod messages;
pub mod observe;
pub mod outage;
pub mod plan;
pub mod readings;
pub mod reconcile;
pub mod report;
pub mod spec;
