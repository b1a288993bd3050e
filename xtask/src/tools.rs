//! The tools the tasks need, installed when missing: the wasm32 target, wasm-bindgen-cli
//! at exactly the `wasm-bindgen` crate's version, wasm-opt from the npm package
//! `binaryen@132`, terser from `terser@5`, cargo-fuzz (for `fuzz`), and (for browser tests)
//! Chromium with ChromeDriver from Debian and the accessibility engine `axe-core`.
//! Installed tools live under `target/tools`, so `cargo clean` removes them too.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::task::{TaskResult, fail};

/// The binaryen release whose wasm-opt reads current wasm-bindgen output.
const BINARYEN_VERSION: &str = "132";

/// The terser release that minifies the JS glue.
const TERSER_VERSION: &str = "5";

/// The axe-core release the console's accessibility tests run in the page.
const AXE_CORE_VERSION: &str = "4.14.1";

/// The cargo-fuzz release `cargo xtask fuzz` runs.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Paths of the tools the bundle needs.
pub struct BundleTools {
    pub wasm_bindgen: PathBuf,
    pub wasm_opt: PathBuf,
    pub terser: PathBuf,
}

/// Paths of the tools browser tests need.
pub struct BrowserTools {
    pub chromedriver: PathBuf,
    pub wasm_bindgen_test_runner: PathBuf,
    /// axe-core's script (`axe.min.js`), injected into pages under test.
    pub axe_core: PathBuf,
}

/// The workspace root (the folder holding the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn tools_dir() -> PathBuf {
    workspace_root().join("target/tools")
}

/// Runs `command`, failing with its name when it does not succeed.
pub fn run(command: &mut Command) -> TaskResult<()> {
    let shown = format!("{command:?}");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => fail(format!("{shown} failed ({status})")),
        Err(error) => fail(format!("cannot run {shown}: {error}")),
    }
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Installs what `cargo xtask bundle` needs.
pub fn ensure_bundle_tools() -> TaskResult<BundleTools> {
    ensure_wasm_target()?;
    Ok(BundleTools {
        wasm_bindgen: ensure_wasm_bindgen()?,
        wasm_opt: ensure_npm_tool("binaryen", BINARYEN_VERSION, "binaryen/bin/wasm-opt")?,
        terser: ensure_npm_tool("terser", TERSER_VERSION, "terser/bin/terser")?,
    })
}

fn ensure_wasm_target() -> TaskResult<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|line| line.trim() == "wasm32-unknown-unknown") => Ok(()),
        Some(_) => {
            println!("xtask: installing the wasm32-unknown-unknown target");
            run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
        }
        None => {
            fail("rustup not found: install the wasm32-unknown-unknown target for your toolchain")
        }
    }
}

/// The version `wasm-bindgen` is pinned to in the root Cargo.toml (`"=X.Y.Z"`).
pub fn wasm_bindgen_version() -> TaskResult<String> {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml"))?;
    manifest
        .lines()
        .find_map(|line| {
            let rest = line.trim().strip_prefix("wasm-bindgen = ")?;
            let pinned = &rest[rest.find("\"=")? + 2..];
            Some(pinned[..pinned.find('"')?].to_owned())
        })
        .map_or_else(|| fail("no `wasm-bindgen = \"=X.Y.Z\"` pin in Cargo.toml"), Ok)
}

fn ensure_wasm_bindgen() -> TaskResult<PathBuf> {
    let version = wasm_bindgen_version()?;
    let root = tools_dir().join(format!("wasm-bindgen-{version}"));
    let binary = root.join("bin/wasm-bindgen");
    let reported = output(Command::new(&binary).arg("--version"));
    if reported.is_some_and(|text| text.contains(&version)) {
        return Ok(binary);
    }
    println!(
        "xtask: installing wasm-bindgen-cli {version} into {} (about 2 minutes)",
        root.display()
    );
    run(Command::new("cargo")
        .args(["install", "wasm-bindgen-cli", "--version", &version, "--root"])
        .arg(&root))?;
    Ok(binary)
}

