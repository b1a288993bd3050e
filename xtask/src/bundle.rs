//! `cargo xtask bundle`: builds the widget bundle the collector serves, in two parts:
//! the first load (`kindling-HASH.js` and `.wasm`, every page) and the lead forms
//! (`forms-HASH.js` and `.wasm`, fetched only where a form is shown).
//!
//! For each part:
//! 1. `cargo build -p kindling-widget --target wasm32-unknown-unknown --profile
//!    wasm-release --features standalone,PART` (`split` for the first load,
//!    `forms-part` for the forms);
//! 2. `wasm-bindgen --target web` → the JS glue and the wasm;
//! 3. `wasm-opt --flatten --rereloop -Oz -Oz --converge` (binaryen 132) on the wasm and
//!    `terser --compress passes=3 --mangle` (terser 5) on the glue;
//!
//! then content-hashed names in `target/widget/dist/w/`, the loader (hashed names
//! filled in, minified by terser) as `dist/kindling.js`, and a `.gz` and `.br` beside
//! every file for precompressed serving.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::task::TaskResult;
use crate::tools::{BundleTools, run, workspace_root};

/// Where the bundle is written.
pub fn dist_dir() -> PathBuf {
    workspace_root().join("target/widget/dist")
}

/// The files of a built bundle.
pub struct Bundle {
    pub loader: PathBuf,
    /// Every page's glue and wasm.
    pub first: Part,
    /// The lead forms' glue and wasm.
    pub forms: Part,
}

/// One part's JS glue and wasm.
pub struct Part {
    pub glue: PathBuf,
    pub wasm: PathBuf,
}

/// Builds the bundle and returns its files.
pub fn build(tools: &BundleTools) -> TaskResult<Bundle> {
    let root = workspace_root();
    let dist = dist_dir();
    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    std::fs::create_dir_all(dist.join("w"))?;
    let (first, first_name) = build_part(tools, "split", "kindling")?;
    let (forms, forms_name) = build_part(tools, "forms-part", "forms")?;

    let raw = root.join("target/widget/raw");
    let loader_source = std::fs::read_to_string(root.join("widget/loader.js"))?
        .replace("__WASM__", &first_name)
        .replace("__FORMS__", &forms_name);
    let filled = raw.join("loader.js");
    std::fs::write(&filled, loader_source)?;
    let minified = raw.join("loader.min.js");
    run(Command::new(&tools.terser)
        .arg(&filled)
        .args(["--compress", "passes=3", "--mangle", "-o"])
        .arg(&minified))?;
    let bundle = Bundle { loader: dist.join("kindling.js"), first, forms };
    write_precompressed(&bundle.loader, &std::fs::read(&minified)?)?;
    println!("xtask: bundle written to {}", dist.display());
    Ok(bundle)
}

/// Builds the part with `feature` and writes it as `STEM-HASH.js` and `.wasm`; returns
/// its files and `STEM-HASH`.
fn build_part(tools: &BundleTools, feature: &str, stem: &str) -> TaskResult<(Part, String)> {
    let root = workspace_root();
    run(Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "-p", "kindling-widget", "--target", "wasm32-unknown-unknown"])
        .args(["--profile", "wasm-release", "--features"])
        .arg(format!("standalone,{feature}")))?;
    let built = root.join("target/wasm32-unknown-unknown/wasm-release/kindling_widget.wasm");

    let raw = root.join("target/widget/raw");
    std::fs::create_dir_all(&raw)?;
    run(Command::new(&tools.wasm_bindgen)
        .arg(&built)
        .args(["--target", "web", "--no-typescript", "--out-name", stem, "--out-dir"])
        .arg(&raw))?;
    let optimized = raw.join(format!("{stem}_bg.opt.wasm"));
    run(Command::new(&tools.wasm_opt)
        .arg(raw.join(format!("{stem}_bg.wasm")))
        // Flattening and re-looping before two -Oz passes, to a fixed point, takes about
        // 1.5 % off the wasm; the module's memory is its own and starts zeroed.
        .args(["--flatten", "--rereloop", "-Oz", "-Oz", "--converge", "--zero-filled-memory"])
        .args(["--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg("-o")
        .arg(&optimized))?;
    let minified = raw.join(format!("{stem}.min.js"));
    run(Command::new(&tools.terser)
        .arg(raw.join(format!("{stem}.js")))
        // Three compress passes take a few more bytes off than one.
        .args(["--module", "--compress", "passes=3", "--mangle", "-o"])
        .arg(&minified))?;
    let wasm_bytes = std::fs::read(&optimized)?;
    let glue_bytes = std::fs::read(&minified)?;
    let name = format!("{stem}-{}", short_hash(&[wasm_bytes.as_slice(), &glue_bytes].concat()));
    let w = dist_dir().join("w");
    let part = Part { glue: w.join(format!("{name}.js")), wasm: w.join(format!("{name}.wasm")) };
    write_precompressed(&part.glue, &glue_bytes)?;
    write_precompressed(&part.wasm, &wasm_bytes)?;
    Ok((part, name))
}

/// The wasm features Rust's wasm32 target emits, which wasm-opt must accept.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(5).map(|byte| format!("{byte:02x}")).collect()
}

/// Writes `bytes` to `path`, plus `path.gz` and `path.br`.
fn write_precompressed(path: &Path, bytes: &[u8]) -> TaskResult<()> {
    std::fs::write(path, bytes)?;
    std::fs::write(with_suffix(path, ".gz"), gzip(bytes)?)?;
    std::fs::write(with_suffix(path, ".br"), brotli(bytes)?)?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// gzip at the highest level.
pub fn gzip(bytes: &[u8]) -> TaskResult<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// brotli at the highest quality.
pub fn brotli(bytes: &[u8]) -> TaskResult<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}
