//! The small HTTP server shared by `rightsize serve` and `rightsize sidecar`.
//!
//! Both serve a handful of read-mostly endpoints (`/metrics`, JSON reports, a page) and accept a
//! few small POSTs, at a rate of requests per minute, so a blocking server with a fixed pool of
//! worker threads is enough and keeps the sidecar's footprint small: no async runtime to carry.
//!
//! What every endpoint gets from here: loopback by default, an optional bearer token checked in
//! constant time, a bounded request body, and a stop flag for a clean shutdown.

pub mod prometheus;

use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How a server listens and whom it lets in.
#[derive(Clone)]
pub struct ServerOptions {
    /// Address to listen on. Loopback unless the operator says otherwise: these endpoints expose
    /// what a cluster runs, and the push endpoint accepts data.
    pub listen: SocketAddr,
    /// When set, every request but `GET /healthz` must carry `Authorization: Bearer <token>`.
    pub bearer_token: Option<String>,
    /// Larger request bodies are refused with 413. Default 8 MiB: a GC analysis push is a few KiB.
    pub max_body_bytes: usize,
    /// Requests handled at once. Default 2: enough that a slow client does not stall a scrape.
    pub workers: usize,
}

impl ServerOptions {
    /// Options with the defaults for an address.
    pub fn new(listen: SocketAddr) -> Self {
        ServerOptions { listen, bearer_token: None, max_body_bytes: 8 << 20, workers: 2 }
    }
}

// The token never reaches logs or debug output.
impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("listen", &self.listen)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "***"))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("workers", &self.workers)
            .finish()
    }
}

/// The HTTP methods the endpoints use; anything else is answered with 405 by the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Other,
}

/// A request as handlers see it: already authenticated, body read in full.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The path without the query, e.g. `/api/v1/jobs`.
    pub path: String,
    /// The raw query string without `?`, empty when there is none.
    pub query: String,
    pub body: Vec<u8>,
    /// `Content-Type`, lower-cased, without parameters.
    pub content_type: Option<String>,
}

impl Request {
    /// The value of a query parameter (no percent-decoding: parameters here are plain ids).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }
}

/// A response: status, content type, body and extra headers.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response { status, content_type, body: body.into(), headers: Vec::new() }
    }

    /// A JSON document (already rendered).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response::new(status, "application/json", body)
    }

    /// A serializable value as JSON.
    pub fn json_value<T: serde::Serialize>(status: u16, value: &T) -> Self {
        match serde_json::to_vec_pretty(value) {
            Ok(body) => Response::json(status, body),
            Err(error) => Response::error(500, &format!("cannot render JSON: {error}")),
        }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Self {
        Response::new(200, "text/html; charset=utf-8", body)
    }

    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    /// The Prometheus text exposition format, version 0.0.4.
    pub fn prometheus(body: String) -> Self {
        Response::new(200, prometheus::CONTENT_TYPE, body)
    }

    /// An error as `{"error": "..."}`, so scripts can read it as well as people.
    pub fn error(status: u16, message: &str) -> Self {
        Response::json(status, serde_json::json!({ "error": message }).to_string())
    }

    pub fn not_found(path: &str) -> Self {
        Response::error(404, &format!("no such endpoint: {path}"))
    }

    pub fn method_not_allowed(allowed: &'static str) -> Self {
        let mut response = Response::error(405, &format!("method not allowed; use {allowed}"));
        response.headers.push(("Allow", allowed.to_string()));
        response
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A request handler: called from the worker threads, so it must be shareable.
pub trait Handler: Send + Sync {
    fn handle(&self, request: &Request) -> Response;
}

impl<F: Fn(&Request) -> Response + Send + Sync> Handler for F {
    fn handle(&self, request: &Request) -> Response {
        self(request)
    }
}

/// A bound listener. Binding and serving are separate so that callers learn the port (and fail
/// early on a taken address) before they start their other work.
pub struct Server {
    inner: Arc<tiny_http::Server>,
    local_addr: SocketAddr,
    options: ServerOptions,
}

impl Server {
    /// Binds the listening socket.
    pub fn bind(options: ServerOptions) -> anyhow::Result<Server> {
        let cannot_listen = |error: &dyn std::fmt::Display| {
            anyhow::anyhow!(
                "cannot listen on {}: {error}; choose another address with --listen (port 0 picks a free one)",
                options.listen
            )
        };
        let listener = std::net::TcpListener::bind(options.listen).map_err(|error| cannot_listen(&error))?;
        // Accepted connections inherit TCP_NODELAY (Linux). Without it a response written as
        // head then body waits for the client's delayed ACK, several ms a request even on loopback.
        if let Err(error) = socket2::SockRef::from(&listener).set_tcp_nodelay(true) {
            tracing::debug!("TCP_NODELAY on {}: {error}", options.listen);
        }
        let inner = tiny_http::Server::from_listener(listener, None).map_err(|error| cannot_listen(&error))?;
        let local_addr = inner
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow::anyhow!("{} is not an IP socket address", options.listen))?;
        Ok(Server { inner: Arc::new(inner), local_addr, options })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves requests on `options.workers` threads until `stop` is set; returns once they exit.
    pub fn serve(&self, handler: Arc<dyn Handler>, stop: Arc<AtomicBool>) {
        std::thread::scope(|scope| {
            for _ in 0..self.options.workers.max(1) {
                let handler = Arc::clone(&handler);
                let stop = Arc::clone(&stop);
                scope.spawn(move || self.worker(handler.as_ref(), &stop));
            }
        });
    }

    /// Serves on background threads; the returned handle stops them when dropped.
    pub fn spawn(self, handler: Arc<dyn Handler>) -> RunningServer {
        let stop = Arc::new(AtomicBool::new(false));
        let local_addr = self.local_addr;
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("rightsize-http".into())
            .spawn(move || self.serve(handler, thread_stop))
            .ok();
        RunningServer { local_addr, stop, thread }
    }

    fn worker(&self, handler: &dyn Handler, stop: &AtomicBool) {
        // A short poll so that `stop` is seen promptly without a wake-up channel.
        const POLL: Duration = Duration::from_millis(200);
        while !stop.load(Ordering::Relaxed) {
            match self.inner.recv_timeout(POLL) {
                Ok(Some(request)) => self.answer(request, handler),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!("HTTP server on {}: {error}", self.local_addr);
                    std::thread::sleep(POLL);
                }
            }
        }
    }

    fn answer(&self, mut raw: tiny_http::Request, handler: &dyn Handler) {
        let response = match self.read(&mut raw) {
            Ok(request) if !self.authorized(&raw, &request) => {
                Response::error(401, "missing or wrong bearer token").with_header("WWW-Authenticate", "Bearer")
            }
            Ok(request) => handler.handle(&request),
            Err(response) => response,
        };
        let head_only = *raw.method() == tiny_http::Method::Head;
        let mut out = tiny_http::Response::from_data(if head_only { Vec::new() } else { response.body })
            .with_status_code(response.status);
        for (name, value) in
            std::iter::once(("Content-Type", response.content_type.to_string())).chain(response.headers)
        {
            if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                out.add_header(header);
            }
        }
        // A client that went away is not the server's problem.
        let _ = raw.respond(out);
    }

    fn read(&self, raw: &mut tiny_http::Request) -> Result<Request, Response> {
        let method = match raw.method() {
            tiny_http::Method::Get => Method::Get,
            tiny_http::Method::Head => Method::Head,
            tiny_http::Method::Post => Method::Post,
            tiny_http::Method::Put => Method::Put,
            tiny_http::Method::Delete => Method::Delete,
            _ => Method::Other,
        };
        let (path, query) = raw.url().split_once('?').unwrap_or((raw.url(), ""));
        let (path, query) = (path.to_string(), query.to_string());
        let content_type = header(raw, "Content-Type")
            .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        let limit = self.options.max_body_bytes;
        if raw.body_length().is_some_and(|length| length > limit) {
            return Err(Response::error(413, &format!("request body larger than {limit} bytes")));
        }
        let mut body = Vec::new();
        let read = raw.as_reader().take(limit as u64 + 1).read_to_end(&mut body);
        match read {
            Ok(_) if body.len() > limit => {
                Err(Response::error(413, &format!("request body larger than {limit} bytes")))
            }
            Ok(_) => Ok(Request { method, path, query, body, content_type }),
            Err(error) => Err(Response::error(400, &format!("cannot read the request body: {error}"))),
        }
    }

    fn authorized(&self, raw: &tiny_http::Request, request: &Request) -> bool {
        let Some(token) = &self.options.bearer_token else { return true };
        if request.method == Method::Get && request.path == "/healthz" {
            return true;
        }
        let presented = header(raw, "Authorization").and_then(|value| value.strip_prefix("Bearer ").map(str::trim));
        presented.is_some_and(|presented| constant_time_eq(presented.as_bytes(), token.as_bytes()))
    }
}

