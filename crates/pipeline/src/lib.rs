//! caveat pipeline (under construction).
