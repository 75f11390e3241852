//! The relay daemon: a tokio TCP server running one
//! [`RelayEngine`] per connection over a shared [`RedbStore`].
//!
//! The engine decides every protocol answer. This module only cuts the
//! byte stream into commands ([`sstp_wire::frame_len`]) and enforces the
//! resource limits ([`Limits`]):
//!
//! | situation | what the relay does |
//! |---|---|
//! | CommandLength below the header or above `max_command_len` | the header bytes go to the engine, which cannot parse them and answers ConnectClose ProtocolError (as for any unparseable command) |
//! | a started command incomplete after `read_deadline` (slowloris) | ConnectClose ProtocolError, close |
//! | no command for `idle_timeout` (a Noop keeps the connection alive) | ConnectClose Idle, close |
//! | more than `max_connections` | ConnectClose Resting with ReturnTime, close |
//! | a write blocked for `write_timeout` | close |
//! | shutdown (SIGINT/SIGTERM) | ConnectClose Resting to every connection, close |
//! | the store fails | ConnectClose InternalError, close |
//!
//! Engine calls (RSA, ElGamal, redb commits with fsync) run on tokio's
//! blocking pool so a slow commit never stalls other connections.

use std::future::Future;
use std::sync::Arc;

use sstp_security_core::cert::RelayIdentity;
use sstp_security_core::relay::{RelayEngine, RelayEvent, RelayIo, RelayOptions, RelayOutput};
use sstp_wire::consts::COMMAND_HEADER_LEN;
use sstp_wire::{CloseReason, ConnectClose};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout};
use tracing::{Instrument, debug, error, info, info_span, warn};

use crate::config::Limits;
use crate::files::{now_u32, os_rng};
use crate::store::RedbStore;

/// What every connection shares.
#[derive(Debug)]
pub struct Relay {
    /// Certificate and private keys.
    pub identity: Arc<RelayIdentity>,
    /// The records.
    pub store: RedbStore,
    /// Engine options.
    pub options: RelayOptions,
    /// Resource limits.
    pub limits: Limits,
}

/// Where the next command in `buf` stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// Not all of it is here yet.
    Incomplete,
    /// The first `n` bytes are one command.
    Complete(usize),
    /// The CommandLength is impossible or above the limit.
    Bad,
}

/// Cuts the next command off `buf` ([`sstp_wire::frame_len`]).
pub fn next_frame(buf: &[u8], max_command_len: usize) -> Frame {
    match sstp_wire::frame_len(buf) {
        None => Frame::Incomplete,
        Some(n) if !(COMMAND_HEADER_LEN..=max_command_len).contains(&n) => Frame::Bad,
        Some(n) if buf.len() >= n => Frame::Complete(n),
        Some(_) => Frame::Incomplete,
    }
}

/// The encoded ConnectClose with `reason`.
pub fn connect_close(reason: CloseReason, return_time: u32) -> Vec<u8> {
    ConnectClose {
        return_time,
        ..ConnectClose::with_reason(reason)
    }
    .to_vec()
    .unwrap_or_default()
}

/// Accepts connections on `listener` until `shutdown` resolves, then closes
/// every connection with ConnectClose Resting and waits (bounded) for them.
///
/// # Errors
/// Never for a connection's fault; only if accepting fails fatally.
pub async fn serve(
    listener: TcpListener,
    relay: Arc<Relay>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(relay.limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => {
                let (mut stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // EMFILE and friends: back off briefly, keep serving.
                        warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let relay = Arc::clone(&relay);
                let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                    warn!(%peer, "connection limit reached: ConnectClose Resting");
                    let bytes = connect_close(CloseReason::Resting, relay.limits.resting_return_secs);
                    let wt = relay.limits.write_timeout;
                    tasks.spawn(async move {
                        let _ = timeout(wt, stream.write_all(&bytes)).await;
                        let _ = timeout(wt, stream.shutdown()).await;
                    });
                    continue;
                };
                let stop = stop_rx.clone();
                tasks.spawn(
                    async move {
                        connection(stream, relay, stop).await;
                        drop(permit);
                    }
                    .instrument(info_span!("conn", %peer)),
                );
            }
        }
    }
    info!(connections = tasks.len(), "shutting down");
    let _ = stop_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if timeout(std::time::Duration::from_secs(10), drain)
        .await
        .is_err()
    {
        warn!("connections still open after 10 s; aborting them");
    }
    Ok(())
}

/// One connection's engine state, moved to the blocking pool per command.
struct Conn {
    engine: RelayEngine,
    store: RedbStore,
    rng: rand_chacha::ChaCha20Rng,
}

fn log_events(out: &RelayOutput) {
    // URLs and reasons only: events carry no keys, nonces or tokens.
    for e in &out.events {
        match e {
            RelayEvent::Rejected { section, reason } => warn!(section, reason, "rejected"),
            RelayEvent::DeviceAuthenticated { device_url } => {
                info!(device_url, "device authenticated");
            }
            RelayEvent::AccountAuthenticated { account_url } => {
                info!(account_url, "account authenticated");
            }
            RelayEvent::Registered {
                device_url,
                account_url,
                on_new_device,
            } => info!(device_url, account_url, on_new_device, "registered"),
            RelayEvent::IdentitiesUpdated {
                account_url,
                added,
                removed,
            } => info!(
                account_url,
                added = added.len(),
                removed = removed.len(),
                "identities updated"
            ),
            RelayEvent::PeerClosedConnection { reason } => {
                debug!(?reason, "client closed the connection");
            }
        }
    }
}

