//! Drives a client engine and a relay engine against each other in memory:
//! first a new account on a new device ([MS-GRVSSTPS] §4.1), then a
//! reconnect (§4.3), printing every command and the states.
//!
//! `cargo run -p sstp-security-core --example relay_in_memory`

use std::collections::VecDeque;
use std::sync::Arc;

use crypto_primitives::elgamal::{Group, KeyForm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_security_core::cert::{RelayCertificateParams, RelayIdentity};
use sstp_security_core::client::{
    AccountObject, ClientEngine, ClientOptions, DeviceObject, IdentityObject,
};
use sstp_security_core::keys::{ClientKeyPairs, EncryptionAlgorithm, generate_secret_key};
use sstp_security_core::relay::{RelayEngine, RelayIo, RelayOptions};
use sstp_security_core::store::MemoryStore;
use sstp_wire::Command;

const NOW: u32 = 1_200_690_385;

fn name(bytes: &[u8]) -> String {
    match Command::parse_with(
        bytes,
        sstp_wire::DecodeOptions::STRICT.tolerate_register_token_overrun(true),
    ) {
        Ok(cmd) => {
            let token = cmd
                .security_token()
                .and_then(Result::ok)
                .map(|t| format!(" [{}]", t.name()))
                .unwrap_or_default();
            let head = format!("{cmd:?}");
            let head = head.split(['(', ' ', '{']).next().unwrap_or("?").to_owned();
            format!("{head}{token} ({} bytes)", bytes.len())
        }
        Err(e) => format!("<unparseable: {e}>"),
    }
}

fn run(
    client: &mut ClientEngine,
    relay: &mut RelayEngine,
    identity: &RelayIdentity,
    store: &mut MemoryStore,
    rng: &mut ChaCha20Rng,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut queue: VecDeque<(bool, Vec<u8>)> = client
        .connect(rng, true)?
        .send
        .into_iter()
        .map(|b| (true, b))
        .collect();
    let mut steps = 0;
    while let Some((to_relay, bytes)) = queue.pop_front() {
        steps += 1;
        if steps > 64 {
            return Err("step limit reached".into());
        }
        if to_relay {
            println!("  client -> relay  {}", name(&bytes));
            let mut io = RelayIo {
                identity,
                store: &mut *store,
                rng: &mut *rng,
                now: NOW,
            };
            let out = relay.handle(&mut io, &bytes)?;
            for e in &out.events {
                println!("                   relay event: {e:?}");
            }
            queue.extend(out.send.into_iter().map(|b| (false, b)));
        } else {
            println!("  relay -> client  {}", name(&bytes));
            let out = client.handle(rng, NOW, &bytes)?;
            for e in &out.events {
                println!("                   client event: {e:?}");
            }
            queue.extend(out.send.into_iter().map(|b| (true, b)));
        }
    }
    println!(
        "  states: client {:?}, relay {:?}",
        client.state(),
        relay.state()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    println!("generating relay certificate and client keys (1024-bit RSA) ...");
    let identity = RelayIdentity::generate(
        &mut rng,
        &RelayCertificateParams {
            relay_url: "grooveDNS://relay.contoso.com".into(),
            not_before: 1_200_000_000,
            not_after: 2_000_000_000,
            rsa_bits: 1024,
            group: Group::groove2007(),
            key_form: KeyForm::Groove2007,
        },
    )?;
    println!("relay certificate: {:?}", identity.certificate());
    let group = Group::groove2007();
    let device = Arc::new(DeviceObject {
        device_url: "dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2".into(),
        device_key: generate_secret_key(&mut rng),
        keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)?,
    });
    let account_url = "grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@";
    let account = Arc::new(AccountObject {
        account_url: account_url.into(),
        device_urls: vec![device.device_url.clone()],
        account_key: generate_secret_key(&mut rng),
        keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)?,
        active_identities: vec!["grooveIdentity://tvxab6hv8q6knhmw3vxaujspwshc4g9h@".into()],
        inactive_identities: vec![],
    });
    let identities = [IdentityObject {
        identity_url: "grooveIdentity://tvxab6hv8q6knhmw3vxaujspwshc4g9h@".into(),
        account_url: account_url.into(),
        pre_auth_token: "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973".into(),
    }];
    let mut store = MemoryStore::new();
    store.add_user("4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973", account_url);

    for title in ["§4.1 new account and device", "§4.3 reconnecting client"] {
        println!("\n{title}");
        let mut client = ClientEngine::new(
            ClientOptions::default(),
            identity.certificate().clone(),
            Arc::clone(&device),
            vec![Arc::clone(&account)],
            &identities,
        );
        let mut relay = RelayEngine::new(RelayOptions::default());
        run(&mut client, &mut relay, &identity, &mut store, &mut rng)?;
    }
    Ok(())
}
