//! Test helpers: the recorded pyspnego/FreeRDP CredSSP transcripts in
//! `tests/vectors/ntlm/samples/` (copied unchanged from
//! `/work/shared/peers/samples/`, provenance and sha256 in
//! `tests/vectors/ntlm/<sample>.md`), parsed with `asn1_types::TsRequest`,
//! plus the values the independent Python decoder printed for them, and
//! in-memory NTLM endpoints with fixed randomness.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use asn1_types::TsRequest;
use ntlm::{
    ClientConfig, ClientRandom, CredentialStore, FileTime, InMemoryCredentialStore, NtlmClient,
    NtlmServer, Password, ServerConfig,
};
use spnego::NtlmMechanism;

pub const PASSWORD: &str = "Passw0rd!";

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/ntlm")
}

pub struct Sample {
    pub name: &'static str,
    pub client: Vec<TsRequest>,
    pub server: Vec<TsRequest>,
    pub pubkey: Vec<u8>,
    values: HashMap<String, String>,
    ok: bool,
}

fn hex_lines(path: PathBuf) -> Vec<TsRequest> {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| TsRequest::from_der(&hex::decode(l.trim()).unwrap()).unwrap())
        .collect()
}

impl Sample {
    pub fn load(name: &'static str) -> Self {
        let s = Self::load_bad(name);
        assert!(s.ok, "{name}: decoder run failed");
        s
    }

    /// A sample whose decoder run reports mismatches (wrong password).
    pub fn load_bad(name: &'static str) -> Self {
        let dir = vectors_dir().join("samples").join(name);
        let md = std::fs::read_to_string(vectors_dir().join(format!("{name}.md"))).unwrap();
        let block = md
            .split("```text\n")
            .nth(1)
            .unwrap()
            .split("```")
            .next()
            .unwrap();
        let ok = block.lines().any(|l| l == "ALL_CHECKS_OK");
        let values = block
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Self {
            name,
            client: hex_lines(dir.join("client.hex")),
            server: hex_lines(dir.join("server.hex")),
            pubkey: std::fs::read(dir.join("server_pubkey.der")).unwrap(),
            values,
            ok,
        }
    }

    /// The first negoToken of client message `i`.
    pub fn client_token(&self, i: usize) -> Vec<u8> {
        token(&self.client[i])
    }

    /// The first negoToken of server message `i`.
    pub fn server_token(&self, i: usize) -> Vec<u8> {
        token(&self.server[i])
    }

    /// A decoder value whose label starts with `prefix`: (bytes, truncated).
    fn value(&self, prefix: &str) -> (Vec<u8>, bool) {
        let (_, v) = self
            .values
            .iter()
            .find(|(k, _)| k.starts_with(prefix))
            .unwrap_or_else(|| panic!("{}: no {prefix:?}", self.name));
        (
            hex::decode(v.trim_end_matches("...")).unwrap(),
            v.ends_with("..."),
        )
    }

    pub fn exported_session_key(&self) -> [u8; 16] {
        self.value("ExportedSessionKey").0.try_into().unwrap()
    }

    /// Client pubKeyAuth plaintext: the v5+ nonce hash, or (pre-v5, where
    /// the decoder truncated it after checking) the raw public key.
    pub fn client_pub_key_auth_plaintext(&self) -> Vec<u8> {
        let (shown, truncated) = self.value("client pubKeyAuth plaintext");
        if truncated {
            assert!(self.pubkey.starts_with(&shown));
            self.pubkey.clone()
        } else {
            shown
        }
    }

    /// Server pubKeyAuth plaintext: the v5+ hash, or the key with its first
    /// byte + 1.
    pub fn server_pub_key_auth_plaintext(&self) -> Vec<u8> {
        let (shown, truncated) = self.value("server pubKeyAuth plaintext");
        if truncated {
            let mut k = self.pubkey.clone();
            k[0] = k[0].wrapping_add(1);
            assert!(k.starts_with(&shown));
            k
        } else {
            shown
        }
    }

    pub fn auth_info_plaintext(&self) -> Vec<u8> {
        let (v, truncated) = self.value("authInfo plaintext");
        assert!(!truncated);
        v
    }
}

pub fn token(req: &TsRequest) -> Vec<u8> {
    req.nego_tokens.as_ref().unwrap()[0]
        .nego_token
        .as_bytes()
        .to_vec()
}

pub fn store() -> InMemoryCredentialStore {
    let mut s = InMemoryCredentialStore::new();
    s.insert_password("TESTDOM", "alice", &Password::new(PASSWORD));
    s
}

pub fn shared_store() -> Arc<dyn CredentialStore + Send + Sync> {
    Arc::new(store())
}

