//! `cargo xtask size [--json]`: the widget's weight on the wire. Builds the bundle, then
//! prints each file's size raw, gzip and brotli, and the brotli sums of the first load
//! (loader, glue and wasm: what every page fetches) and of the forms part (fetched only
//! where a form is shown). With `--json` the last line is
//! `{"files":{"loader":{..},..},"first_load_brotli":B,"forms_brotli":B,"total_brotli":B}`.

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
    let first = [
        ("loader", measure(&bundle.loader)?),
        ("glue", measure(&bundle.first.glue)?),
        ("wasm", measure(&bundle.first.wasm)?),
    ];
    let forms = [
        ("forms_glue", measure(&bundle.forms.glue)?),
        ("forms_wasm", measure(&bundle.forms.wasm)?),
    ];
    println!("{:<11} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
    for (name, sizes) in first.iter().chain(&forms) {
        println!("{name:<11} {:>9} {:>9} {:>9}", sizes.raw, sizes.gzip, sizes.brotli);
    }
    let sum = |parts: &[(&str, Sizes)]| parts.iter().map(|(_, sizes)| sizes.brotli).sum::<usize>();
    let (first_load, forms_part) = (sum(&first), sum(&forms));
    let kb = |bytes: usize| bytes as f64 / 1024.0;
    println!("first load brotli: {first_load} bytes ({:.1} KB)", kb(first_load));
    println!("forms brotli:      {forms_part} bytes ({:.1} KB)", kb(forms_part));
    let total = first_load + forms_part;
    println!("total brotli:      {total} bytes ({:.1} KB)", kb(total));
    if json {
        let fields: Vec<String> = first
            .iter()
            .chain(&forms)
            .map(|(name, s)| {
                format!(r#""{name}":{{"raw":{},"gzip":{},"brotli":{}}}"#, s.raw, s.gzip, s.brotli)
            })
            .collect();
        println!(
            "{{\"files\":{{{}}},\"first_load_brotli\":{first_load},\"forms_brotli\":{forms_part},\"total_brotli\":{total}}}",
            fields.join(",")
        );
    }
    Ok(())
}
