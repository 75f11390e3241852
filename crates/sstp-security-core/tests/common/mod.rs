//! Shared fixtures: keys generated once per test binary from a seeded
//! ChaCha20 (RSA key generation is slow in debug builds), and an in-memory
//! client <-> relay simulator with a step limit.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use crypto_primitives::elgamal::{Group, KeyForm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_security_core::cert::{RelayCertificateParams, RelayIdentity};
use sstp_security_core::client::{
    AccountObject, ClientEngine, ClientEvent, ClientOptions, DeviceObject, IdentityObject,
};
use sstp_security_core::keys::{ClientKeyPairs, EncryptionAlgorithm, generate_secret_key};
use sstp_security_core::relay::{RelayEngine, RelayEvent, RelayIo, RelayOptions};
use sstp_security_core::store::MemoryStore;
use sstp_wire::{Carrier, Command, SecurityToken};

pub const RELAY_URL: &str = "grooveDNS://relay.contoso.com";
pub const DEVICE_A: &str = "dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2";
pub const DEVICE_B: &str = "dpp:///newdevice000000000000000000000000000000";
pub const ACCOUNT: &str = "grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@";
pub const ACCOUNT2: &str = "grooveAccount://second00000000000000000000000000000@";
pub const IDENTITY_1: &str = "grooveIdentity://tvxab6hv8q6knhmw3vxaujspwshc4g9h@";
pub const IDENTITY_2: &str = "grooveIdentity://z9xab6hv8q6knhmw3vxaujspwshc4g9h@";
pub const IDENTITY_OLD: &str = "grooveIdentity://oldoldoldoldoldoldoldoldoldoldold@";
pub const PRE_AUTH: &str = "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973";
/// 2008-01-18, the timestamp of the §4.1.5 trace.
pub const NOW: u32 = 0x4791_14D1;
pub const RSA_BITS: usize = 1024;

pub struct Fixture {
    pub relay: RelayIdentity,
    pub device_a: Arc<DeviceObject>,
    pub device_b: Arc<DeviceObject>,
    pub account: Arc<AccountObject>,
    pub account2: Arc<AccountObject>,
    /// Same URL as `account`, other keys (an impostor).
    pub account_impostor: Arc<AccountObject>,
    /// Same URL as `device_a`, other keys.
    pub device_a_impostor: Arc<DeviceObject>,
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn keys(rng: &mut ChaCha20Rng, alg: EncryptionAlgorithm) -> ClientKeyPairs {
    ClientKeyPairs::generate(rng, RSA_BITS, alg, &Group::groove2007()).unwrap()
}

fn device(rng: &mut ChaCha20Rng, url: &str) -> Arc<DeviceObject> {
    Arc::new(DeviceObject {
        device_url: url.into(),
        device_key: generate_secret_key(rng),
        keys: keys(rng, EncryptionAlgorithm::Elgamal),
    })
}

fn account(rng: &mut ChaCha20Rng, url: &str, alg: EncryptionAlgorithm) -> Arc<AccountObject> {
    Arc::new(AccountObject {
        account_url: url.into(),
        device_urls: vec![DEVICE_A.into()],
        account_key: generate_secret_key(rng),
        keys: keys(rng, alg),
        active_identities: vec![IDENTITY_1.into(), IDENTITY_2.into()],
        inactive_identities: vec![IDENTITY_OLD.into()],
    })
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut r = rng(0x5eed);
        let relay = RelayIdentity::generate(
            &mut r,
            &RelayCertificateParams {
                relay_url: RELAY_URL.into(),
                not_before: 1_200_000_000,
                not_after: 2_000_000_000,
                rsa_bits: RSA_BITS,
                group: Group::groove2007(),
                key_form: KeyForm::Groove2007,
            },
        )
        .unwrap();
        Fixture {
            relay,
            device_a: device(&mut r, DEVICE_A),
            device_b: device(&mut r, DEVICE_B),
            account: account(&mut r, ACCOUNT, EncryptionAlgorithm::Elgamal),
            account2: account(&mut r, ACCOUNT2, EncryptionAlgorithm::Rsa),
            account_impostor: account(&mut r, ACCOUNT, EncryptionAlgorithm::Elgamal),
            device_a_impostor: device(&mut r, DEVICE_A),
        }
    })
}

pub fn identities() -> Vec<IdentityObject> {
    vec![IdentityObject {
        identity_url: IDENTITY_1.into(),
        account_url: ACCOUNT.into(),
        pre_auth_token: PRE_AUTH.into(),
    }]
}

pub fn store() -> MemoryStore {
    let mut s = MemoryStore::new();
    s.add_user(PRE_AUTH, ACCOUNT);
    s
}

pub fn client(device: &Arc<DeviceObject>, accounts: &[&Arc<AccountObject>]) -> ClientEngine {
    ClientEngine::new(
        ClientOptions::default(),
        fixture().relay.certificate().clone(),
        Arc::clone(device),
        accounts.iter().map(|a| Arc::clone(a)).collect(),
        &identities(),
    )
}

