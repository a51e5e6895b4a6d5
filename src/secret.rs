//! Secret values (keys, connection strings, client secrets) that never print. Being written (issue 2).
