//! Admin users, sessions, API tokens, CSRF and the audit log over real HTTP, on both
//! backends: roles gate every change; the session cookie's attributes; idle and
//! absolute expiry; signing out of one session and of all; the account lock and the
//! per-IP sign-in limit; cross-site changes refused; API tokens shown once, stored
//! hashed, revocable; the deprecated admin token; the audit log; `user add`.

use std::time::Duration;

use reqwest::header::{RETRY_AFTER, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::*;
use harness::*;

on_both_backends!(
    roles_gate_every_change,
    the_session_cookie_is_http_only_strict_and_secure_over_https,
    sessions_end_when_idle_or_too_old,
    signing_out_ends_one_session_or_all_of_them,
    ten_wrong_passwords_lock_the_account,
    one_ip_may_try_only_so_many_sign_ins,
    cross_site_changes_with_the_cookie_are_refused,
    api_tokens_are_shown_once_stored_hashed_and_revocable,
    the_admin_token_still_acts_as_an_owner,
    the_audit_log_records_who_did_what,
    the_command_line_adds_a_user_who_can_sign_in,
);

async fn roles_gate_every_change(backend: Backend) {
    let collector = Collector::start(backend).await;
    let users = team(&collector).await;
    let (owner, editor, viewer) = (
        Browser::sign_in(&collector, OWNER).await,
        Browser::sign_in(&collector, EDITOR).await,
        Browser::sign_in(&collector, "  Viewer@Example.COM ").await,
    );
    for browser in [&owner, &editor, &viewer] {
        assert_eq!(browser.get("/admin/api/events?site=pk_test").await.status(), StatusCode::OK);
        assert_eq!(browser.get("/admin/api/audit").await.status(), StatusCode::OK);
    }
    for (method, path) in CHANGES {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let refused = viewer.send(method.clone(), path, Some(json!({}))).await;
        expect_error(refused, StatusCode::FORBIDDEN, "forbidden", None).await;
        let status = editor.send(method.clone(), path, Some(json!({}))).await.status();
        assert!(
            status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
            "{method} {path}: {status}"
        );
    }
    let new = json!({"email": "new@example.com", "password": PASSWORD, "role": "viewer"});
    let user = format!("/admin/api/users/{}", users[2]["id"].as_str().expect("id"));
    for browser in [&editor, &viewer] {
        for (method, path, body) in [
            (Method::GET, "/admin/api/users", None),
            (Method::POST, "/admin/api/users", Some(new.clone())),
            (Method::PATCH, user.as_str(), Some(json!({"role": "owner"}))),
            (Method::DELETE, user.as_str(), None),
            (Method::GET, "/admin/api/tokens?all=true", None),
        ] {
            let refused = browser.send(method, path, body).await;
            let body = expect_error(refused, StatusCode::FORBIDDEN, "forbidden", None).await;
            assert!(body["error"]["message"].as_str().unwrap_or("").contains("owner"), "{body}");
        }
    }
    assert_eq!(emails(&owner).await, [EDITOR, OWNER, VIEWER], "nothing changed");
    let added = owner.send(Method::POST, "/admin/api/users", Some(new.clone())).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let taken = owner.send(Method::POST, "/admin/api/users", Some(new)).await;
    expect_error(taken, StatusCode::CONFLICT, "conflict", None).await;
    let promoted = owner.send(Method::PATCH, &user, Some(json!({"role": "editor"}))).await;
    assert_eq!(promoted.json::<Value>().await.expect("JSON")["role"], "editor");
    // Anyone signed in manages their own session and tokens.
    let token = viewer.send(Method::POST, "/admin/api/tokens", Some(json!({"name": "cli"}))).await;
    assert_eq!(token.status(), StatusCode::UNAUTHORIZED, "the role change ended the session");
    let me = format!("/admin/api/users/{}", users[0]["id"].as_str().expect("id"));
    for change in [json!({"role": "editor"}), json!({"active": false})] {
        let last = owner.send(Method::PATCH, &me, Some(change)).await;
        expect_error(last, StatusCode::CONFLICT, "conflict", None).await;
    }
    expect_error(
        owner.send(Method::DELETE, &me, None).await,
        StatusCode::CONFLICT,
        "conflict",
        None,
    )
    .await;
    let gone = owner.send(Method::DELETE, &user, None).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(emails(&owner).await, [EDITOR, "new@example.com", OWNER]);
}

async fn the_session_cookie_is_http_only_strict_and_secure_over_https(backend: Backend) {
    let collector = Collector::start(backend).await;
    team(&collector).await;
    let response =
        sign_in_with(&collector, OWNER, PASSWORD, &[("x-forwarded-proto", "https")]).await;
    let set = response.headers()[SET_COOKIE].to_str().expect("text").to_owned();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!((body["email"].as_str(), body["role"].as_str()), (Some(OWNER), Some("owner")));
    assert!(body.get("password_hash").is_none(), "{body}");
    let value = set
        .strip_prefix("kindling_session=")
        .expect("the cookie")
        .split(';')
        .next()
        .expect("value");
    assert_eq!(value.len(), 43, "256 bits, base64url: {set}");
    for attribute in ["; HttpOnly", "; SameSite=Strict", "; Path=/admin", "; Max-Age=604800"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "X-Forwarded-Proto is not trusted without the flag: {set}");
    let stored = column(&collector.database, "SELECT id_hash FROM admin_sessions").await;
    assert_eq!(stored, [hex(value)], "only the id's SHA-256 is stored");

    let collector = collector.restart(|settings| settings.trust_forwarded_for = true).await;
    let proxied =
        sign_in_with(&collector, OWNER, PASSWORD, &[("x-forwarded-proto", "https")]).await;
    assert!(proxied.headers()[SET_COOKIE].to_str().expect("text").ends_with("; Secure"));
    let plain = sign_in_with(&collector, OWNER, PASSWORD, &[("x-forwarded-proto", "http")]).await;
    assert!(!plain.headers()[SET_COOKIE].to_str().expect("text").contains("Secure"));
    let collector = collector.restart(|settings| settings.admin_secure_cookies = true).await;
    let secure = sign_in_with(&collector, OWNER, PASSWORD, &[]).await;
    assert!(secure.headers()[SET_COOKIE].to_str().expect("text").ends_with("; Secure"));
}

async fn sessions_end_when_idle_or_too_old(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| {
        settings.admin_session_idle_secs = 2;
        settings.admin_session_max_secs = 6;
    })
    .await;
    team(&collector).await;
    let (used, unused) =
        (Browser::sign_in(&collector, OWNER).await, Browser::sign_in(&collector, OWNER).await);
    for step in 1..=7 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(used.get("/admin/api/session").await.status(), StatusCode::OK, "in use {step}");
        if step == 4 {
            let idle = unused.get("/admin/api/session").await;
            expect_error(idle, StatusCode::UNAUTHORIZED, "unauthorized", None).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    // Used every second or so, but signed in more than six seconds ago.
    assert_eq!(used.get("/admin/api/session").await.status(), StatusCode::UNAUTHORIZED, "too old");
    let left = column(&collector.database, "SELECT id_hash FROM admin_sessions").await;
    assert!(left.is_empty(), "ended sessions are deleted: {left:?}");
}

async fn signing_out_ends_one_session_or_all_of_them(backend: Backend) {
    let collector = Collector::start(backend).await;
    let users = team(&collector).await;
    let (laptop, phone) =
        (Browser::sign_in(&collector, EDITOR).await, Browser::sign_in(&collector, EDITOR).await);
    let out = laptop.send(Method::DELETE, "/admin/api/session", None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()[SET_COOKIE].to_str().expect("text").contains("kindling_session=; "));
    assert_eq!(laptop.get("/admin/api/session").await.status(), StatusCode::UNAUTHORIZED);
    let me: Value = phone.get("/admin/api/session").await.json().await.expect("JSON");
    assert_eq!((me["email"].as_str(), me["via"].as_str()), (Some(EDITOR), Some("session")));

    let tablet = Browser::sign_in(&collector, EDITOR).await;
    let ended = phone.send(Method::DELETE, "/admin/api/sessions", None).await;
    assert_eq!(ended.json::<Value>().await.expect("JSON")["ended"], 2);
    for browser in [&phone, &tablet] {
        assert_eq!(browser.get("/admin/api/session").await.status(), StatusCode::UNAUTHORIZED);
    }
    // A new password from the owner ends the sessions too; then the old one fails.
    let again = Browser::sign_in(&collector, EDITOR).await;
    let owner = Browser::sign_in(&collector, OWNER).await;
    let path = format!("/admin/api/users/{}", users[1]["id"].as_str().expect("id"));
    let new_password = json!({"password": "another long password"});
    assert_eq!(owner.send(Method::PATCH, &path, Some(new_password)).await.status(), StatusCode::OK);
    assert_eq!(again.get("/admin/api/session").await.status(), StatusCode::UNAUTHORIZED);
    let old = sign_in_with(&collector, EDITOR, PASSWORD, &[]).await;
    expect_error(old, StatusCode::UNAUTHORIZED, "login_failed", None).await;
    let new = sign_in_with(&collector, EDITOR, "another long password", &[]).await;
    assert_eq!(new.status(), StatusCode::OK);
    let short = owner.send(Method::PATCH, &path, Some(json!({"password": "short"}))).await;
    expect_error(short, StatusCode::BAD_REQUEST, "invalid_field", Some("password")).await;
}

async fn ten_wrong_passwords_lock_the_account(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| settings.login_lock_secs = 2).await;
    team(&collector).await;
    for attempt in 1..=8 {
        let wrong = sign_in_with(&collector, VIEWER, "not the password", &[]).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let unknown = sign_in_with(&collector, "nobody@example.com", "not the password", &[]).await;
    let unknown = expect_error(unknown, StatusCode::UNAUTHORIZED, "login_failed", None).await;
    let wrong = sign_in_with(&collector, VIEWER, "not the password", &[]).await;
    let known = expect_error(wrong, StatusCode::UNAUTHORIZED, "login_failed", None).await;
    assert_eq!(known, unknown, "an unknown email answers as a wrong password");
    let locked = sign_in_with(&collector, VIEWER, "not the password", &[]).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "the tenth in a row locks");
    let locks =
        column(&collector.database, "SELECT action FROM audit_log WHERE action = 'login.locked'");
    assert_eq!(locks.await, ["login.locked"]);
    let right = sign_in_with(&collector, VIEWER, PASSWORD, &[]).await;
    assert!(right.headers()[RETRY_AFTER].to_str().is_ok_and(|secs| secs == "2" || secs == "1"));
    expect_error(right, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None).await;
    assert_eq!(sign_in_with(&collector, EDITOR, PASSWORD, &[]).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(sign_in_with(&collector, VIEWER, PASSWORD, &[]).await.status(), StatusCode::OK);
    let counts = column(
        &collector.database,
        "SELECT CAST(failed_logins AS TEXT) FROM admin_users ORDER BY email",
    )
    .await;
    assert_eq!(counts, ["0", "0", "0"], "the right password started the count over");
}

async fn one_ip_may_try_only_so_many_sign_ins(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| settings.login_attempts_ip = 3).await;
    team(&collector).await;
    for _ in 0..3 {
        let wrong = sign_in_with(&collector, OWNER, "not the password", &[]).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = sign_in_with(&collector, OWNER, PASSWORD, &[]).await;
    assert!(limited.headers().contains_key(RETRY_AFTER));
    expect_error(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None).await;
    let signed_in = collector.http.get(collector.url("/admin/api/session")).bearer_auth(TOKEN);
    assert_eq!(signed_in.send().await.expect("sent").status(), StatusCode::OK, "only sign-ins");
}

async fn cross_site_changes_with_the_cookie_are_refused(backend: Backend) {
    let collector = Collector::start(backend).await;
    team(&collector).await;
    let owner = Browser::sign_in(&collector, OWNER).await;
    let host = collector.base.trim_start_matches("http://").to_owned();
    let body = |n: u32| json!({"email": format!("u{n}@example.com"), "password": PASSWORD, "role": "viewer"});
    let post = |n: u32| {
        collector
            .http
            .post(collector.url("/admin/api/users"))
            .header("cookie", format!("kindling_session={}", owner.cookie))
            .json(&body(n))
    };
    for (n, request) in [
        (1, post(1).header("sec-fetch-site", "cross-site")),
        (2, post(2).header("sec-fetch-site", "same-site")),
        (3, post(3).header("origin", "https://evil.example")),
        (
            4,
            post(4)
                .header("origin", format!("http://{host}"))
                .header("sec-fetch-site", "cross-site"),
        ),
        (5, post(5)),
    ] {
        let refused = request.send().await.expect("sent");
        expect_error(refused, StatusCode::FORBIDDEN, "csrf", None).await;
        assert!(
            !emails(&owner).await.contains(&format!("u{n}@example.com")),
            "case {n} changed nothing"
        );
    }
    let reads =
        owner.request(Method::GET, "/admin/api/users", "cross-site").send().await.expect("sent");
    assert_eq!(reads.status(), StatusCode::OK, "reads are not changes");
    assert_eq!(
        post(6).header("sec-fetch-site", "same-origin").send().await.expect("sent").status(),
        StatusCode::CREATED
    );
    let by_origin = post(7).header("origin", format!("http://{host}")).send().await.expect("sent");
    assert_eq!(by_origin.status(), StatusCode::CREATED, "an older browser's Origin");
    let by_token = collector.http.post(collector.url("/admin/api/users")).bearer_auth(TOKEN);
    let by_token =
        by_token.header("sec-fetch-site", "cross-site").json(&body(8)).send().await.expect("sent");
    assert_eq!(by_token.status(), StatusCode::CREATED, "bearer tokens are not ambient");
    let login =
        sign_in_with(&collector, OWNER, PASSWORD, &[("sec-fetch-site", "cross-site")]).await;
    expect_error(login, StatusCode::FORBIDDEN, "csrf", None).await;
}

async fn api_tokens_are_shown_once_stored_hashed_and_revocable(backend: Backend) {
    let collector = Collector::start(backend).await;
    team(&collector).await;
    let (owner, editor) =
        (Browser::sign_in(&collector, OWNER).await, Browser::sign_in(&collector, EDITOR).await);
    let made = owner
        .send(
            Method::POST,
            "/admin/api/tokens",
            Some(json!({"name": "read-only", "role": "viewer"})),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.expect("JSON");
    let secret = made["token"].as_str().expect("the token").to_owned();
    assert!(secret.starts_with("kdl_") && secret.len() == 47, "{secret}");
    let listed = owner.get("/admin/api/tokens").await.text().await.expect("text");
    assert!(
        listed.contains("read-only") && !listed.contains(&secret) && !listed.contains("hash"),
        "{listed}"
    );
    let stored = column(&collector.database, "SELECT hash FROM api_tokens").await;
    assert_eq!(stored, [hex(&secret)], "stored as its SHA-256 only");

    let me = with_token(&collector, &secret, Method::GET, "/admin/api/session", None).await;
    let me: Value = me.json().await.expect("JSON");
    assert_eq!(
        (me["role"].as_str(), me["via"].as_str()),
        (Some("viewer"), Some("token")),
        "the lower role"
    );
    assert_eq!(
        with_token(&collector, &secret, Method::GET, "/admin/api/events?site=pk_test", None)
            .await
            .status(),
        StatusCode::OK
    );
    let change = with_token(&collector, &secret, Method::DELETE, CHANGES[0].1, None).await;
    expect_error(change, StatusCode::FORBIDDEN, "forbidden", None).await;
    let used =
        column(&collector.database, "SELECT CAST(last_used_ms AS TEXT) FROM api_tokens").await;
    assert_eq!(used.len(), 1, "last use noted");

    let above = editor
        .send(Method::POST, "/admin/api/tokens", Some(json!({"name": "x", "role": "owner"})))
        .await;
    expect_error(above, StatusCode::BAD_REQUEST, "invalid_field", Some("role")).await;
    let editors: Value = editor
        .send(Method::POST, "/admin/api/tokens", Some(json!({"name": "deploy"})))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(editors["role"], "editor");
    let owners_token = format!("/admin/api/tokens/{}", made["id"].as_str().expect("id"));
    let not_theirs = editor.send(Method::DELETE, &owners_token, None).await;
    expect_error(not_theirs, StatusCode::NOT_FOUND, "not_found", None).await;
    let editors_token = format!("/admin/api/tokens/{}", editors["id"].as_str().expect("id"));
    assert_eq!(
        owner.send(Method::DELETE, &editors_token, None).await.status(),
        StatusCode::NO_CONTENT,
        "an owner revokes anyone's"
    );
    assert_eq!(
        owner.send(Method::DELETE, &owners_token, None).await.status(),
        StatusCode::NO_CONTENT
    );
    for revoked in [&secret, editors["token"].as_str().expect("token")] {
        let refused =
            with_token(&collector, revoked, Method::GET, "/admin/api/session", None).await;
        expect_error(refused, StatusCode::UNAUTHORIZED, "unauthorized", None).await;
    }
}

async fn the_admin_token_still_acts_as_an_owner(backend: Backend) {
    let collector = Collector::start(backend).await;
    let me: Value = with_token(&collector, TOKEN, Method::GET, "/admin/api/session", None)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!((me["role"].as_str(), me["via"].as_str()), (Some("owner"), Some("admin_token")));
    assert_eq!(
        with_token(&collector, TOKEN, Method::GET, "/admin/api/users", None).await.status(),
        StatusCode::OK
    );
    let nobodys = with_token(
        &collector,
        TOKEN,
        Method::POST,
        "/admin/api/tokens",
        Some(json!({"name": "x"})),
    )
    .await;
    expect_error(nobodys, StatusCode::BAD_REQUEST, "invalid_field", Some("authorization")).await;
    let wrong =
        with_token(&collector, "kdl_not-a-token", Method::GET, "/admin/api/session", None).await;
    expect_error(wrong, StatusCode::UNAUTHORIZED, "unauthorized", None).await;
}

async fn the_audit_log_records_who_did_what(backend: Backend) {
    let collector = Collector::start(backend).await;
    let users = team(&collector).await;
    let owner = Browser::sign_in(&collector, OWNER).await;
    let made: Value = owner
        .send(Method::POST, "/admin/api/tokens", Some(json!({"name": "ci"})))
        .await
        .json()
        .await
        .expect("JSON");
    let path = format!("/admin/api/tokens/{}", made["id"].as_str().expect("id"));
    owner.send(Method::DELETE, &path, None).await;
    let user = format!("/admin/api/users/{}", users[2]["id"].as_str().expect("id"));
    owner.send(Method::PATCH, &user, Some(json!({"role": "editor"}))).await;
    owner.send(Method::DELETE, &user, None).await;
    sign_in_with(&collector, EDITOR, "not the password", &[]).await;
    owner.send(Method::DELETE, "/admin/api/sessions", None).await;

    let viewer = Browser::sign_in(&collector, EDITOR).await;
    let entries: Value = viewer.get("/admin/api/audit").await.json().await.expect("JSON");
    let entries = entries.as_array().expect("entries");
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap_or("")).collect();
    assert_eq!(
        actions,
        [
            "login",
            "session.signout_all",
            "login.failed",
            "user.remove",
            "user.role",
            "token.revoke",
            "token.create",
            "login",
            "user.add",
            "user.add",
            "user.add",
            // The configuration file imported at start.
            "config.publish",
            "config.save"
        ],
        "newest first"
    );
    let removal = &entries[3];
    assert_eq!(
        (removal["actor_email"].as_str(), removal["subject"].as_str()),
        (Some(OWNER), Some(VIEWER))
    );
    assert_eq!(removal["actor_id"], users[0]["id"]);
    let detail: Value =
        serde_json::from_str(entries[4]["detail"].as_str().expect("text")).expect("JSON");
    assert_eq!(detail, json!({"from": "viewer", "to": "editor"}));
    assert_eq!(
        (entries[10]["actor_id"].clone(), entries[10]["actor_email"].as_str()),
        (Value::Null, Some("admin-token"))
    );
    let before = entries[1]["id"].as_i64().expect("id");
    let page: Value = viewer
        .get(&format!("/admin/api/audit?limit=2&before={before}"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        page.as_array().map(|p| p.iter().map(|e| e["action"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("login.failed"), json!("user.remove")])
    );
}

async fn the_command_line_adds_a_user_who_can_sign_in(backend: Backend) {
    use std::io::Write as _;
    let collector = Collector::start(backend).await;
    let user = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kindling-collector"))
            .arg("user")
            .args(args)
            .args(["--database", &collector.database])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("written");
        child.wait_with_output().expect("it ends")
    };
    let short = user(&["add", "--email", "boss@example.com", "--role", "owner"], "too short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("12 characters"), "{short:?}");
    let added =
        user(&["add", "--email", " Boss@Example.com", "--role", "owner"], &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{added:?}");
    assert!(String::from_utf8_lossy(&added.stdout).starts_with("added boss@example.com (owner)"));
    let listed = user(&["list"], "");
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("\tboss@example.com\towner\tactive"),
        "{listed:?}"
    );
    let owner = Browser::sign_in(&collector, "boss@example.com").await;
    assert_eq!(owner.get("/admin/api/users").await.status(), StatusCode::OK);
}
