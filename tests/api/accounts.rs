use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::{StatusCode, header};

async fn signup_creates_account_store_and_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.signup("alice").await;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("flipdesk_session="))
        .expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "development cookies are not Secure: {cookie}"
    );
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["role"], "user");
    assert_eq!(body["plan"], "free");
    assert_eq!(body["store"]["slug"], "alice-store");
    assert_eq!(body["store"]["member_role"], "owner");

    // The session works for later requests.
    let (status, me) = json(app.call(&app.client, "auth/me", &[]).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "alice@example.com");
    let hash: String = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(pool).await).unwrap();
    assert!(
        hash.starts_with("$argon2id$"),
        "passwords are stored as argon2id hashes"
    );
}

async fn bad_signups_are_refused_and_write_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.signup("bob").await.status(), StatusCode::OK);
    let before = (
        app.count("users").await,
        app.count("stores").await,
        app.count("store_members").await,
    );
    let long_name = "x".repeat(81);
    let long_email = format!("{}@example.com", "a".repeat(250));
    let cases: Vec<(Signup, &str)> = vec![
        (
            Signup {
                email: "bob@example.com",
                password: PASSWORD,
                store_name: "Other",
                store_slug: "other-store",
            },
            "email",
        ),
        (
            Signup {
                email: "BOB@Example.com ",
                password: PASSWORD,
                store_name: "Other",
                store_slug: "other-store",
            },
            "email",
        ),
        (
            Signup {
                email: "carol@example.com",
                password: PASSWORD,
                store_name: "Other",
                store_slug: "bob-store",
            },
            "store_slug",
        ),
        (
            Signup {
                email: "carol@example.com",
                password: "short",
                store_name: "Other",
                store_slug: "carol-store",
            },
            "password",
        ),
        (
            Signup {
                email: "carol@example.com",
                password: "password123",
                store_name: "Other",
                store_slug: "carol-store",
            },
            "password",
        ),
        (
            Signup {
                email: "carol@example.com",
                password: PASSWORD,
                store_name: &long_name,
                store_slug: "carol-store",
            },
            "store_name",
        ),
        (
            Signup {
                email: &long_email,
                password: PASSWORD,
                store_name: "Other",
                store_slug: "carol-store",
            },
            "email",
        ),
        (
            Signup {
                email: "carol@example.com",
                password: PASSWORD,
                store_name: "Other",
                store_slug: "Bad Slug!",
            },
            "store_slug",
        ),
        (
            Signup {
                email: "not-an-email",
                password: PASSWORD,
                store_name: "Other",
                store_slug: "carol-store",
            },
            "email",
        ),
    ];
    for (case, field) in cases {
        let (status, body) = json(app.signup_with(&client(), &case).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["kind"], "validation");
        assert!(
            body["fields"][field].is_string(),
            "expected an error on {field}: {body}"
        );
    }
    let after = (
        app.count("users").await,
        app.count("stores").await,
        app.count("store_members").await,
    );
    assert_eq!(
        before, after,
        "a refused sign-up must not leave half-written rows"
    );
}

