//! The console's account pages over real HTTP, on both backends, signed in through the
//! sign-in form: an owner adds, changes and removes users on the users page, which
//! editors and viewers are refused however they ask, and the last owner stays; anyone
//! makes an API token on their account page, shown once, that works until revoked
//! there, and signs out everywhere; the audit log page lists those changes newest
//! first, filters and pages them; hostile emails and token names come out escaped.

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::{EDITOR, OWNER, PASSWORD, VIEWER};
use harness::*;

on_both_backends!(
    an_owner_adds_and_changes_users_on_the_page_and_they_sign_in,
    editors_and_viewers_are_refused_the_users_pages,
    the_last_owner_can_be_neither_removed_nor_demoted,
    a_token_made_on_the_page_is_shown_once_and_works_until_revoked,
    signing_out_everywhere_ends_every_session_of_the_user,
    the_audit_log_lists_the_changes_newest_first_and_filters_them,
    hostile_emails_and_token_names_come_out_escaped,
);

const SITE: &str = "?site=pk_test";

async fn start(backend: Backend) -> Collector {
    Collector::start_with(backend, |settings| {
        settings.login_attempts_ip = 1_000;
        settings.admin_token_failures = 1_000;
    })
    .await
}

/// A browser signed in through the console's sign-in form, showing redirects instead
/// of following them.
struct Console<'c> {
    collector: &'c Collector,
    client: reqwest::Client,
    cookie: String,
}

impl<'c> Console<'c> {
    async fn sign_in(collector: &'c Collector, email: &str) -> Console<'c> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let response = client
            .post(collector.url("/admin/login"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email), ("password", PASSWORD), ("next", "/admin/account")])
            .send()
            .await
            .expect("POST /admin/login");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing in as {email}");
        let cookie = accounts::session_cookie(&response).expect("a session cookie");
        Console { collector, client, cookie }
    }

    fn request(&self, method: Method, path: &str, site: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.collector.url(path))
            .header(COOKIE, format!("kindling_session={}", self.cookie))
            .header("sec-fetch-site", site)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.request(Method::GET, path, "same-origin").send().await.expect("GET")
    }

    /// A page that must be there: asserts 200, HTML and `no-store`; returns the HTML.
    async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        assert_html(&response, path);
        response.text().await.expect("HTML")
    }

    /// Posts the page's form `fields` to `path`, from the console's own pages.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.request(Method::POST, path, "same-origin").form(fields).send().await.expect("POST")
    }

    /// The same browser's credential for the JSON API.
    fn api(&self) -> accounts::Browser<'c> {
        accounts::Browser { collector: self.collector, cookie: self.cookie.clone() }
    }
}

fn assert_html(response: &reqwest::Response, path: &str) {
    let header = |name| response.headers().get(name).map(|v| v.to_str().expect("text").to_owned());
    assert!(header(CONTENT_TYPE).unwrap_or_default().starts_with("text/html"), "{path}");
    assert_eq!(header(CACHE_CONTROL).as_deref(), Some("no-store"), "{path}");
}

fn location(response: &reqwest::Response) -> &str {
    response.headers()[LOCATION].to_str().expect("location")
}

/// Every user, by email, as the admin token lists them.
async fn users(collector: &Collector) -> Vec<Value> {
    let response = collector.admin(Method::GET, "/admin/api/users").await;
    let users: Value = response.json().await.expect("JSON");
    users.as_array().expect("users").clone()
}

async fn user(collector: &Collector, email: &str) -> Value {
    let all = users(collector).await;
    all.into_iter().find(|user| user["email"] == email).unwrap_or_else(|| panic!("{email}"))
}

async fn id_of(collector: &Collector, email: &str) -> String {
    user(collector, email).await["id"].as_str().expect("id").to_owned()
}

