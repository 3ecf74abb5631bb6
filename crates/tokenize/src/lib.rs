//! caveat's tokenize stage (under construction).