pub fn relay() -> RelayEngine {
    RelayEngine::new(RelayOptions::default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    ToRelay,
    ToClient,
}

/// A one-line description of a command: name, session, response, token.
pub fn describe(bytes: &[u8]) -> String {
    let Ok(cmd) = Command::parse_with(
        bytes,
        sstp_wire::DecodeOptions::STRICT.tolerate_register_token_overrun(true),
    ) else {
        return "<unparseable>".into();
    };
    let token = |carrier: Carrier, t: &[u8]| -> String {
        if t.is_empty() {
            return String::new();
        }
        match SecurityToken::parse(carrier, t) {
            Ok(SecurityToken::SecDeviceAccountRegister(m)) => format!(
                "[SecDeviceAccountRegister:{}]",
                match m.account_layer_message {
                    sstp_wire::AccountLayerMessage::AccountRegister(_) => "SecAccountRegister",
                    sstp_wire::AccountLayerMessage::AccountOnNewDevice(_) =>
                        "SecAccountOnNewDevice",
                }
            ),
            Ok(SecurityToken::SecDeviceAccountRegisterResponse(_)) => {
                "[SecDeviceAccountRegisterResponse:SecAccountRegisterResponse]".into()
            }
            Ok(t) => format!("[{}]", t.name()),
            Err(_) => "[<bad token>]".into(),
        }
    };
    match &cmd {
        Command::Connect(c) => {
            format!("Connect{}", token(Carrier::Connect, c.authentication_token))
        }
        Command::ConnectResponse(c) => format!(
            "ConnectResponse({:?}){}",
            c.response_id,
            token(Carrier::ConnectResponse, c.authentication_token)
        ),
        Command::ConnectAuthenticate(c) => format!(
            "ConnectAuthenticate{}",
            token(Carrier::ConnectAuthenticate, c.authentication_token)
        ),
        Command::ConnectClose(c) => format!("ConnectClose({:?})", c.reason),
        Command::Attach(a) => format!(
            "Attach#{}{}",
            a.event_id,
            token(Carrier::Attach, a.authentication_token)
        ),
        Command::AttachResponse(a) => format!(
            "AttachResponse#{}({:?}){}",
            a.event_id,
            a.response_id,
            token(Carrier::AttachResponse, a.authentication_token)
        ),
        Command::AttachAuthenticate(a) => format!(
            "AttachAuthenticate#{}{}",
            a.event_id,
            token(Carrier::AttachAuthenticate, a.authentication_token)
        ),
        Command::Register(r) => format!(
            "Register#{}{}",
            r.event_id,
            token(Carrier::Register, r.registration_token)
        ),
        Command::RegisterResponse(r) => format!(
            "RegisterResponse#{}{}",
            r.event_id,
            token(
                Carrier::RegisterResponse,
                r.registration_token.unwrap_or_default()
            )
        ),
        Command::Close(c) => format!("Close#{}({:?})", c.session_id, c.reason),
        other => format!("{other:?}"),
    }
}

/// One untampered connection of `client(device, accounts)` to a default
/// relay over `store` (see [`run`]): the transcript and both engines.
pub fn connect_once(
    store: &mut MemoryStore,
    device: &Arc<DeviceObject>,
    accounts: &[&Arc<AccountObject>],
    authenticate: bool,
) -> (Sim, ClientEngine, RelayEngine) {
    let mut c = client(device, accounts);
    let mut r = relay();
    let sim = run(&mut c, &mut r, store, authenticate, no_tamper);
    (sim, c, r)
}

pub struct Sim {
    pub transcript: Vec<(Dir, String)>,
    pub client_events: Vec<ClientEvent>,
    pub relay_events: Vec<RelayEvent>,
}

/// Drives `client` and `relay` against each other until nothing is in
/// flight (at most 64 deliveries). `tamper` may replace or drop a command
/// in flight.
pub fn run(
    client: &mut ClientEngine,
    relay: &mut RelayEngine,
    store: &mut MemoryStore,
    authenticate: bool,
    mut tamper: impl FnMut(Dir, &str, Vec<u8>) -> Option<Vec<u8>>,
) -> Sim {
    let f = fixture();
    let mut crng = rng(1);
    let mut rrng = rng(2);
    let mut sim = Sim {
        transcript: vec![],
        client_events: vec![],
        relay_events: vec![],
    };
    let mut queue: std::collections::VecDeque<(Dir, Vec<u8>)> = client
        .connect(&mut crng, authenticate)
        .unwrap()
        .send
        .into_iter()
        .map(|b| (Dir::ToRelay, b))
        .collect();
    let mut steps = 0;
    while let Some((dir, bytes)) = queue.pop_front() {
        steps += 1;
        assert!(steps <= 64, "step limit reached: {:?}", sim.transcript);
        let name = describe(&bytes);
        let Some(bytes) = tamper(dir, &name, bytes) else {
            continue;
        };
        sim.transcript.push((dir, describe(&bytes)));
        match dir {
            Dir::ToRelay => {
                let mut io = RelayIo {
                    identity: &f.relay,
                    store: &mut *store,
                    rng: &mut rrng,
                    now: NOW,
                };
                let out = relay.handle(&mut io, &bytes).unwrap();
                sim.relay_events.extend(out.events);
                queue.extend(out.send.into_iter().map(|b| (Dir::ToClient, b)));
            }
            Dir::ToClient => {
                let out = client.handle(&mut crng, NOW, &bytes).unwrap();
                sim.client_events.extend(out.events);
                queue.extend(out.send.into_iter().map(|b| (Dir::ToRelay, b)));
            }
        }
    }
    sim
}

pub fn no_tamper(_: Dir, _: &str, b: Vec<u8>) -> Option<Vec<u8>> {
    Some(b)
}

/// Transcript lines as "C> ..." / "R> ...".
pub fn lines(sim: &Sim) -> Vec<String> {
    sim.transcript
        .iter()
        .map(|(d, s)| match d {
            Dir::ToRelay => format!("C> {s}"),
            Dir::ToClient => format!("R> {s}"),
        })
        .collect()
}

/// Registers ACCOUNT on DEVICE_A (scenario 4.1) in `store`.
pub fn registered_store() -> MemoryStore {
    let f = fixture();
    let mut s = store();
    let mut c = client(&f.device_a, &[&f.account]);
    let mut r = relay();
    run(&mut c, &mut r, &mut s, true, no_tamper);
    s
}
