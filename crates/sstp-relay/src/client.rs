//! Drives a [`ClientEngine`] over an async byte stream: what `sstp client
//! connect`, the end-to-end tests and the bench use.
//!
//! [`drive`] sends Connect, feeds every command the relay sends to the
//! engine, writes the engine's answers, and reports every state transition
//! through a callback. It stops when every account is authenticated (and
//! its identity registration, if any, was accepted), when something fails,
//! when the relay closes, or at the deadline.

use std::time::Duration;

use rand_core::CryptoRng;
use sstp_security_core::client::{AccountState, ClientEngine, ClientEvent, ClientState};
use sstp_wire::CloseReason;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout_at};

use crate::files::now_u32;
use crate::server::{Frame, connect_close, next_frame};

/// One thing the caller may want to print.
#[derive(Debug)]
pub enum Progress<'a> {
    /// The connection state changed.
    State(ClientState),
    /// An account's state changed.
    Account(&'a str, AccountState),
    /// The engine reported an event.
    Event(&'a ClientEvent),
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every account authenticated (and its identities registered), or, for
    /// a connection without accounts, the device is connected.
    Authenticated,
    /// The engine or the relay refused something.
    Failed,
    /// The relay closed the connection first.
    Closed,
    /// The deadline passed.
    TimedOut,
}

/// What the caller expects of each account.
#[derive(Debug, Clone)]
pub struct AccountGoal {
    /// The account URL.
    pub account_url: String,
    /// Whether the account has identities to (un)register, i.e. whether to
    /// wait for `IdentitiesRegistered`.
    pub identities: bool,
}

fn done(engine: &ClientEngine, goals: &[AccountGoal], events: &[ClientEvent]) -> bool {
    if goals.is_empty() {
        return matches!(
            engine.state(),
            ClientState::ConnectAuthenticated | ClientState::Sending
        );
    }
    goals.iter().all(|g| {
        engine.account_state(&g.account_url) == Some(AccountState::Authenticated)
            && (!g.identities
                || events.iter().any(|e| {
                    matches!(e, ClientEvent::IdentitiesRegistered { account_url }
                        if *account_url == g.account_url)
                }))
    })
}

fn failed(engine: &ClientEngine, goals: &[AccountGoal], events: &[ClientEvent]) -> bool {
    matches!(
        engine.state(),
        ClientState::AuthenticationFailed | ClientState::Disconnected
    ) || events
        .iter()
        .any(|e| matches!(e, ClientEvent::Failed { .. }))
        || goals.iter().any(|g| {
            matches!(
                engine.account_state(&g.account_url),
                Some(AccountState::AuthenticationFailed | AccountState::RegistrationFailed)
            )
        })
}

/// Runs one connection to completion (see the module docs). On success
/// the connection is closed with ConnectClose NoReason unless `keep_open`.
/// Returns the outcome and every event.
///
/// # Errors
/// The stream failed, or the engine reported an API misuse or an internal
/// failure.
pub async fn drive<S, R>(
    stream: &mut S,
    engine: &mut ClientEngine,
    rng: &mut R,
    goals: &[AccountGoal],
    deadline: Duration,
    keep_open: bool,
    mut progress: impl FnMut(Progress<'_>),
) -> anyhow::Result<(Outcome, Vec<ClientEvent>)>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: CryptoRng + ?Sized,
{
    let deadline = Instant::now() + deadline;
    let mut state = engine.state();
    let mut accounts: Vec<Option<AccountState>> = goals
        .iter()
        .map(|g| engine.account_state(&g.account_url))
        .collect();
    let mut events = Vec::new();
    let mut out = engine.connect(rng, !goals.is_empty())?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = vec![0u8; 4096];
    loop {
        for cmd in &out.send {
            match timeout_at(deadline, stream.write_all(cmd)).await {
                Ok(r) => r?,
                Err(_) => return Ok((Outcome::TimedOut, events)),
            }
        }
        for e in &out.events {
            progress(Progress::Event(e));
        }
        events.append(&mut out.events);
        if engine.state() != state {
            state = engine.state();
            progress(Progress::State(state));
        }
        for (g, last) in goals.iter().zip(accounts.iter_mut()) {
            let now = engine.account_state(&g.account_url);
            if now != *last {
                *last = now;
                if let Some(s) = now {
                    progress(Progress::Account(&g.account_url, s));
                }
            }
        }
        if done(engine, goals, &events) {
            if !keep_open {
                let bye = connect_close(CloseReason::NoReason, 0);
                let _ = timeout_at(deadline, stream.write_all(&bye)).await;
                let _ = timeout_at(deadline, stream.shutdown()).await;
            }
            return Ok((Outcome::Authenticated, events));
        }
        if failed(engine, goals, &events) {
            return Ok((Outcome::Failed, events));
        }
        if out.close_connection {
            return Ok((Outcome::Closed, events));
        }
        // The next command from the relay.
        let frame = loop {
            match next_frame(&buf, sstp_wire::consts::MAX_COMMAND_LEN) {
                Frame::Complete(n) => break buf.drain(..n).collect::<Vec<u8>>(),
                // The engine answers an unparseable command itself.
                Frame::Bad => break std::mem::take(&mut buf),
                Frame::Incomplete => {}
            }
            match timeout_at(deadline, stream.read(&mut chunk)).await {
                Err(_) => return Ok((Outcome::TimedOut, events)),
                Ok(Ok(0)) => return Ok((Outcome::Closed, events)),
                Ok(Ok(n)) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Ok(Err(e)) => return Err(e.into()),
            }
        };
        out = engine.handle(rng, now_u32(), &frame)?;
    }
}
