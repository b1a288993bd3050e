//! What the accounts tests share: users added through the admin token, signing in,
//! a browser that holds its session cookie and says where its requests come from,
//! a team of three users, and reading a column of the database itself.

#![allow(dead_code)]

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{Collector, TOKEN};

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// Adds a user with the admin token; returns the user.
pub async fn add_user(collector: &Collector, email: &str, role: &str) -> Value {
    let response = collector
        .http
        .post(collector.url("/admin/api/users"))
        .bearer_auth(TOKEN)
        .json(&json!({"email": email, "password": PASSWORD, "role": role}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED, "adding {email}");
    response.json().await.expect("JSON")
}

/// `POST /admin/api/session` with `email` and `password`, with `headers`.
pub async fn sign_in_with(
    collector: &Collector,
    email: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = collector
        .http
        .post(collector.url("/admin/api/session"))
        .json(&json!({"email": email, "password": password}));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("sent")
}

/// The session cookie's value in a `Set-Cookie` of `response`.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix("kindling_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

/// A browser signed in as one user.
pub struct Browser<'c> {
    pub collector: &'c Collector,
    pub cookie: String,
}

impl<'c> Browser<'c> {
    /// Signs in as `email` (with [`PASSWORD`]).
    pub async fn sign_in(collector: &'c Collector, email: &str) -> Browser<'c> {
        let response = sign_in_with(collector, email, PASSWORD, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "signing in as {email}");
        let cookie = session_cookie(&response).expect("a session cookie");
        Browser { collector, cookie }
    }

    /// A request with the cookie, sent by a page of `site` (`Sec-Fetch-Site`).
    pub fn request(&self, method: Method, path: &str, site: &str) -> reqwest::RequestBuilder {
        self.collector
            .http
            .request(method, self.collector.url(path))
            .header(COOKIE, format!("kindling_session={}", self.cookie))
            .header("sec-fetch-site", site)
    }

    /// A request of the admin's own pages.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut request = self.request(method, path, "same-origin");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(Method::GET, path, None).await
    }
}

/// A request with `Authorization: Bearer token`.
pub async fn with_token(
    collector: &Collector,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = collector.http.request(method, collector.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("sent")
}

/// The first column of every row `sql` selects, as text, read from the database itself.
pub async fn column(database: &str, sql: &str) -> Vec<String> {
    if let Some(file) = database.strip_prefix("sqlite://") {
        let connection = rusqlite::Connection::open(file).expect("SQLite file");
        let mut statement = connection.prepare(sql).expect("statement");
        let rows = statement.query_map([], |row| row.get::<_, String>(0)).expect("rows");
        rows.collect::<Result<_, _>>().expect("text")
    } else {
        use sqlx::Connection as _;
        let mut connection = sqlx::PgConnection::connect(database).await.expect("PostgreSQL");
        sqlx::query_scalar::<_, String>(sql).fetch_all(&mut connection).await.expect("rows")
    }
}

pub const OWNER: &str = "owner@example.com";
pub const EDITOR: &str = "editor@example.com";
pub const VIEWER: &str = "viewer@example.com";

/// A change of each area an editor may make, and its path.
pub const CHANGES: &[(&str, &str)] = &[
    ("DELETE", "/admin/api/profile?site=pk_test&id=x"),
    ("POST", "/admin/api/profile/stage?site=pk_test&id=x"),
    ("POST", "/admin/api/outbox/0190f3c2-7d2a-7c4e-8a8b-0123456789ab/replay?site=pk_test"),
    ("POST", "/admin/api/person-events"),
];

/// An owner, an editor and a viewer, added with the admin token.
pub async fn team(collector: &Collector) -> Vec<Value> {
    let mut users = Vec::new();
    for (email, role) in [(OWNER, "owner"), (EDITOR, "editor"), (VIEWER, "viewer")] {
        users.push(add_user(collector, email, role).await);
    }
    users
}

/// The users' emails, as the owner `browser` lists them.
pub async fn emails(browser: &Browser<'_>) -> Vec<String> {
    let users: Value = browser.get("/admin/api/users").await.json().await.expect("JSON");
    users
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["email"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The SHA-256 of `secret`, hex: how the store keeps it.
pub fn hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}
