//! End-to-end tests: the real `caveat` binary on the shipped pipelines and models.

mod eval;
mod harness;
mod hostile;
mod run;
mod streams;
mod train;
mod transformer;
mod validate;