/// cargo-fuzz at [`CARGO_FUZZ_VERSION`], installed under `target/tools` when missing.
pub fn ensure_cargo_fuzz() -> TaskResult<PathBuf> {
    let root = tools_dir().join(format!("cargo-fuzz-{CARGO_FUZZ_VERSION}"));
    let binary = root.join("bin/cargo-fuzz");
    if output(Command::new(&binary).arg("--version")).is_some() {
        return Ok(binary);
    }
    println!("xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION} into {}", root.display());
    run(Command::new(env!("CARGO"))
        .args(["install", "cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--root"])
        .arg(&root))?;
    Ok(binary)
}

/// The npm package `package@version` installed under `target/tools`, and the path of
/// its program `bin` (relative to `node_modules`).
fn ensure_npm_tool(package: &str, version: &str, bin: &str) -> TaskResult<PathBuf> {
    let runs = |binary: &Path| output(Command::new(binary).arg("--version")).is_some();
    ensure_npm_package(package, version, bin, runs)
}

/// The npm package `package@version` installed under `target/tools` when `installed`
/// says its `file` (relative to `node_modules`) is not usable yet; returns that file.
fn ensure_npm_package(
    package: &str,
    version: &str,
    file: &str,
    installed: impl Fn(&Path) -> bool,
) -> TaskResult<PathBuf> {
    let prefix = tools_dir().join(format!("{package}-{version}"));
    let path = prefix.join("node_modules").join(file);
    if installed(&path) {
        return Ok(path);
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        return fail(format!(
            "npm not found: install Node.js and npm (Debian: apt-get install nodejs npm); \
             the tasks need the npm package {package}@{version}"
        ));
    }
    println!("xtask: installing npm {package}@{version}");
    std::fs::create_dir_all(&prefix)?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(format!("{package}@{version}")))?;
    Ok(path)
}

/// Installs what browser tests need: Chromium and ChromeDriver (Debian, as root), and
/// axe-core.
pub fn ensure_browser_tools() -> TaskResult<BrowserTools> {
    let chromedriver = PathBuf::from("/usr/bin/chromedriver");
    let chromium_ok = output(Command::new("chromium").arg("--version")).is_some();
    let driver_ok = output(Command::new(&chromedriver).arg("--version")).is_some();
    if !(chromium_ok && driver_ok) {
        let debian = Path::new("/etc/debian_version").exists();
        let root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
        if !(debian && root) {
            return fail(
                "Chromium and ChromeDriver are missing: install them \
                 (Debian: apt-get install chromium chromium-driver) and run again",
            );
        }
        println!("xtask: installing chromium and chromium-driver");
        run(Command::new("apt-get").arg("update").arg("-q"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let version = wasm_bindgen_version()?;
    let runner = tools_dir().join(format!("wasm-bindgen-{version}/bin/wasm-bindgen-test-runner"));
    let axe_core =
        ensure_npm_package("axe-core", AXE_CORE_VERSION, "axe-core/axe.min.js", Path::is_file)?;
    Ok(BrowserTools { chromedriver, wasm_bindgen_test_runner: runner, axe_core })
}

/// Finds the load generator `wrk` on `PATH`, installing it from Debian (as root) when
/// missing; elsewhere says what to install.
pub fn ensure_wrk() -> TaskResult<PathBuf> {
    if let Some(found) = find_on_path("wrk") {
        return Ok(found);
    }
    let debian = Path::new("/etc/debian_version").exists();
    let root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !(debian && root) {
        return fail("wrk is missing: install it (Debian: apt-get install wrk) and run again");
    }
    println!("xtask: installing wrk");
    run(Command::new("apt-get").arg("update").arg("-q"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends", "wrk"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    find_on_path("wrk").map_or_else(|| fail("wrk was installed but is not on PATH"), Ok)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}
