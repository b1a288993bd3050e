//! `cargo xtask demo [--port 8080] [--db PATH]`: builds the bundle, then runs the
//! collector on SQLite (seeded from `demo-site/demo.yaml`) on `--port` and the demo
//! site on `--port + 1`, a second origin, as on a customer's site.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use crate::tools::{ensure_bundle_tools, run as run_command, workspace_root};
use crate::{TaskResult, bundle, fail};

/// The admin token the demo collector accepts.
const DEMO_ADMIN_TOKEN: &str = "demo-admin-token";

pub fn run(port: u16, db: &Path) -> TaskResult<()> {
    let Some(site_port) = port.checked_add(1) else {
        return fail("--port must be below 65535");
    };
    let tools = ensure_bundle_tools()?;
    bundle::build(&tools)?;
    let root = workspace_root();
    run_command(Command::new(env!("CARGO")).current_dir(&root).args([
        "build",
        "-p",
        "kindling-collector",
        "-p",
        "kindling-demo-site",
    ]))?;
    let db = if db.is_absolute() { db.to_path_buf() } else { root.join(db) };
    if let Some(parent) = db.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let collector_origin = format!("http://127.0.0.1:{port}");
    let mut collector = Command::new(root.join("target/debug/kindling-collector"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .arg("--config")
        .arg(root.join("demo-site/demo.yaml"))
        .arg("--widget-dir")
        .arg(bundle::dist_dir())
        .args(["--admin-token", DEMO_ADMIN_TOKEN])
        .spawn()?;
    let mut site = Command::new(root.join("target/debug/kindling-demo-site"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{site_port}"))
        .arg("--collector")
        .arg(&collector_origin)
        .spawn()?;
    std::thread::sleep(Duration::from_millis(500));
    println!();
    println!("  demo site:  http://127.0.0.1:{site_port}/");
    println!("  collector:  {collector_origin}/  (database {})", db.display());
    println!("  events:     curl -H 'Authorization: Bearer {DEMO_ADMIN_TOKEN}' \\");
    println!("                '{collector_origin}/admin/api/events?site=pk_demo_brightline'");
    println!("  stop with ctrl-c");
    wait_for_either(&mut collector, &mut site)
}

/// Waits until one child exits, then stops the other.
fn wait_for_either(first: &mut Child, second: &mut Child) -> TaskResult<()> {
    loop {
        let exited = match (first.try_wait()?, second.try_wait()?) {
            (Some(status), _) | (None, Some(status)) => Some(status),
            (None, None) => None,
        };
        if let Some(status) = exited {
            for child in [first, second] {
                let _ = child.kill();
                let _ = child.wait();
            }
            return if status.success() {
                Ok(())
            } else {
                fail(format!("a demo process exited: {status}"))
            };
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
