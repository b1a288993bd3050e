//! `cargo xtask size [--json]`: the widget's weight on the wire. Builds the bundle, then
//! prints loader, glue and wasm sizes raw, gzip and brotli; with `--json` the last line
//! is `{"loader":{..},"glue":{..},"wasm":{..},"total_brotli":BYTES}`.

use std::path::Path;

use crate::bundle::{self, brotli, gzip};
use crate::task::TaskResult;
use crate::tools::ensure_bundle_tools;

struct Sizes {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn measure(path: &Path) -> TaskResult<Sizes> {
    let bytes = std::fs::read(path)?;
    Ok(Sizes { raw: bytes.len(), gzip: gzip(&bytes)?.len(), brotli: brotli(&bytes)?.len() })
}

pub fn run(json: bool) -> TaskResult<()> {
    let tools = ensure_bundle_tools()?;
    let bundle = bundle::build(&tools)?;
    let parts = [
        ("loader", measure(&bundle.loader)?),
        ("glue", measure(&bundle.glue)?),
        ("wasm", measure(&bundle.wasm)?),
    ];
    println!("{:<8} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
    for (name, sizes) in &parts {
        println!("{name:<8} {:>9} {:>9} {:>9}", sizes.raw, sizes.gzip, sizes.brotli);
    }
    let total: usize = parts.iter().map(|(_, sizes)| sizes.brotli).sum();
    println!("total brotli: {total} bytes ({:.1} KB)", total as f64 / 1024.0);
    if json {
        let fields: Vec<String> = parts
            .iter()
            .map(|(name, s)| {
                format!(r#""{name}":{{"raw":{},"gzip":{},"brotli":{}}}"#, s.raw, s.gzip, s.brotli)
            })
            .collect();
        println!("{{{},\"total_brotli\":{total}}}", fields.join(","));
    }
    Ok(())
}
