//! A local HTTP server that plays the GitHub REST API for `tollgate ci`, with just enough state to
//! behave like GitHub across runs (labels, issue comments, reviews, review comments), and a log
//! of every request so tests can assert the exact calls.
//!
//! HTTP/1.1 with keep-alive, one thread per connection; bodies by Content-Length (octocrab sends
//! no chunked bodies).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, e.g. `/repos/acme/api/issues/7/labels?per_page=100`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// `GET /repos/acme/api/issues/7/labels` (no query).
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path())
    }
}

/// What the fake GitHub knows.
#[derive(Debug, Default)]
pub struct State {
    pub labels: Vec<String>,
    /// `(id, login, body)`.
    pub issue_comments: Vec<(u64, String, String)>,
    /// `(login, state)`.
    pub reviews: Vec<(String, String)>,
    /// Review comments as GitHub returns them.
    pub review_comments: Vec<Value>,
    /// Answer every write (POST, PATCH) with this status (403 for a read-only token).
    pub refuse_writes: Option<u16>,
    /// Answer every request with this status (the API is down: 503).
    pub fail_all: Option<u16>,
    /// Page size of list endpoints (GitHub's is `per_page`; smaller forces pagination).
    pub page_size: usize,
    pub next_id: u64,
    pub log: Vec<Request>,
}

pub struct MockGitHub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl MockGitHub {
    pub fn start() -> MockGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            page_size: 100,
            next_id: 1000,
            ..State::default()
        }));
        let shared = state.clone();
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                let base = base.clone();
                std::thread::spawn(move || serve(stream, &state, &base));
            }
        });
        MockGitHub { url, state }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().log.clone()
    }

    /// `METHOD /path` of every request, in order.
    pub fn lines(&self) -> Vec<String> {
        self.requests().iter().map(Request::line).collect()
    }

    pub fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, base: &str) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    loop {
        let mut first = String::new();
        if reader.read_line(&mut first).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = first.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request {
            method,
            target,
            headers,
            body: (!body.is_empty()).then(|| serde_json::from_slice(&body).unwrap_or(Value::Null)),
        };
        let (status, extra, payload) = {
            let mut s = state.lock().unwrap();
            s.log.push(request.clone());
            respond(&mut s, &request, base)
        };
        let text = payload.to_string();
        let reason = match status {
            200 => "OK",
            201 => "Created",
            403 => "Forbidden",
            404 => "Not Found",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            text.len()
        );
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(text.as_bytes()).is_err()
        {
            return;
        }
    }
}

fn user(login: &str) -> Value {
    json!({ "login": login, "id": 1, "type": if login.ends_with("[bot]") { "Bot" } else { "User" } })
}

/// One page of `items`, with a `Link` header to the next page as GitHub sends it.
fn page(
    s: &State,
    items: Vec<Value>,
    req: &Request,
    base: &str,
) -> (u16, Vec<(String, String)>, Value) {
    let query = req.target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let n: usize = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let size = s.page_size.max(1);
    let start = (n - 1) * size;
    let chunk: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let mut headers = Vec::new();
    if start + size < items.len() {
        let next = format!("{base}{}?per_page={size}&page={}", req.path(), n + 1);
        headers.push(("link".to_string(), format!("<{next}>; rel=\"next\"")));
    }
    (200, headers, Value::Array(chunk))
}

fn respond(s: &mut State, req: &Request, base: &str) -> (u16, Vec<(String, String)>, Value) {
    if let Some(code) = s.fail_all {
        return (code, vec![], json!({ "message": "Service Unavailable" }));
    }
    if req.header("authorization").is_none() {
        return (401, vec![], json!({ "message": "Requires authentication" }));
    }
    let write = matches!(req.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE");
    if write {
        if let Some(code) = s.refuse_writes {
            return (
                code,
                vec![],
                json!({ "message": "Resource not accessible by integration" }),
            );
        }
    }
    // GitHub Enterprise Server serves the API under /api/v3.
    let path = req.path();
    let path = path.strip_prefix("/api/v3").unwrap_or(path);
    let path: Vec<String> = path.split('/').map(str::to_string).collect();
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match (req.method.as_str(), p.as_slice()) {
        ("GET", ["", "repos", _, _, "issues", _, "labels"]) => {
            let items = s
                .labels
                .iter()
                .map(|l| json!({ "name": l, "id": 1 }))
                .collect();
            page(s, items, req, base)
        }
        ("GET", ["", "repos", _, _, "pulls", _, "reviews"]) => {
            let items = s
                .reviews
                .iter()
                .enumerate()
                .map(|(i, (u, st))| json!({ "id": i, "user": user(u), "state": st }))
                .collect();
            page(s, items, req, base)
        }
        ("GET", ["", "repos", _, _, "issues", _, "comments"]) => {
            let items = s
                .issue_comments
                .iter()
                .map(|(id, u, b)| json!({ "id": id, "user": user(u), "body": b }))
                .collect();
            page(s, items, req, base)
        }
        ("POST", ["", "repos", _, _, "issues", _, "comments"]) => {
            s.next_id += 1;
            let id = s.next_id;
            let body = req
                .body
                .as_ref()
                .and_then(|b| b["body"].as_str())
                .unwrap_or("")
                .to_string();
            s.issue_comments
                .push((id, "github-actions[bot]".into(), body.clone()));
            (
                201,
                vec![],
                json!({ "id": id, "body": body, "user": user("github-actions[bot]") }),
            )
        }
        ("PATCH", ["", "repos", _, _, "issues", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let body = req
                .body
                .as_ref()
                .and_then(|b| b["body"].as_str())
                .unwrap_or("")
                .to_string();
            match s.issue_comments.iter_mut().find(|c| c.0 == id) {
                Some(c) => {
                    c.2 = body.clone();
                    (
                        200,
                        vec![],
                        json!({ "id": id, "body": body, "user": user(&c.1) }),
                    )
                }
                None => (404, vec![], json!({ "message": "Not Found" })),
            }
        }
        ("GET", ["", "repos", _, _, "pulls", _, "comments"]) => {
            let items = s.review_comments.clone();
            page(s, items, req, base)
        }
        ("POST", ["", "repos", _, _, "pulls", _, "reviews"]) => {
            s.next_id += 1;
            let id = s.next_id;
            if let Some(comments) = req.body.as_ref().and_then(|b| b["comments"].as_array()) {
                for c in comments.clone() {
                    s.next_id += 1;
                    s.review_comments.push(json!({
                        "id": s.next_id, "path": c["path"], "line": c["line"], "body": c["body"],
                        "subject_type": "line", "user": user("github-actions[bot]")
                    }));
                }
            }
            (200, vec![], json!({ "id": id, "state": "COMMENTED" }))
        }
        ("POST", ["", "repos", _, _, "pulls", _, "comments"]) => {
            s.next_id += 1;
            let id = s.next_id;
            let b = req.body.clone().unwrap_or(Value::Null);
            s.review_comments.push(json!({
                "id": id, "path": b["path"], "line": null, "body": b["body"],
                "subject_type": b["subject_type"], "user": user("github-actions[bot]")
            }));
            (201, vec![], json!({ "id": id }))
        }
        _ => (404, vec![], json!({ "message": "Not Found" })),
    }
}
