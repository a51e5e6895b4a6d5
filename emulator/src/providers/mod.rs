//! The resource providers the emulator plays, one folder (or file) each, and the dispatch that
//! routes an authorised ARM request to them. Each handler takes the parsed request (path and
//! [`Ctx`](crate::arm::request::Ctx)) and the store, and answers an `ArmResult`; none of them
//! knows about HTTP, tokens, throttling or RBAC (the front door did that).
//!
//! - `communication`: Microsoft.Communication/communicationServices,
//! - `notification_hubs`: Microsoft.NotificationHubs namespaces, hubs, rules, PNS credentials,
//! - `insights`: Microsoft.Insights metrics (Azure Monitor),
//! - Microsoft.EventGrid (system topics, event subscriptions) goes in `eventgrid/` beside them,
//!   routed from `dispatch`.

pub mod communication;
pub mod dispatch;
pub mod insights;
pub mod notification_hubs;
