//! caveat's attribution stage (under construction).
