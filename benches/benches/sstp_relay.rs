//! The relay daemon over loopback: an in-process tokio relay
//! (`sstp_relay::serve`, redb store in a temporary directory) and N
//! concurrent clients (`sstp_relay::client::drive`) each doing a §4.3
//! reconnect authentication (device + one account) on its own TCP
//! connection. Reports reconnects per second (criterion throughput), and,
//! once after the criterion run, p99 latency and the process RSS per idle
//! authenticated connection (VmRSS before/after holding N connections
//! open; the clients' sockets and buffers are in the same process, their
//! engines are dropped).
//!
//! `SSTP_RELAY_BENCH_CONNS` sets N (default 1000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crypto_primitives::elgamal::{Group, KeyForm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_relay::client::{AccountGoal, Outcome, drive};
use sstp_relay::{Limits, RedbStore, Relay};
use sstp_security_core::cert::{RelayCertificate, RelayCertificateParams, RelayIdentity};
use sstp_security_core::client::{
    AccountObject, ClientEngine, ClientOptions, DeviceObject, IdentityObject,
};
use sstp_security_core::keys::{ClientKeyPairs, EncryptionAlgorithm, generate_secret_key};
use sstp_security_core::relay::RelayOptions;
use tokio::net::TcpStream;

const ACCOUNT: &str = "grooveAccount://bench@";
const TOKEN: &str = "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973";

#[derive(Clone)]
struct Client {
    cert: RelayCertificate,
    device: Arc<DeviceObject>,
    account: Arc<AccountObject>,
    identities: Vec<IdentityObject>,
}

impl Client {
    fn engine(&self) -> ClientEngine {
        ClientEngine::new(
            ClientOptions::default(),
            self.cert.clone(),
            Arc::clone(&self.device),
            vec![Arc::clone(&self.account)],
            &self.identities,
        )
    }
}

fn goals() -> [AccountGoal; 1] {
    [AccountGoal {
        account_url: ACCOUNT.into(),
        identities: false,
    }]
}

/// One connection, authenticated; the stream if `keep` (engine dropped).
async fn one(
    c: &Client,
    addr: std::net::SocketAddr,
    seed: u64,
    keep: bool,
) -> (Duration, Option<TcpStream>) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let _ = s.set_nodelay(true);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut engine = c.engine();
    let (outcome, _) = drive(
        &mut s,
        &mut engine,
        &mut rng,
        &goals(),
        Duration::from_secs(120),
        keep,
        |_| {},
    )
    .await
    .expect("drive");
    assert_eq!(outcome, Outcome::Authenticated);
    (start.elapsed(), keep.then_some(s))
}

async fn batch(
    c: &Client,
    addr: std::net::SocketAddr,
    n: usize,
    keep: bool,
) -> (Duration, Vec<Duration>, Vec<TcpStream>) {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let c = c.clone();
        tasks.spawn(async move { one(&c, addr, i as u64, keep).await });
    }
    let mut lat = Vec::with_capacity(n);
    let mut streams = Vec::new();
    while let Some(r) = tasks.join_next().await {
        let (d, s) = r.expect("task");
        lat.push(d);
        streams.extend(s);
    }
    (start.elapsed(), lat, streams)
}

fn vm_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("SSTP_RELAY_BENCH_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let group = Group::groove2007();
    // Reconnects use no RSA or ElGamal private-key operation; 1024-bit keys
    // only shorten the setup.
    let identity = RelayIdentity::generate(
        &mut rng,
        &RelayCertificateParams {
            relay_url: "grooveDNS://relay.bench".into(),
            not_before: 1_200_000_000,
            not_after: 4_000_000_000,
            rsa_bits: 1024,
            group: group.clone(),
            key_form: KeyForm::Groove2007,
        },
    )
    .expect("relay identity");
    let client = Client {
        cert: identity.certificate().clone(),
        device: Arc::new(DeviceObject {
            device_url: "dpp:///bench".into(),
            device_key: generate_secret_key(&mut rng),
            keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)
                .expect("keys"),
        }),
        account: Arc::new(AccountObject {
            account_url: ACCOUNT.into(),
            device_urls: vec!["dpp:///bench".into()],
            account_key: generate_secret_key(&mut rng),
            keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)
                .expect("keys"),
            active_identities: vec![],
            inactive_identities: vec![],
        }),
        identities: vec![IdentityObject {
            identity_url: "grooveIdentity://bench@".into(),
            account_url: ACCOUNT.into(),
            pre_auth_token: TOKEN.into(),
        }],
    };
    let dir = std::env::temp_dir().join(format!("sstp-relay-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tempdir");
    let store = RedbStore::open(&dir.join("relay.redb")).expect("store");
    store.add_user(TOKEN, ACCOUNT).expect("user");
    let relay = Arc::new(Relay {
        identity: Arc::new(identity),
        store,
        options: RelayOptions::default(),
        limits: Limits {
            max_connections: n + 16,
            ..Limits::default()
        },
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(sstp_relay::serve(listener, relay, async {
        let _ = stop_rx.await;
    }));
    // The first connection registers device and account (§4.1).
    rt.block_on(one(&client, addr, 0, false));

    let mut g = c.benchmark_group("sstp_relay");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(5));
    g.bench_function(format!("reconnect_concurrent_{n}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += rt.block_on(batch(&client, addr, n, false)).0;
            }
            total
        });
    });
    g.finish();

    // p99 and RSS per idle authenticated connection.
    let before = vm_rss_kib();
    let (elapsed, mut lat, streams) = rt.block_on(batch(&client, addr, n, true));
    std::thread::sleep(Duration::from_millis(300));
    let after = vm_rss_kib();
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    eprintln!(
        "sstp_relay: {n} concurrent reconnects in {:.1} ms = {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64() * 1e3,
        n as f64 / elapsed.as_secs_f64(),
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
    );
    eprintln!(
        "sstp_relay: holding {} idle authenticated connections: VmRSS {before} KiB -> {after} KiB = {:.1} KiB/connection (relay + client sockets, one process)",
        streams.len(),
        after.saturating_sub(before) as f64 / streams.len().max(1) as f64
    );
    drop(streams);
    let _ = stop_tx.send(());
    let _ = rt.block_on(server);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
