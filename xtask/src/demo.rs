//! `cargo xtask demo [--port 8080] [--db PATH]`: builds the bundle, then runs the
//! collector on SQLite (seeded from `demo-site/demo.yaml`) on `--port` and the demo
//! site on `--port + 1`, a second origin, as on a customer's site. A stand-in for the
//! CRM and the sales chat listens on [`WEBHOOK_PORT`] and prints each webhook the
//! demo's workflows send.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use crate::bundle;
use crate::task::{TaskResult, fail};
use crate::tools::{ensure_bundle_tools, run as run_command, workspace_root};

/// The admin token the demo collector accepts.
const DEMO_ADMIN_TOKEN: &str = "demo-admin-token";
/// Where `demo.yaml`'s webhooks point.
pub const WEBHOOK_PORT: u16 = 8099;

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
        // The demo's webhooks go to the printer on this machine.
        .arg("--webhook-allow-private")
        .spawn()?;
    print_webhooks(WEBHOOK_PORT);
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

/// Answers webhooks on 127.0.0.1:`port` with 200 and prints a line for each, on a
/// thread of its own; says so and goes on if the port is taken.
fn print_webhooks(port: u16) {
    let listener = match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "  webhooks:   port {port} unavailable ({error}); deliveries will be retried"
            );
            return;
        }
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Some(line) = read_webhook(stream) {
                println!("  webhook  <- {line}");
            }
        }
    });
}

/// Reads one request, answers 200, and describes its JSON body.
fn read_webhook(mut stream: std::net::TcpStream) -> Option<String> {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").ok()?;
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let lead = &json["lead"];
    let text = json["text"].as_str().map(|text| format!(": {text}")).unwrap_or_default();
    Some(format!(
        "{path} {} {} ({}, score {}){text}",
        json["schema"].as_str().unwrap_or("?"),
        json["workflow"].as_str().unwrap_or("?"),
        lead["email"].as_str().unwrap_or("anonymous"),
        lead["score"],
    ))
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
