//! Accepting connections, as `axum::serve` does, plus the limits it lacks: a client must send
//! its request head within `header_read_timeout` (a slow-loris sending one header line every
//! few seconds is cut off), and a connection that carries nothing for `idle_timeout` is
//! closed. Both are settings (`[server]` in Leptos.toml).

use axum::{Router, body::Body, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
    service::TowerToHyperService,
};
use std::{
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{oneshot, watch},
};
use tower::ServiceExt;

/// How long a connection must be quiet before a shutdown closes it.
const SETTLE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
}

/// Serves `app` on `listener` until `stop` fires, then lets open connections finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    mut stop: oneshot::Receiver<()>,
) -> io::Result<()> {
    // Every connection holds a receiver of `closing` and a clone of `done_rx`: shutdown
    // signals the first and waits until the second has no receivers left.
    let (closing, _) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut closing = closing.subscribe();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let clock = Arc::new(Activity::new());
            let io = TokioIo::new(Watched {
                inner: stream,
                clock: clock.clone(),
            });
            let service = TowerToHyperService::new(tower::service_fn(
                move |mut req: hyper::Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(remote));
                    app.clone().oneshot(req.map(Body::new))
                },
            ));
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(timeouts.header_read);
            let conn = builder.serve_connection_with_upgrades(io, service);
            let mut conn = std::pin::pin!(conn);
            let mut tick = tokio::time::interval(timeouts.idle.min(Duration::from_secs(5)));
            let mut fast = tokio::time::interval(Duration::from_millis(20));
            let mut stopping: Option<Instant> = None;
            let mut shutting = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    _ = closing.changed(), if stopping.is_none() && !shutting => {
                        stopping = Some(Instant::now());
                    }
                    // Stopping: a request whose bytes are arriving right now is read first
                    // (closing then lets it finish); a quiet connection closes at once.
                    _ = fast.tick(), if stopping.is_some() && !shutting => {
                        let waited = stopping.map(|t| t.elapsed()).unwrap_or_default();
                        if clock.quiet_for() >= SETTLE || waited >= Duration::from_secs(1) {
                            shutting = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                    _ = tick.tick(), if stopping.is_none() && !shutting => {
                        // Quiet for too long: close (a request in flight still finishes).
                        if clock.quiet_for() >= timeouts.idle {
                            shutting = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            drop(done);
        });
    }
    drop(listener);
    drop(done_rx);
    let _ = closing.send(());
    done_tx.closed().await;
    Ok(())
}

/// When a connection last carried bytes either way.
struct Activity {
    born: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            born: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = self.born.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        let now = self.born.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// A TCP stream that notes each read and write on its `Activity`.
struct Watched {
    inner: TcpStream,
    clock: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let res = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.clock.touch();
        }
        res
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let res = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            this.clock.touch();
        }
        res
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let res = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            this.clock.touch();
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
