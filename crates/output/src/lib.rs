//! caveat's output contract (being filled in: see ARCHITECTURE.md).
