//! caveat's ner stage (under construction).
