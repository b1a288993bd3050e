//! Any text as a configuration file: parsed, then compiled into the site catalog with
//! every check the collector runs at start. Must never panic.

#![no_main]

use kindling_collector::ConfigFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = ConfigFile::from_yaml(text) {
        let _ = config.compile();
    }
});