pub const NOW: FileTime = FileTime(0x01dc_0000_0000_0000);

pub fn ntlm_client(password: &str) -> NtlmMechanism {
    NtlmMechanism::initiator(NtlmClient::with_random(
        ClientConfig::new("alice", "TESTDOM", &Password::new(password)),
        ClientRandom::from_bytes([1; 8], [2; 16]),
    ))
}

pub fn ntlm_server() -> NtlmMechanism {
    NtlmMechanism::acceptor(NtlmServer::with_server_challenge(
        ServerConfig::new("SRV", "TESTDOM", NOW),
        shared_store(),
        [3; 8],
    ))
}

/// A toy two-leg mechanism for SPNEGO tests (not cryptography): initiator
/// "hello" → acceptor "welcome" (complete) → initiator complete. Its MIC is
/// a sequence number and a keyed hash, so tampering and reordering fail.
#[derive(Debug)]
pub struct Toy {
    pub oid: asn1_types::der::asn1::ObjectIdentifier,
    pub initiator: bool,
    pub requires_mic: bool,
    pub fail_with: Option<spnego::MechErrorKind>,
    state: u8,
    out_seq: u32,
    in_seq: u32,
}

impl Toy {
    pub fn new(oid: asn1_types::der::asn1::ObjectIdentifier, initiator: bool) -> Self {
        Self {
            oid,
            initiator,
            requires_mic: false,
            fail_with: None,
            state: 0,
            out_seq: 0,
            in_seq: 0,
        }
    }

    fn sum(seq: u32, m: &[u8]) -> [u8; 8] {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (seq, m).hash(&mut h);
        h.finish().to_le_bytes()
    }
}

fn toy_err(kind: spnego::MechErrorKind, m: &str) -> spnego::MechError {
    spnego::MechError::new(kind, m)
}

impl spnego::Mechanism for Toy {
    fn oid(&self) -> asn1_types::der::asn1::ObjectIdentifier {
        self.oid
    }
    fn step(&mut self, input: Option<&[u8]>) -> Result<spnego::MechStep, spnego::MechError> {
        use spnego::{MechErrorKind as K, MechStep};
        if let Some(kind) = self.fail_with.clone() {
            return Err(toy_err(kind, "toy: configured to fail"));
        }
        match (self.initiator, self.state, input) {
            (true, 0, None) => {
                self.state = 1;
                Ok(MechStep::Continue(b"toy-hello".to_vec()))
            }
            (true, 1, Some(b"toy-welcome")) | (false, 0, Some(b"toy-hello")) => {
                self.state = 2;
                Ok(MechStep::Complete(
                    (!self.initiator).then(|| b"toy-welcome".to_vec()),
                ))
            }
            (_, _, Some(_)) => Err(toy_err(K::Protocol, "toy: unexpected token")),
            _ => Err(toy_err(K::Usage, "toy: out of order")),
        }
    }
    fn is_complete(&self) -> bool {
        self.state == 2
    }
    fn wrap(&mut self, p: &[u8]) -> Result<Vec<u8>, spnego::MechError> {
        let mut out = self.get_mic(p)?;
        out.extend(p.iter().map(|b| b ^ 0x5a));
        Ok(out)
    }
    fn unwrap(&mut self, t: &[u8]) -> Result<crypto_primitives::SecretBytes, spnego::MechError> {
        let (mic, body) = t.split_at(t.len().min(12));
        let plain: Vec<u8> = body.iter().map(|b| b ^ 0x5a).collect();
        self.verify_mic(&plain, mic)?;
        Ok(crypto_primitives::SecretBytes::new(plain))
    }
    fn get_mic(&mut self, m: &[u8]) -> Result<Vec<u8>, spnego::MechError> {
        if !self.is_complete() {
            return Err(toy_err(spnego::MechErrorKind::Usage, "toy: not complete"));
        }
        let seq = self.out_seq;
        self.out_seq += 1;
        let mut out = seq.to_le_bytes().to_vec();
        out.extend(Self::sum(seq, m));
        Ok(out)
    }
    fn verify_mic(&mut self, m: &[u8], mic: &[u8]) -> Result<(), spnego::MechError> {
        let mut want = self.in_seq.to_le_bytes().to_vec();
        want.extend(Self::sum(self.in_seq, m));
        if mic != want {
            return Err(toy_err(spnego::MechErrorKind::Integrity, "toy: bad mic"));
        }
        self.in_seq += 1;
        Ok(())
    }
    fn requires_mech_list_mic(&self) -> bool {
        self.requires_mic && self.is_complete()
    }
}
