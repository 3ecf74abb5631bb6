//! End-to-end tests: the real `caveat` binary on the shipped pipelines and models.

mod architecture;
mod coref;
mod eval;
mod harness;
mod hostile;
/// `caveat models` exists in builds with the `transformer` feature.
#[cfg(feature = "transformer")]
mod models_inspect;
mod run;
mod shards;
mod streams;
mod train;
/// Needs a build with the `transformer` feature (scripts/test and CI have it); without it,
/// validate.rs checks that the transformer pipelines say how to get one.
#[cfg(feature = "transformer")]
mod transformer;
mod validate;
