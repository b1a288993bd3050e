//! What the tests that run the collector's binary share: the fixtures folder, a free
//! port on 127.0.0.1 and ids made of two numbers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// A UUID-shaped id from `high` and `low`, distinct for distinct pairs.
pub fn uuid(high: u32, low: u64) -> String {
    format!("0190f3c2-{:04x}-7c4e-8a8b-{:012x}", high & 0xffff, low)
}