/// A server serving on background threads.
pub struct RunningServer {
    local_addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn header<'a>(raw: &'a tiny_http::Request, name: &'static str) -> Option<&'a str> {
    raw.headers().iter().find(|header| header.field.equiv(name)).map(|header| header.value.as_str())
}

/// Compares secrets without an early exit, so the time taken does not tell how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |difference, (x, y)| difference | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn exchange(addr: SocketAddr, request: &str) -> String {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    fn start(token: Option<&str>) -> RunningServer {
        let mut options = ServerOptions::new("127.0.0.1:0".parse().expect("address"));
        options.bearer_token = token.map(str::to_string);
        options.max_body_bytes = 16;
        let server = Server::bind(options).expect("bind");
        server.spawn(Arc::new(|request: &Request| {
            Response::text(
                200,
                format!("{:?} {} {} {}", request.method, request.path, request.query, request.body.len()),
            )
        }))
    }

    #[test]
    fn routes_path_query_and_body_to_the_handler() {
        let server = start(None);
        let answer = exchange(
            server.local_addr(),
            "POST /push?id=7 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("Post /push id=7 3"), "{answer}");
    }

    #[test]
    fn refuses_bodies_over_the_limit() {
        let server = start(None);
        let body = "x".repeat(17);
        let request = format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{body}");
        assert!(exchange(server.local_addr(), &request).starts_with("HTTP/1.1 413"));
    }

    #[test]
    fn checks_the_bearer_token_but_not_for_health() {
        let server = start(Some("s3cret"));
        let addr = server.local_addr();
        let get = |auth: &str| {
            exchange(addr, &format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"))
        };
        assert!(get("").starts_with("HTTP/1.1 401"));
        assert!(get("Authorization: Bearer wrong\r\n").starts_with("HTTP/1.1 401"));
        assert!(get("Authorization: Bearer s3cret\r\n").starts_with("HTTP/1.1 200"));
        let health = exchange(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    }

    #[test]
    fn a_taken_address_is_a_clear_error() {
        let first = Server::bind(ServerOptions::new("127.0.0.1:0".parse().expect("address"))).expect("bind");
        let error = Server::bind(ServerOptions::new(first.local_addr())).err().expect("second bind fails");
        assert!(error.to_string().contains("--listen"), "{error}");
    }
}
