//! The server's bounds on its clients, over real TCP: a connection that sends nothing,
//! or a request's headers too slowly, or its body too slowly, is closed after its
//! timeout; an idle keep-alive connection too; and no more than the bound of
//! connections are served at once, the next client being served once one closes.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "support/harness.rs"]
mod harness;

use harness::*;

async fn collector(max_connections: usize) -> Collector {
    Collector::start_with(Backend::Sqlite, |settings| {
        settings.header_timeout_secs = 1;
        settings.body_timeout_secs = 1;
        settings.max_connections = max_connections;
    })
    .await
}

fn address(collector: &Collector) -> String {
    collector.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; returns what it sent and how long
/// that took, or fails after `limit`.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept the connection open for {limit:?}");
    (String::from_utf8_lossy(&received).into_owned(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_slow_clients_are_closed_after_their_timeout() {
    let collector = collector(1024).await;
    let mut silent = Vec::new();
    for _ in 0..50 {
        silent.push(TcpStream::connect(address(&collector)).await.expect("connect"));
    }
    let mut slow_headers = TcpStream::connect(address(&collector)).await.expect("connect");
    slow_headers.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.expect("sent");
    let mut slow_body = TcpStream::connect(address(&collector)).await.expect("connect");
    let head = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\
                Content-Length: 100\r\n\r\n{\"site\":";
    slow_body.write_all(head.as_bytes()).await.expect("sent");
    let mut idle = TcpStream::connect(address(&collector)).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("sent");

    for stream in &mut silent {
        until_closed(stream, Duration::from_secs(5)).await;
    }
    until_closed(&mut slow_headers, Duration::from_secs(5)).await;
    let (answer, _) = until_closed(&mut slow_body, Duration::from_secs(5)).await;
    assert!(!answer.starts_with("HTTP/1.1 200"), "a cut body is not accepted: {answer}");
    let (answer, _) = until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "answered, then closed when idle: {answer}");

    let ready = collector.http.get(collector.url("/healthz")).send().await.expect("healthz");
    assert_eq!(ready.status(), StatusCode::OK, "the server still serves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_than_the_bound_of_connections_are_served_at_once() {
    let collector = collector(4).await;
    // Let the harness's own pooled connection time out first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(address(&collector)).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let fresh = reqwest::Client::new();
    let answer = fresh.get(collector.url("/healthz")).send().await.expect("served in the end");
    assert_eq!(answer.status(), StatusCode::OK);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500),
        "served after {waited:?}: while the bound was reached it had to wait"
    );
}