async fn signups_are_limited_per_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let slug = format!("limit-store-{i}");
        let case = Signup {
            email: "limit@example.com",
            password: "short",
            store_name: "Limit",
            store_slug: &slug,
        };
        statuses.push(app.signup_with(&client(), &case).await.status());
    }
    // Validation happens first and costs nothing; the limit counts real attempts.
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    let mut statuses = Vec::new();
    for i in 0..6 {
        let slug = format!("limit-store-{i}");
        let case = Signup {
            email: "limit@example.com",
            password: PASSWORD,
            store_name: "Limit",
            store_slug: &slug,
        };
        statuses.push(app.signup_with(&client(), &case).await.status());
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        statuses[1..5]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

async fn concurrent_signups_with_one_email_create_one_account(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[("FLIPDESK__AUTH__SIGNUP_ATTEMPTS_PER_EMAIL_PER_HOUR", "100")],
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app_url = app.address.clone();
        tasks.push(tokio::spawn(async move {
            let slug = format!("race-store-{i}");
            client()
                .post(format!("{app_url}/api/auth/signup"))
                .form(&[
                    ("email", "race@example.com"),
                    ("password", PASSWORD),
                    ("store_name", "Race"),
                    ("store_slug", slug.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let status = t.await.unwrap();
        if status == StatusCode::OK {
            ok += 1;
        } else {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    assert_eq!(ok, 1, "exactly one sign-up wins");
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("stores").await, 1, "losers leave no orphan store");
}

async fn login_logout_and_session_rotation(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.signup("dana").await.status(), StatusCode::OK);

    let browser = client();
    // An anonymous session cookie first (as a browser would have), to prove it is replaced.
    let (status, body) = json(
        app.login(&browser, "dana@example.com", "wrong-password-123")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["kind"], "invalid_credentials");

    let res = app.login(&browser, "DANA@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let first_cookie = session_cookie(&res);
    let res = app.login(&browser, "dana@example.com", PASSWORD).await;
    let second_cookie = session_cookie(&res);
    assert_ne!(
        first_cookie, second_cookie,
        "the session id changes at every log-in"
    );

    // The dashboard now renders for this browser.
    let page = browser.get(app.url("/app")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("dana@example.com"));

    // Log out (POST), after which the session is gone.
    assert_eq!(
        app.call(&browser, "auth/logout", &[]).await.status(),
        StatusCode::OK
    );
    let (status, _) = json(app.call(&browser, "auth/me", &[]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = browser.get(app.url("/app/store")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[header::LOCATION], "/login?next=/app/store");
    // An unknown email gets the same answer as a wrong password.
    let (status, body) = json(app.login(&browser, "nobody@example.com", PASSWORD).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["kind"], "invalid_credentials");
}

fn session_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("flipdesk_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("log-in sets a session cookie")
}

async fn account_lockout_after_five_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.signup("erin").await.status(), StatusCode::OK);
    let browser = client();
    for _ in 0..5 {
        let res = app
            .login(&browser, "erin@example.com", "not-the-password")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the account is locked.
    let res = app.login(&browser, "erin@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900);
    let (_, body) = json(res).await;
    assert_eq!(body["kind"], "rate_limited");
    // The lock holds for the source that failed, not for the owner elsewhere: a stranger's
    // wrong passwords cannot lock the account.
    let elsewhere = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let res = app.login(&elsewhere, "erin@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.login(&browser, "erin@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn login_attempts_are_limited_per_ip(backend: Backend) {
    let app = spawn_app(backend).await;
    // Eleven attempts at once from one address: ten are judged, the eleventh is refused.
    let mut tasks = Vec::new();
    for i in 0..11 {
        let url = app.url("/api/auth/login");
        tasks.push(tokio::spawn(async move {
            let email = format!("someone{i}@example.com");
            client()
                .post(url)
                .form(&[("email", email.as_str()), ("password", "whatever-password")])
                .send()
                .await
                .unwrap()
        }));
    }
    let mut unauthorized = 0;
    let mut limited = 0;
    for t in tasks {
        let res = t.await.unwrap();
        match res.status() {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(res.headers().contains_key(header::RETRY_AFTER));
                limited += 1
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((unauthorized, limited), (10, 1));
}

async fn dashboard_requires_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/app").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login?next=/app");
    let (status, body) = json(app.call(&app.client, "auth/me", &[]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["kind"], "unauthorized");
}

async fn view_cookie_picks_the_view_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.signup("frank").await;
    assert_eq!(res.status(), StatusCode::OK);
    let session = session_cookie(&res);
    let plain = reqwest::Client::new();
    let page = |cookies: String| {
        let request = plain.get(app.url("/app")).header(header::COOKIE, cookies);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let user_view = page(session.clone()).await;
    assert!(user_view.contains(r#"data-view="user""#));
    assert!(user_view.contains("Your reselling at a glance"));

    let store_view = page(format!("{session}; flipdesk_view=store")).await;
    assert!(store_view.contains(r#"data-view="store""#));
    assert!(store_view.contains("frank kicks"));
    assert!(!store_view.contains("Your reselling at a glance"));
}

/// The token in the newest reset mail to `email`.
async fn reset_token(app: &TestApp, email: &str) -> String {
    let body: String = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT body FROM outbox WHERE to_address = $1 AND kind = 'password_reset' ORDER BY created_at DESC LIMIT 1")
        .bind(email).fetch_one(pool).await)
    .unwrap();
    let at = body.find("token=").expect("a link in the mail") + 6;
    body[at..].split_whitespace().next().unwrap().to_string()
}

/// Forgotten password: the same answer with or without an account, a single-use link that
/// works an hour, and a reset that ends every other session.
async fn password_reset_by_mail(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.signup("rhea").await.status(), StatusCode::OK);
    let other_device = client();
    assert_eq!(
        app.login(&other_device, "rhea@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    let stranger = client();
    let (status, unknown) = json(
        app.call(&stranger, "auth/forgot", &[("email", "nobody@example.com")])
            .await,
    )
    .await;
    let (status2, known) = json(
        app.call(&stranger, "auth/forgot", &[("email", "rhea@example.com")])
            .await,
    )
    .await;
    assert_eq!((status, status2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(
        unknown, known,
        "the answer does not tell who has an account"
    );
    assert_eq!(
        app.count("password_resets").await,
        1,
        "no link for an address without an account"
    );
    let token = reset_token(&app, "rhea@example.com").await;

    // A weak password is refused and the link still works; a made-up token does nothing.
    let (status, e) = json(
        app.call(
            &stranger,
            "auth/reset",
            &[("token", &token), ("password", "short")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (status, _) = json(
        app.call(
            &stranger,
            "auth/reset",
            &[("token", "made-up"), ("password", "a-brand-new-password")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, e) = json(
        app.call(
            &stranger,
            "auth/reset",
            &[("token", &token), ("password", "a-brand-new-password")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    // The one who reset is signed in; the sessions from before are over.
    let (status, _) = json(app.call(&stranger, "auth/me", &[]).await).await;
    assert_eq!(status, StatusCode::OK);
    for old in [&app.client, &other_device] {
        let (status, _) = json(app.call(old, "auth/me", &[]).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Single use; the old password is gone, the new one works.
    let (status, _) = json(
        app.call(
            &client(),
            "auth/reset",
            &[("token", &token), ("password", "another-new-password")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.login(&client(), "rhea@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&client(), "rhea@example.com", "a-brand-new-password")
            .await
            .status(),
        StatusCode::OK
    );

    // A link older than an hour does not work.
    let (status, _) = json(
        app.call(&stranger, "auth/forgot", &[("email", "rhea@example.com")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let late = reset_token(&app, "rhea@example.com").await;
    flipdesk::with_db!(&app.db, pool => sqlx::query("UPDATE password_resets SET expires_at = 0 WHERE used_at IS NULL")
        .execute(pool).await.map(|r| r.rows_affected())).unwrap();
    let (status, e) = json(
        app.call(
            &stranger,
            "auth/reset",
            &[("token", &late), ("password", "one-more-new-password")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["fields"]["token"].as_str().unwrap().contains("expired"),
        "{e}"
    );
}

on_both_databases!(
    password_reset_by_mail,
    signup_creates_account_store_and_session,
    bad_signups_are_refused_and_write_nothing,
    signups_are_limited_per_email,
    concurrent_signups_with_one_email_create_one_account,
    login_logout_and_session_rotation,
    account_lockout_after_five_failures,
    login_attempts_are_limited_per_ip,
    dashboard_requires_a_session,
    view_cookie_picks_the_view_on_the_server,
);