/// Runs one engine call on the blocking pool.
async fn step(
    relay: &Arc<Relay>,
    conn: Conn,
    frame: Vec<u8>,
) -> Option<(Conn, anyhow::Result<RelayOutput>)> {
    let relay = Arc::clone(relay);
    tokio::task::spawn_blocking(move || {
        let mut conn = conn;
        let mut io = RelayIo {
            identity: &relay.identity,
            store: &mut conn.store,
            rng: &mut conn.rng,
            now: now_u32(),
        };
        let out = conn
            .engine
            .handle(&mut io, &frame)
            .map_err(anyhow::Error::from);
        (conn, out)
    })
    .await
    .ok()
}

async fn write_all<S: AsyncWrite + Unpin>(s: &mut S, bytes: &[u8], limits: &Limits) -> bool {
    matches!(
        timeout(limits.write_timeout, s.write_all(bytes)).await,
        Ok(Ok(()))
    )
}

async fn close_with<S: AsyncWrite + Unpin>(s: &mut S, reason: CloseReason, limits: &Limits) {
    let ret = if reason == CloseReason::Resting {
        limits.resting_return_secs
    } else {
        0
    };
    if write_all(s, &connect_close(reason, ret), limits).await {
        let _ = timeout(limits.write_timeout, s.shutdown()).await;
    }
}

async fn connection<S>(mut stream: S, relay: Arc<Relay>, mut stop: watch::Receiver<bool>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limits = relay.limits;
    let rng = match os_rng() {
        Ok(r) => r,
        Err(e) => {
            error!(error = %e, "no randomness");
            close_with(&mut stream, CloseReason::InternalError, &limits).await;
            return;
        }
    };
    let mut conn = Some(Conn {
        engine: RelayEngine::new(relay.options.clone()),
        store: relay.store.clone(),
        rng,
    });
    debug!("accepted");
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = vec![0u8; 4096];
    // When the command at the head of `buf` started arriving.
    let mut started: Option<Instant> = None;
    let mut last_command = Instant::now();
    loop {
        // Hand every complete command to the engine.
        loop {
            let frame = match next_frame(&buf, limits.max_command_len) {
                Frame::Incomplete => break,
                Frame::Complete(n) => buf.drain(..n).collect::<Vec<u8>>(),
                // The engine cannot parse a header alone: it answers as for
                // any unparseable command (ConnectClose ProtocolError).
                Frame::Bad => buf.drain(..COMMAND_HEADER_LEN).collect(),
            };
            last_command = Instant::now();
            started = None;
            let Some(c) = conn.take() else { return };
            let Some((c, out)) = step(&relay, c, frame).await else {
                error!("engine task failed");
                close_with(&mut stream, CloseReason::InternalError, &limits).await;
                return;
            };
            conn = Some(c);
            let out = match out {
                Ok(out) => out,
                Err(e) => {
                    error!(error = %e, "store or engine failure");
                    close_with(&mut stream, CloseReason::InternalError, &limits).await;
                    return;
                }
            };
            log_events(&out);
            for cmd in &out.send {
                if !write_all(&mut stream, cmd, &limits).await {
                    debug!("write failed or timed out");
                    return;
                }
            }
            if out.close_connection {
                let _ = timeout(limits.write_timeout, stream.shutdown()).await;
                debug!("closed by the engine");
                return;
            }
        }
        if !buf.is_empty() && started.is_none() {
            started = Some(Instant::now());
        }
        let (deadline, reason) = match started {
            Some(t) => (t + limits.read_deadline, CloseReason::ProtocolError),
            None => (last_command + limits.idle_timeout, CloseReason::Idle),
        };
        tokio::select! {
            read = stream.read(&mut chunk) => match read {
                Ok(0) | Err(_) => {
                    debug!("peer closed");
                    return;
                }
                Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            },
            () = sleep_until(deadline) => {
                if reason == CloseReason::Idle {
                    info!("idle timeout: ConnectClose Idle");
                } else {
                    warn!("command not complete before the read deadline: ConnectClose ProtocolError");
                }
                close_with(&mut stream, reason, &limits).await;
                return;
            }
            _ = stop.changed() => {
                close_with(&mut stream, CloseReason::Resting, &limits).await;
                return;
            }
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => info!("SIGINT"),
        () = term => info!("SIGTERM"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_flags_impossible_and_oversized_lengths() {
        assert_eq!(next_frame(&[], 100), Frame::Incomplete);
        assert_eq!(next_frame(&[1, 5], 100), Frame::Incomplete);
        assert_eq!(next_frame(&[1, 0, 0], 100), Frame::Bad);
        assert_eq!(next_frame(&[1, 2, 0], 100), Frame::Bad);
        assert_eq!(next_frame(&[1, 200, 0], 100), Frame::Bad);
        assert_eq!(next_frame(&[1, 4, 0], 100), Frame::Incomplete);
        assert_eq!(next_frame(&[1, 4, 0, 9, 9], 100), Frame::Complete(4));
    }
}
