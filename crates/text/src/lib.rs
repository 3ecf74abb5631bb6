//! Shared text primitives of caveat's stage crates (being filled in: see ARCHITECTURE.md).
