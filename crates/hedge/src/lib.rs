//! caveat's hedge stage (under construction).
