//! `cargo xtask demo [--port 8080] [--db PATH]`: builds the bundle, then runs the
//! collector on SQLite (seeded from `demo-site/demo.yaml`) on `--port` and the demo
//! site on `--port + 1`, a second origin, as on a customer's site. A stand-in for the
//! CRM and the sales chat listens on [`WEBHOOK_PORT`] and prints each webhook the
//! demo's workflows send. The database gets a demo owner ([`DEMO_EMAIL`],
//! [`DEMO_PASSWORD`]) through `kindling-collector user add`, the first time.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use crate::bundle;
use crate::task::{TaskResult, fail};
use crate::tools::{ensure_bundle_tools, run as run_command, workspace_root};

/// The demo's owner, who signs in to the admin.
const DEMO_EMAIL: &str = "demo@kindling.test";
/// The demo owner's password: the demo runs on this machine only.
const DEMO_PASSWORD: &str = "kindling-demo-password";
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
    let binary = root.join("target/debug/kindling-collector");
    add_demo_owner(&binary, &db)?;
    let mut collector = Command::new(&binary)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .arg("--config")
        .arg(root.join("demo-site/demo.yaml"))
        .arg("--widget-dir")
        .arg(bundle::dist_dir())
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
    println!("  admin:      {collector_origin}/admin/login  ({DEMO_EMAIL} / {DEMO_PASSWORD})");
    println!("  sign in:    curl -c demo.cookies -H 'content-type: application/json' \\");
    println!(
        "                -d '{{\"email\":\"{DEMO_EMAIL}\",\"password\":\"{DEMO_PASSWORD}\"}}' \\"
    );
    println!("                {collector_origin}/admin/api/session");
    println!("  events:     curl -b demo.cookies \\");
    println!("                '{collector_origin}/admin/api/events?site=pk_demo_brightline'");
    println!("  stop with ctrl-c");
    wait_for_either(&mut collector, &mut site)
}

/// Adds the demo owner to the database at `db` unless it is there already.
fn add_demo_owner(binary: &Path, db: &Path) -> TaskResult<()> {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut adding = Command::new(binary)
        .args(["user", "add", "--email", DEMO_EMAIL, "--role", "owner", "--database"])
        .arg(format!("sqlite://{}", db.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = adding.stdin.take() {
        writeln!(stdin, "{DEMO_PASSWORD}")?;
    }
    let added = adding.wait_with_output()?;
    let said = String::from_utf8_lossy(&added.stderr);
    if added.status.success() || said.contains("exists") {
        Ok(())
    } else {
        fail(format!("adding the demo owner failed: {said}"))
    }
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
