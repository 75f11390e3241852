//! Passwords, NT hashes and the acceptor's credential lookup.

use core::fmt;
use std::sync::Arc;

use crypto_primitives::{SecretArray, SecretBytes};

use crate::crypto::md4_utf16;
use crate::wire::{encode_utf16le, upper_case};

/// A password. Held as its UTF-16LE encoding (what NTOWFv1 hashes), zeroized
/// on drop, never printed.
pub struct Password(SecretBytes);

impl Password {
    /// Encodes `password` as UTF-16LE. The caller's `&str` is not wiped.
    pub fn new(password: &str) -> Self {
        Self(SecretBytes::new(encode_utf16le(password)))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An NT hash, NTOWFv1 = MD4(UNICODE(password)) ([MS-NLMP] 3.3.1).
///
/// A password equivalent: zeroized on drop, redacted in `Debug`, compared in
/// constant time.
#[derive(PartialEq, Eq)]
pub struct NtHash(SecretArray<16>);

impl NtHash {
    /// NTOWFv1 of `password`.
    pub fn from_password(password: &Password) -> Self {
        Self(md4_utf16(password.0.expose_secret()))
    }

    /// Wraps a known hash (e.g. from an smbpasswd or SAM file).
    pub fn from_bytes(hash: [u8; 16]) -> Self {
        Self(SecretArray::new(hash))
    }

    /// The raw hash.
    pub fn expose_secret(&self) -> &[u8; 16] {
        self.0.expose_secret()
    }

    /// An explicit copy.
    pub fn dangerous_clone(&self) -> Self {
        Self(self.0.dangerous_clone())
    }
}

impl fmt::Debug for NtHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NtHash(<redacted>)")
    }
}

/// Where an acceptor finds the NT hash of `DOMAIN\user`.
///
/// The lookup is synchronous and must not block on IO: an acceptor whose
/// accounts live in a database parses the AUTHENTICATE message first
/// ([`crate::AuthenticateMessage::parse`] gives the user and domain), fetches
/// the hash, and then drives [`crate::NtlmServer`] with a store holding it.
///
/// `domain` and `user` are the names exactly as the client sent them. The
/// NTLMv2 computation itself always uses the names as sent (user upper-cased,
/// domain unchanged, [MS-NLMP] 3.3.2); the store only decides whose hash it is.
pub trait CredentialStore {
    /// The NT hash for `domain\user`, or `None` when there is no such account.
    fn nt_hash(&self, domain: &str, user: &str) -> Option<NtHash>;
}

impl<T: CredentialStore + ?Sized> CredentialStore for &T {
    fn nt_hash(&self, domain: &str, user: &str) -> Option<NtHash> {
        (**self).nt_hash(domain, user)
    }
}

impl<T: CredentialStore + ?Sized> CredentialStore for Box<T> {
    fn nt_hash(&self, domain: &str, user: &str) -> Option<NtHash> {
        (**self).nt_hash(domain, user)
    }
}

impl<T: CredentialStore + ?Sized> CredentialStore for Arc<T> {
    fn nt_hash(&self, domain: &str, user: &str) -> Option<NtHash> {
        (**self).nt_hash(domain, user)
    }
}

struct Entry {
    domain_key: String,
    user_key: String,
    hash: NtHash,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\\{} => {:?}",
            self.domain_key, self.user_key, self.hash
        )
    }
}

/// A [`CredentialStore`] in memory.
///
/// Matching rules:
/// * user names are case-insensitive (compared after [`crate::upper_case`]);
/// * domain names are case-insensitive the same way, and must match the
///   entry's domain exactly otherwise (`TESTDOM` does not match
///   `testdom.example`: register both names if clients may send either);
/// * a client that sends an empty domain matches entries of the
///   [default domain](Self::with_default_domain) when one is set, and entries
///   registered with an empty domain otherwise.
#[derive(Default)]
pub struct InMemoryCredentialStore {
    entries: Vec<Entry>,
    default_domain: Option<String>,
}

impl InMemoryCredentialStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the domain an empty client domain stands for.
    pub fn with_default_domain(mut self, domain: &str) -> Self {
        self.default_domain = Some(upper_case(domain));
        self
    }

    /// Adds (or replaces) `domain\user` with the NT hash of `password`.
    pub fn insert_password(&mut self, domain: &str, user: &str, password: &Password) {
        self.insert_nt_hash(domain, user, NtHash::from_password(password));
    }

    /// Adds (or replaces) `domain\user` with a known NT hash.
    pub fn insert_nt_hash(&mut self, domain: &str, user: &str, hash: NtHash) {
        let domain_key = upper_case(domain);
        let user_key = upper_case(user);
        self.entries
            .retain(|e| !(e.domain_key == domain_key && e.user_key == user_key));
        self.entries.push(Entry {
            domain_key,
            user_key,
            hash,
        });
    }
}

impl CredentialStore for InMemoryCredentialStore {
    fn nt_hash(&self, domain: &str, user: &str) -> Option<NtHash> {
        let mut domain_key = upper_case(domain);
        if let (true, Some(default)) = (domain_key.is_empty(), &self.default_domain) {
            domain_key.clone_from(default);
        }
        let user_key = upper_case(user);
        self.entries
            .iter()
            .find(|e| e.domain_key == domain_key && e.user_key == user_key)
            .map(|e| e.hash.dangerous_clone())
    }
}

impl fmt::Debug for InMemoryCredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryCredentialStore")
            .field("entries", &self.entries)
            .field("default_domain", &self.default_domain)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_rules() {
        let mut store = InMemoryCredentialStore::new().with_default_domain("testdom");
        store.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
        store.insert_nt_hash("", "bob", NtHash::from_bytes([1; 16]));
        let alice = NtHash::from_password(&Password::new("Passw0rd!"));
        assert!(store.nt_hash("testdom", "ALICE") == Some(alice.dangerous_clone()));
        assert!(store.nt_hash("", "Alice") == Some(alice));
        assert!(store.nt_hash("testdom.example", "alice").is_none());
        assert!(store.nt_hash("OTHER", "alice").is_none());
        // Empty domain maps to the default domain, so bob (registered under "") is not found.
        assert!(store.nt_hash("", "bob").is_none());
        let mut plain = InMemoryCredentialStore::new();
        plain.insert_nt_hash("", "bob", NtHash::from_bytes([1; 16]));
        assert!(plain.nt_hash("", "BOB").is_some());
    }
}
