//! HTTP for emulated Azure (everything outside `/_emulator/`): the route, the edge handler
//! (latency, faults, request log, standard headers) and the reply builders.

pub mod edge;
pub mod reply;
pub mod route;
