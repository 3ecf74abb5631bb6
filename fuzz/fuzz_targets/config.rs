//! Arbitrary text as a pipeline file: parsing and validation must not panic, and every
//! problem must format (file:line:column) without panicking.
#![no_main]

use std::path::Path;

use caveat_pipeline::PipelineConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match PipelineConfig::from_str(src, Path::new("/nonexistent/fuzz.toml")) {
        Ok(config) => {
            assert!(!config.stages.is_empty());
            for p in config.check_environment() {
                let _ = p.to_string();
            }
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error without a problem");
            for p in &errors.0 {
                if let Some(line) = p.line {
                    let lines = src.split('\n').count();
                    assert!(line >= 1 && line <= lines, "line {line} of {lines}: {p}");
                    let col = p.column.expect("a line comes with a column");
                    assert!(col >= 1);
                }
            }
            let _ = errors.to_string();
        }
    }
});
