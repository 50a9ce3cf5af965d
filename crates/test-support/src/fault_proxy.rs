//! A TCP proxy that puts faults between a service and its store: it forwards every connection
//! to one backend (PostgreSQL, Redis), and on command delays what the backend sends back, or
//! cuts every open connection as a network partition or a firewall reset would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// A running proxy; it stops (and drops its connections) when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    /// The latency added to every chunk the backend sends, in milliseconds.
    latency_ms: Arc<AtomicU64>,
    /// Bumped by [`FaultProxy::cut`]: every connection opened before it ends.
    cuts: watch::Sender<u64>,
    accepting: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards each connection to `backend`.
    pub async fn start(backend: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let latency_ms = Arc::new(AtomicU64::new(0));
        let (cuts, _) = watch::channel(0u64);
        let accepting = tokio::spawn({
            let latency_ms = latency_ms.clone();
            let cuts = cuts.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let _ = client.set_nodelay(true);
                    tokio::spawn(forward(
                        client,
                        backend,
                        latency_ms.clone(),
                        cuts.subscribe(),
                    ));
                }
            }
        });
        FaultProxy {
            addr,
            latency_ms,
            cuts,
            accepting,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// From now on, what the backend sends reaches the client `latency` later (each chunk is
    /// held from when it arrived, so a busy connection is slow, not throttled).
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    /// Ends every connection open now, in both directions; new ones are accepted as before.
    pub fn cut(&self) {
        self.cuts.send_modify(|n| *n += 1);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accepting.abort();
        self.cut();
    }
}

/// Copies `client` to the backend as it comes, and the backend to `client` `latency_ms` after
/// each chunk arrived, until either side closes or the connection is cut.
async fn forward(
    mut client: TcpStream,
    backend: SocketAddr,
    latency_ms: Arc<AtomicU64>,
    mut cuts: watch::Receiver<u64>,
) {
    // A backend that is down refuses: the client sees its connection closed at once.
    let Ok(server) = TcpStream::connect(backend).await else {
        return;
    };
    let _ = server.set_nodelay(true);
    let (mut server_read, mut server_write) = server.into_split();
    let (mut client_read, mut client_write) = client.split();
    let upstream = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if server_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = server_write.shutdown().await;
    };
    // The reader stamps each chunk with when it may be delivered; the writer waits for that.
    let (chunks, mut delayed) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reading = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let latency = Duration::from_millis(latency_ms.load(Ordering::SeqCst));
                    if chunks
                        .send((Instant::now() + latency, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    };
    let writing = async {
        while let Some((due, chunk)) = delayed.recv().await {
            tokio::time::sleep_until(due).await;
            if client_write.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    let downstream = async { tokio::join!(reading, writing) };
    tokio::select! {
        _ = async { tokio::join!(upstream, downstream) } => {}
        _ = cuts.changed() => {}
    }
}
