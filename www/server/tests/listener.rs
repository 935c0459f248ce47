//! The API over real loopback sockets (`serve_api` on port 0): what only a listener adds
//! (the `Date` header, peer addresses) and the rotation race with concurrent connections.

use std::time::Duration;

use tokenrelay_server::{api_router, serve_api, AppState, Config, LoginLimit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const ORIGIN: &str = "http://127.0.0.1:3000";

/// A server on a free loopback port; dropping it stops the server.
struct Server {
    addr: std::net::SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn start(config: Config) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let app = api_router(AppState::new(config));
    tokio::spawn(serve_api(listener, app, async move {
        let _ = stopped.await;
    }));
    Server { addr, _stop: stop }
}

fn config() -> Config {
    Config {
        allowed_origins: vec![ORIGIN.into()],
        ..Config::default()
    }
}

/// A raw HTTP/1.1 answer: status, lower-case headers, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection (`Connection: close`), read to the end.
async fn send(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        server.addr,
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

const CSRF: (&str, &str) = ("X-Requested-With", "tokenrelay");

async fn login(server: &Server, email: &str, password: &str) -> Answer {
    let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
    send(server, "POST", "/auth/login", &[CSRF], &body).await
}

async fn stats(server: &Server) -> serde_json::Value {
    serde_json::from_str(&send(server, "GET", "/__stats", &[], "").await.body).unwrap()
}

#[tokio::test]
async fn answers_carry_a_date_the_page_may_read() {
    let server = start(config()).await;
    let a = send(&server, "GET", "/api/me", &[("Origin", ORIGIN)], "").await;
    assert_eq!(a.status, 401);
    let date = a.header("date").expect("a Date header");
    assert!(date.ends_with(" GMT"), "{date}");
    assert_eq!(a.header("access-control-expose-headers"), Some("date"));
    assert_eq!(a.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn per_ip_bound_reads_the_real_peer_address() {
    let server = start(Config {
        login_limit: LoginLimit {
            per_email: 0,
            per_ip: 3,
            window: Duration::from_secs(60),
        },
        ..config()
    })
    .await;
    for i in 0..3 {
        assert_eq!(
            login(&server, &format!("u{i}@example.com"), "guess")
                .await
                .status,
            401
        );
    }
    let blocked = login(&server, "u9@example.com", "demo").await;
    assert_eq!(blocked.status, 429);
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(stats(&server).await["loginThrottled"], 1);
}

/// Every family's token presented on several connections at once: exactly one rotation per
/// family, the other presentations refused, no token with two successors. Repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_presentations_of_one_token_rotate_it_once() {
    const FAMILIES: usize = 40;
    const COPIES: usize = 5;
    for round in 0..3 {
        let server = start(config()).await;
        let seeded = send(
            &server,
            "POST",
            "/__seed-families",
            &[],
            &format!(r#"{{"count":{FAMILIES}}}"#),
        )
        .await;
        let tokens: Vec<String> = seeded.body.lines().map(str::to_owned).collect();
        assert_eq!(tokens.len(), FAMILIES);
        let server = std::sync::Arc::new(server);
        let mut tasks = Vec::new();
        for token in &tokens {
            for _ in 0..COPIES {
                let (server, cookie) = (server.clone(), format!("refreshToken={token}"));
                tasks.push(tokio::spawn(async move {
                    let a = send(
                        &server,
                        "POST",
                        "/auth/refresh",
                        &[CSRF, ("Cookie", &cookie)],
                        "",
                    )
                    .await;
                    (a.status, a.header("set-cookie").map(str::to_owned))
                }));
            }
        }
        let mut ok = 0;
        let mut successors = std::collections::HashSet::new();
        for task in tasks {
            let (status, set_cookie) = task.await.unwrap();
            match status {
                200 => {
                    ok += 1;
                    successors.insert(set_cookie.unwrap());
                }
                401 => {}
                other => panic!("round {round}: status {other}"),
            }
        }
        assert_eq!(ok, FAMILIES, "round {round}: one success per family");
        assert_eq!(
            successors.len(),
            FAMILIES,
            "round {round}: distinct successors"
        );
        let s = stats(&server).await;
        assert_eq!(s["refreshRotated"], FAMILIES, "round {round}");
        assert_eq!(s["refreshSecondSuccessor"], 0, "round {round}");
        // The losers revoked their families: reuse for the first loser, then rejection.
        assert_eq!(s["refreshReuse"], FAMILIES, "round {round}");
        assert_eq!(
            s["refreshRejected"],
            FAMILIES * (COPIES - 2),
            "round {round}"
        );
    }
}

/// Guesses sent all at once are bounded like sequential ones. Repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_guesses_cannot_outrun_the_login_bound() {
    for round in 0..3 {
        let server = std::sync::Arc::new(
            start(Config {
                login_limit: LoginLimit {
                    per_email: 5,
                    per_ip: 0,
                    window: Duration::from_secs(60),
                },
                ..config()
            })
            .await,
        );
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let server = server.clone();
                tokio::spawn(
                    async move { login(&server, "victim@example.com", "guess").await.status },
                )
            })
            .collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        let refused = statuses.iter().filter(|s| **s == 401).count();
        let throttled = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((refused, throttled), (5, 25), "round {round}: {statuses:?}");
    }
}
