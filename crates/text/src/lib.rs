//! Shared text primitives of caveat's stage crates, each in one place:
//!
//! * [`hash`]: the 64-bit hash functions whose values shipped models store (three families,
//!   each pinned by test vectors) and hash maps keyed by hashes;
//! * [`normalize`]: word normalisation (lower-casing, apostrophe folding);
//! * [`stem`]: the two crude English suffix strippers;
//! * [`linecol`]: byte offset → 1-based line and column;
//! * [`links`]: the `READ MORE:` labels of links run into scraped text;
//! * [`names`]: names as readers compare them (titles and possessives folded, acronyms);
//! * [`perceptron`]: the averaged perceptron, generic over weight storage and averaging;
//! * [`rng`]: the seeded generators that shuffle training examples.
//!
//! Nothing here may change the numbers it produces: shipped models depend on them (each
//! module says which). No dependencies beyond `std`.

pub mod hash;
pub mod linecol;
pub mod links;
pub mod names;
pub mod normalize;
pub mod perceptron;
pub mod quotes;
pub mod rng;
pub mod stem;