/// The role selected in the row of `email` on the users page.
fn selected_role(html: &str, email: &str) -> String {
    let start = html.find(&format!(r#"scope="row">{email}"#)).unwrap_or_else(|| panic!("{email}"));
    let row = &html[start..];
    let chosen = &row[..row.find(" selected").expect("a selected role")];
    chosen.rsplit("value=\"").next().expect("value").trim_end_matches('"').to_owned()
}

/// The `href` of the link reading `text`, unescaped.
fn link(html: &str, text: &str) -> String {
    let end = html.find(&format!(">{text}</a>")).unwrap_or_else(|| panic!("a link {text}"));
    let start = html[..end].rfind("href=\"").expect("href") + 6;
    html[start..end].trim_end_matches('"').replace("&amp;", "&")
}

/// The `kdl_…` secret in a field of a page.
fn secret(html: &str) -> String {
    let start = html.find(r#"value="kdl_"#).expect("a token on the page") + 7;
    html[start..].chars().take_while(|c| *c != '"').collect()
}

fn add_fields<'a>(email: &'a str, password: &'a str, role: &'a str) -> [(&'a str, &'a str); 3] {
    [("email", email), ("password", password), ("role", role)]
}

async fn an_owner_adds_and_changes_users_on_the_page_and_they_sign_in(backend: Backend) {
    let collector = start(backend).await;
    accounts::add_user(&collector, OWNER, "owner").await;
    let owner = Console::sign_in(&collector, OWNER).await;
    let html = owner.page("/admin/users").await;
    assert!(html.contains(OWNER) && html.contains(r#"aria-current="page">Users"#), "{html}");
    for (email, role) in [(EDITOR, "editor"), (VIEWER, "viewer")] {
        let added =
            owner.post("/admin/users?site=pk_test", &add_fields(email, PASSWORD, role)).await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER, "adding {email}");
        assert_eq!(location(&added), "/admin/users?site=pk_test&done=added");
    }
    let html = owner.page("/admin/users?site=pk_test&done=added").await;
    assert!(html.contains("The user was added"), "{html}");
    assert_eq!(selected_role(&html, EDITOR), "editor");
    assert_eq!(selected_role(&html, VIEWER), "viewer");
    for email in [EDITOR, VIEWER] {
        let html = Console::sign_in(&collector, email).await.page("/admin/account").await;
        assert!(html.contains(email), "{email} is signed in");
    }

    let short = owner.post("/admin/users", &add_fields("new@example.com", "short", "editor")).await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    let html = short.text().await.expect("HTML");
    let beside = r#"id="add-password-error" role="alert">A password has at least 12 characters."#;
    assert!(html.contains(beside), "beside the password: {html}");
    assert!(html.contains(r#"aria-describedby="add-password-hint add-password-error""#));
    assert!(html.contains(r#"value="new@example.com""#), "what was typed stays");
    let taken = owner.post("/admin/users", &add_fields(EDITOR, PASSWORD, "viewer")).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let html = taken.text().await.expect("HTML");
    assert!(html.contains(r#"id="add-email-error" role="alert">A user with this email exists."#));
    let role = owner.post("/admin/users", &add_fields("new@example.com", PASSWORD, "boss")).await;
    assert_eq!(role.status(), StatusCode::BAD_REQUEST);
    assert!(role.text().await.expect("HTML").contains(r#"id="add-role-error""#));
    assert_eq!(users(&collector).await.len(), 3, "nothing refused was added");

    let viewer = id_of(&collector, VIEWER).await;
    let changed =
        owner.post(&format!("/admin/users/{viewer}/role{SITE}"), &[("role", "editor")]).await;
    assert_eq!(location(&changed), "/admin/users?site=pk_test&done=role");
    assert_eq!(user(&collector, VIEWER).await["role"], "editor");
    let off = owner.post(&format!("/admin/users/{viewer}/access"), &[("active", "false")]).await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(user(&collector, VIEWER).await["active"], false);
    assert!(owner.page("/admin/users").await.contains("Disabled"));
    let refused = accounts::sign_in_with(&collector, VIEWER, PASSWORD, &[]).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "a disabled user cannot sign in");
    owner.post(&format!("/admin/users/{viewer}/access"), &[("active", "true")]).await;
    Console::sign_in(&collector, VIEWER).await;
}

async fn editors_and_viewers_are_refused_the_users_pages(backend: Backend) {
    let collector = start(backend).await;
    accounts::team(&collector).await;
    let (owner, viewer) = (id_of(&collector, OWNER).await, id_of(&collector, VIEWER).await);
    let before = users(&collector).await;
    for email in [EDITOR, VIEWER] {
        let console = Console::sign_in(&collector, email).await;
        let html = console.page("/admin/account").await;
        assert!(!html.contains(r#"href="/admin/users"#), "no link to the users for {email}");
        assert!(html.contains(r#"href="/admin/audit"#));
        for path in ["/admin/users".to_owned(), format!("/admin/users/{owner}/remove")] {
            assert_eq!(console.get(&path).await.status(), StatusCode::FORBIDDEN, "{email}: {path}");
        }
        let posts = [
            (
                "/admin/users".to_owned(),
                add_fields("sneak@example.com", PASSWORD, "owner").to_vec(),
            ),
            (format!("/admin/users/{viewer}/role"), vec![("role", "owner")]),
            (format!("/admin/users/{owner}/access"), vec![("active", "false")]),
            (format!("/admin/users/{owner}/remove"), vec![]),
        ];
        for (path, fields) in &posts {
            let refused = console.post(path, fields).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{email}: POST {path}");
        }
    }
    assert_eq!(users(&collector).await, before, "nothing changed");
    let html = Console::sign_in(&collector, OWNER).await.page("/admin/account").await;
    assert!(html.contains(r#"href="/admin/users?site=pk_test""#), "an owner has the link");
}

async fn the_last_owner_can_be_neither_removed_nor_demoted(backend: Backend) {
    let collector = start(backend).await;
    accounts::team(&collector).await;
    let owner = Console::sign_in(&collector, OWNER).await;
    let id = id_of(&collector, OWNER).await;
    let confirm = owner.page(&format!("/admin/users/{id}/remove{SITE}")).await;
    assert!(confirm.contains(&format!("Remove {OWNER}?")), "{confirm}");
    let last = "The last owner cannot be removed, deactivated or given another role.";
    let removed = owner.post(&format!("/admin/users/{id}/remove{SITE}"), &[]).await;
    assert_eq!(removed.status(), StatusCode::CONFLICT);
    let html = removed.text().await.expect("HTML");
    assert!(html.contains(&format!(r#"id="remove-error" role="alert">{last}"#)), "{html}");
    assert!(html.contains(r#"aria-describedby="remove-error""#), "the button names it");
    let demoted = owner.post(&format!("/admin/users/{id}/role"), &[("role", "editor")]).await;
    assert_eq!(demoted.status(), StatusCode::CONFLICT);
    let html = demoted.text().await.expect("HTML");
    let row = &html[html.find(&format!(r#"scope="row">{OWNER}"#)).expect("the owner's row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(row.contains(&format!(r#"-error" role="alert">{last}"#)), "beside the role: {row}");
    let disabled = owner.post(&format!("/admin/users/{id}/access"), &[("active", "false")]).await;
    assert_eq!(disabled.status(), StatusCode::CONFLICT);
    let kept = user(&collector, OWNER).await;
    assert_eq!((kept["role"].as_str(), kept["active"].as_bool()), (Some("owner"), Some(true)));

    let editor = id_of(&collector, EDITOR).await;
    let promoted = owner.post(&format!("/admin/users/{editor}/role"), &[("role", "owner")]).await;
    assert_eq!(promoted.status(), StatusCode::SEE_OTHER, "a second owner");
    let viewer = id_of(&collector, VIEWER).await;
    let gone = owner.post(&format!("/admin/users/{viewer}/remove{SITE}"), &[]).await;
    assert_eq!(location(&gone), "/admin/users?site=pk_test&done=removed");
    assert_eq!(users(&collector).await.len(), 2);
    let demoted = owner.post(&format!("/admin/users/{id}/role"), &[("role", "editor")]).await;
    assert_eq!(demoted.status(), StatusCode::SEE_OTHER, "no longer the last owner");
    assert_eq!(user(&collector, OWNER).await["role"], "editor");
}

async fn a_token_made_on_the_page_is_shown_once_and_works_until_revoked(backend: Backend) {
    let collector = start(backend).await;
    accounts::team(&collector).await;
    let viewer = Console::sign_in(&collector, VIEWER).await;
    assert!(viewer.page("/admin/account").await.contains("No token yet."));
    let made = viewer
        .post("/admin/account/tokens?site=pk_test", &[("name", "ci export"), ("role", "")])
        .await;
    assert_eq!(made.status(), StatusCode::CREATED, "a viewer makes tokens too");
    assert!(made.headers().get(LOCATION).is_none(), "the answer is the page, not a redirect");
    assert_html(&made, "the new token");
    let html = made.text().await.expect("HTML");
    let token = secret(&html);
    assert!(token.len() > 40, "{token}");
    assert_eq!(html.matches(&token).count(), 1, "the secret once on the page");
    assert!(html.contains("it will not be shown again"));
    let again = viewer.page("/admin/account").await;
    assert!(again.contains("ci export") && !again.contains(&token), "never shown again");

    let whoami =
        accounts::with_token(&collector, &token, Method::GET, "/admin/api/session", None).await;
    assert_eq!(whoami.status(), StatusCode::OK, "the token is a bearer");
    let whoami: Value = whoami.json().await.expect("JSON");
    assert_eq!((whoami["email"].as_str(), whoami["via"].as_str()), (Some(VIEWER), Some("token")));

    let start = again.find("/admin/account/tokens/").expect("a revoke form") + 22;
    let id = again[start..].split('/').next().expect("id").to_owned();
    let editor = Console::sign_in(&collector, EDITOR).await;
    let others = editor.post(&format!("/admin/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(others.status(), StatusCode::NOT_FOUND, "not someone else's token");
    let cross =
        viewer.request(Method::POST, &format!("/admin/account/tokens/{id}/revoke"), "cross-site");
    assert_eq!(
        cross.send().await.expect("POST").status(),
        StatusCode::FORBIDDEN,
        "no cross-site post"
    );
    let works =
        accounts::with_token(&collector, &token, Method::GET, "/admin/api/session", None).await;
    assert_eq!(works.status(), StatusCode::OK, "still works");

    let revoked = viewer.post(&format!("/admin/account/tokens/{id}/revoke{SITE}"), &[]).await;
    assert_eq!(location(&revoked), "/admin/account?site=pk_test&done=revoked");
    let refused =
        accounts::with_token(&collector, &token, Method::GET, "/admin/api/session", None).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "revoked");
    let html = viewer.page("/admin/account?site=pk_test&done=revoked").await;
    assert!(html.contains("The token was revoked") && html.contains("No token yet."));

    let above = viewer.post("/admin/account/tokens", &[("name", "x"), ("role", "owner")]).await;
    assert_eq!(above.status(), StatusCode::BAD_REQUEST);
    let html = above.text().await.expect("HTML");
    assert!(
        html.contains(r#"id="token-role-error" role="alert">A token cannot do more"#),
        "{html}"
    );
    assert!(!html.contains(r#"value="kdl_"#), "no token made");
    let unnamed = viewer.post("/admin/account/tokens", &[("name", "  "), ("role", "viewer")]).await;
    assert_eq!(unnamed.status(), StatusCode::BAD_REQUEST);
    assert!(unnamed.text().await.expect("HTML").contains(r#"id="token-name-error""#));
    let nobody = collector.admin(Method::GET, "/admin/account").await;
    assert!(nobody.text().await.expect("HTML").contains("The admin token belongs to nobody"));
}

async fn signing_out_everywhere_ends_every_session_of_the_user(backend: Backend) {
    let collector = start(backend).await;
    accounts::team(&collector).await;
    let (here, there) =
        (Console::sign_in(&collector, EDITOR).await, Console::sign_in(&collector, EDITOR).await);
    let someone_else = Console::sign_in(&collector, VIEWER).await;
    there.page("/admin/account").await;
    let out = here.post("/admin/account/sign-out-everywhere?site=pk_test", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/admin/login");
    let removed = out.headers()[SET_COOKIE].to_str().expect("cookie");
    assert!(
        removed.starts_with("kindling_session=;") && removed.contains("Max-Age=0"),
        "{removed}"
    );
    for (name, console) in [("this one", &here), ("another one", &there)] {
        let after = console.get("/admin/account").await;
        assert_eq!(after.status(), StatusCode::SEE_OTHER, "{name} has ended");
        assert_eq!(location(&after), "/admin/login?next=%2Fadmin%2Faccount");
    }
    someone_else.page("/admin/account").await;

    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let posted = anonymous.post(collector.url("/admin/account/tokens")).send().await.expect("POST");
    assert_eq!(posted.status(), StatusCode::SEE_OTHER, "not signed in: to the sign-in page");
    assert_eq!(location(&posted), "/admin/login?next=%2Fadmin%2Faccount%2Ftokens");
    let back = someone_else.get("/admin/account/tokens").await;
    assert_eq!(location(&back), "/admin/account?site=pk_test", "and back to the account page");
}

async fn the_audit_log_lists_the_changes_newest_first_and_filters_them(backend: Backend) {
    let collector = start(backend).await;
    accounts::add_user(&collector, OWNER, "owner").await;
    let owner = Console::sign_in(&collector, OWNER).await;
    owner.post("/admin/users", &add_fields(EDITOR, PASSWORD, "editor")).await;
    owner.post("/admin/users", &add_fields(VIEWER, PASSWORD, "viewer")).await;
    let viewer = id_of(&collector, VIEWER).await;
    owner.post(&format!("/admin/users/{viewer}/role"), &[("role", "editor")]).await;
    owner.post(&format!("/admin/users/{viewer}/role"), &[("role", "viewer")]).await;
    let made = owner.post("/admin/account/tokens", &[("name", "audit me"), ("role", "")]).await;
    let html = made.text().await.expect("HTML");
    let start = html.find("/admin/account/tokens/").expect("a revoke form") + 22;
    let token = html[start..].split('/').next().expect("id").to_owned();
    owner.post(&format!("/admin/account/tokens/{token}/revoke"), &[]).await;
    let editor = Console::sign_in(&collector, EDITOR).await;
    editor.post("/admin/account/tokens", &[("name", "editor's"), ("role", "")]).await;

    let log = Console::sign_in(&collector, VIEWER).await.page("/admin/audit").await;
    let at = |needle: &str| log.find(needle).unwrap_or_else(|| panic!("{needle} in {log}"));
    assert!(at("<code>token.revoke</code>") < at("<code>user.role</code>"), "newest first");
    assert!(at("<code>user.role</code>") < at("<code>user.add</code>"));
    assert!(log.contains(&format!("<td class=\"url\">{token}</td>")), "the target");
    assert!(log.contains("audit me") && log.contains("admin-token"), "what and who");

    let added = owner.page("/admin/audit?site=pk_test&action=user.add").await;
    assert_eq!(added.matches("<code>user.add</code>").count(), 3, "{added}");
    assert!(!added.contains("<code>token.create</code>") && !added.contains("<code>login</code>"));
    assert!(added.contains(r#"<option value="user.add" selected>"#), "the filter is shown");
    let theirs = owner.page("/admin/audit?action=&actor=EDITOR%40").await;
    let actions: Vec<&str> =
        theirs.split("<td><code>").skip(1).map(|row| &row[..row.find('<').expect("end")]).collect();
    assert_eq!(actions, ["token.create", "login"], "only the editor's entries: {theirs}");
    assert!(theirs.contains("editor&#39;s") || theirs.contains("editor's"));

    let api = owner.api();
    for n in 0..55 {
        let body = serde_json::json!({"name": format!("bulk {n}")});
        let response = api.send(Method::POST, "/admin/api/tokens", Some(body)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let first = owner.page("/admin/audit?action=token.create").await;
    assert_eq!(first.matches("<code>token.create</code>").count(), 50, "a page");
    let (newest, oldest) = ("bulk 54&quot;", "bulk 4&quot;");
    assert!(first.contains(newest) && !first.contains(oldest) && !first.contains("Newest</a>"));
    let older = link(&first, "Older entries");
    assert!(older.starts_with("/admin/audit?site=pk_test&action=token.create&before="), "{older}");
    let second = owner.page(&older).await;
    assert_eq!(second.matches("<code>token.create</code>").count(), 57 - 50, "the rest");
    assert!(
        second.contains(oldest) && second.contains("audit me") && second.contains("Newest</a>")
    );
    assert!(!second.contains("Older entries"), "the end of the log");
    let wrong = owner.get("/admin/audit?before=yesterday").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    println!("audit log page of 50 entries: {} bytes", first.len());
}

async fn hostile_emails_and_token_names_come_out_escaped(backend: Backend) {
    let collector = start(backend).await;
    accounts::add_user(&collector, OWNER, "owner").await;
    let owner = Console::sign_in(&collector, OWNER).await;
    let spaced = "\"><svg onload=alert(1)>@x.test";
    let refused = owner.post("/admin/users", &add_fields(spaced, PASSWORD, "editor")).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "spaces make no email");
    let html = refused.text().await.expect("HTML");
    assert!(
        !html.contains("<svg")
            && html.contains("value=\"&quot;&gt;&lt;svg onload=alert(1)&gt;@x.test\""),
        "{html}"
    );
    assert!(html.contains(r#"id="add-email-error" role="alert">Not an email address."#));

    let hostile = "\"><svg/onload=alert(1)>@x.test";
    let escaped = "&quot;&gt;&lt;svg/onload=alert(1)&gt;@x.test";
    let added = owner.post("/admin/users", &add_fields(hostile, PASSWORD, "editor")).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER, "accepted as an email");
    let list = owner.page("/admin/users").await;
    assert!(!list.contains("<svg") && list.contains(escaped), "{list}");
    let id = id_of(&collector, hostile).await;
    let confirm = owner.page(&format!("/admin/users/{id}/remove")).await;
    assert!(!confirm.contains("<svg") && confirm.contains(escaped), "{confirm}");

    let script = "<script>alert(1)</script>";
    let them = Console::sign_in(&collector, hostile).await;
    let made = them.post("/admin/account/tokens", &[("name", script), ("role", "")]).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let mut pages = vec![("the new token", made.text().await.expect("HTML"))];
    pages.push(("the account page", them.page("/admin/account").await));
    pages.push(("the audit log", owner.page("/admin/audit").await));
    for (name, html) in &pages {
        assert!(!html.contains("<svg") && !html.contains("<script>alert"), "{name}: {html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{name}: {html}");
    }
    assert!(pages[2].1.contains(escaped), "the audit log's actor and target");
    let sizes = [
        ("users", list.len()),
        ("remove confirmation", confirm.len()),
        ("account with a new token", pages[0].1.len()),
        ("account", pages[1].1.len()),
        ("audit log", pages[2].1.len()),
    ];
    for (name, bytes) in sizes {
        println!("{name}: {bytes} bytes");
        assert!(bytes < 16_000, "{name}: {bytes} bytes");
    }
}
