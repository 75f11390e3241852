//! The relay's records ([MS-GRVSSTPS] 3.3.1) in an embedded redb database.
//!
//! [`RedbStore`] implements [`RelayStore`]: every atomic call of the trait
//! is **one** redb write transaction, committed with redb's default
//! `Durability::Immediate` (fsync before `commit` returns). The relay engine
//! only answers a registration after `commit_registration` returned, so an
//! acknowledged registration survives a crash; a crash before the commit
//! leaves nothing of it (redb's copy-on-write commit is all or nothing).
//! `commit_registration` re-reads the records inside its transaction and
//! repeats the 3.3.5.5.1 steps 8–9 consistency checks there, as the trait
//! requires, because another connection may have registered in between.
//!
//! Values are a small length-prefixed binary layout (below). Secret keys
//! are held in zeroizing buffers while encoded; redb's own page cache and
//! the file are not encrypted (protect the data directory).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableTable, TableDefinition};
use sstp_security_core::keys::SecretKey;
use sstp_security_core::store::{
    AccountRecord, CommitOutcome, DeviceRecord, IdentityRecord, Registration, RelayStore,
    UserRecord, apply_registration, registration_is_consistent,
};
use zeroize::Zeroizing;

const DEVICES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("devices");
const ACCOUNTS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("accounts");
const IDENTITIES: TableDefinition<'_, &str, &str> = TableDefinition::new("identities");
const USERS: TableDefinition<'_, &str, &str> = TableDefinition::new("users");

/// Layout version, first byte of every device and account value.
const VERSION: u8 = 1;

/// What can go wrong with the store.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// redb failed (IO, corruption detected by redb, ...).
    Db(Box<redb::Error>),
    /// A stored value does not decode: which table.
    Corrupt(&'static str),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Db(e) => write!(f, "relay store: {e}"),
            Self::Corrupt(table) => write!(f, "relay store: undecodable record in table {table}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Db(e) => Some(&**e),
            Self::Corrupt(_) => None,
        }
    }
}

fn db<E: Into<redb::Error>>(e: E) -> StoreError {
    StoreError::Db(Box::new(e.into()))
}

/// The relay's record store in a redb file. Cloning shares the database:
/// give each connection its own clone.
#[derive(Clone)]
pub struct RedbStore {
    db: Arc<Database>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStore").finish_non_exhaustive()
    }
}

impl RedbStore {
    /// Opens (or creates) the database at `path` and its tables.
    ///
    /// # Errors
    /// The file cannot be opened or is not a redb database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let database = Database::create(path).map_err(db)?;
        let tx = database.begin_write().map_err(db)?;
        {
            tx.open_table(DEVICES).map_err(db)?;
            tx.open_table(ACCOUNTS).map_err(db)?;
            tx.open_table(IDENTITIES).map_err(db)?;
            tx.open_table(USERS).map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(Self {
            db: Arc::new(database),
        })
    }

    /// Adds (or replaces) a user record: what the management server sends
    /// the relay when it creates an identity ([MS-GRVSSTPS] 1.3.1).
    ///
    /// # Errors
    /// The write failed.
    pub fn add_user(&self, pre_auth_token: &str, account_url: &str) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        {
            let mut users = tx.open_table(USERS).map_err(db)?;
            users.insert(pre_auth_token, account_url).map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}

// ---- value layout -------------------------------------------------------
//
// device:  VERSION, opt(key), opt(public keys object), set(account URLs)
// account: VERSION, opt(key), opt(public keys object), set(device URLs),
//          set(identity URLs)
// opt(x) = 0 | 1 bytes(x);  bytes(x) = u32 LE length, x;
// set(s) = u32 LE count, bytes(item)...

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    let len = u32::try_from(b.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(b);
}

fn put_opt(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put_bytes(out, b);
        }
    }
}

fn put_set(out: &mut Vec<u8>, set: &BTreeSet<String>) {
    let n = u32::try_from(set.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&n.to_le_bytes());
    for s in set {
        put_bytes(out, s.as_bytes());
    }
}

struct Reader<'a> {
    rest: &'a [u8],
    table: &'static str,
}

impl<'a> Reader<'a> {
    fn corrupt(&self) -> StoreError {
        StoreError::Corrupt(self.table)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.rest.len() < n {
            return Err(self.corrupt());
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        self.take(1)?.first().copied().ok_or(self.corrupt())
    }

    fn u32(&mut self) -> Result<usize, StoreError> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| self.corrupt())?;
        usize::try_from(u32::from_le_bytes(b)).map_err(|_| self.corrupt())
    }

    fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let n = self.u32()?;
        self.take(n)
    }

    fn opt(&mut self) -> Result<Option<&'a [u8]>, StoreError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.bytes().map(Some),
            _ => Err(self.corrupt()),
        }
    }

    fn key(&mut self) -> Result<Option<SecretKey>, StoreError> {
        match self.opt()? {
            None => Ok(None),
            Some(b) => SecretKey::from_slice(b).map(Some).ok_or(self.corrupt()),
        }
    }

    fn string(&mut self) -> Result<String, StoreError> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| self.corrupt())
    }

    fn set(&mut self) -> Result<BTreeSet<String>, StoreError> {
        let n = self.u32()?;
        (0..n).map(|_| self.string()).collect()
    }

    fn version(&mut self) -> Result<(), StoreError> {
        if self.u8()? == VERSION {
            Ok(())
        } else {
            Err(self.corrupt())
        }
    }

    fn finish(&self) -> Result<(), StoreError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.corrupt())
        }
    }
}

fn encode_device(r: &DeviceRecord) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![VERSION]);
    put_opt(
        &mut out,
        r.device_key.as_ref().map(|k| &k.expose_secret()[..]),
    );
    put_opt(&mut out, r.public_keys_object.as_deref());
    put_set(&mut out, &r.account_urls);
    out
}

fn decode_device(device_url: &str, v: &[u8]) -> Result<DeviceRecord, StoreError> {
    let mut r = Reader {
        rest: v,
        table: "devices",
    };
    r.version()?;
    let rec = DeviceRecord {
        device_url: device_url.to_owned(),
        device_key: r.key()?,
        public_keys_object: r.opt()?.map(<[u8]>::to_vec),
        account_urls: r.set()?,
    };
    r.finish()?;
    Ok(rec)
}

fn encode_account(r: &AccountRecord) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![VERSION]);
    put_opt(
        &mut out,
        r.account_key.as_ref().map(|k| &k.expose_secret()[..]),
    );
    put_opt(&mut out, r.public_keys_object.as_deref());
    put_set(&mut out, &r.device_urls);
    put_set(&mut out, &r.identity_urls);
    out
}

fn decode_account(account_url: &str, v: &[u8]) -> Result<AccountRecord, StoreError> {
    let mut r = Reader {
        rest: v,
        table: "accounts",
    };
    r.version()?;
    let rec = AccountRecord {
        account_url: account_url.to_owned(),
        account_key: r.key()?,
        public_keys_object: r.opt()?.map(<[u8]>::to_vec),
        device_urls: r.set()?,
        identity_urls: r.set()?,
    };
    r.finish()?;
    Ok(rec)
}

fn get_device<T: ReadableTable<&'static str, &'static [u8]>>(
    t: &T,
    url: &str,
) -> Result<Option<DeviceRecord>, StoreError> {
    match t.get(url).map_err(db)? {
        None => Ok(None),
        Some(v) => decode_device(url, v.value()).map(Some),
    }
}

fn get_account<T: ReadableTable<&'static str, &'static [u8]>>(
    t: &T,
    url: &str,
) -> Result<Option<AccountRecord>, StoreError> {
    match t.get(url).map_err(db)? {
        None => Ok(None),
        Some(v) => decode_account(url, v.value()).map(Some),
    }
}

impl RelayStore for RedbStore {
    type Error = StoreError;

    fn device(&self, device_url: &str) -> Result<Option<DeviceRecord>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        get_device(&tx.open_table(DEVICES).map_err(db)?, device_url)
    }

    fn account(&self, account_url: &str) -> Result<Option<AccountRecord>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        get_account(&tx.open_table(ACCOUNTS).map_err(db)?, account_url)
    }

    fn user(&self, pre_auth_token: &str) -> Result<Option<UserRecord>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(USERS).map_err(db)?;
        Ok(t.get(pre_auth_token).map_err(db)?.map(|v| UserRecord {
            pre_auth_token: pre_auth_token.to_owned(),
            account_url: v.value().to_owned(),
        }))
    }

    fn identity(&self, identity_url: &str) -> Result<Option<IdentityRecord>, StoreError> {
        let tx = self.db.begin_read().map_err(db)?;
        let t = tx.open_table(IDENTITIES).map_err(db)?;
        Ok(t.get(identity_url).map_err(db)?.map(|v| IdentityRecord {
            identity_url: identity_url.to_owned(),
            account_url: v.value().to_owned(),
        }))
    }

    fn commit_registration(&mut self, reg: &Registration) -> Result<CommitOutcome, StoreError> {
        let dev = &reg.device;
        let account_url = reg.account.account_url();
        let tx = self.db.begin_write().map_err(db)?;
        {
            let mut devices = tx.open_table(DEVICES).map_err(db)?;
            let mut accounts = tx.open_table(ACCOUNTS).map_err(db)?;
            // Re-read and re-check inside the transaction (3.3.5.5.1 steps
            // 8–9); dropping `tx` without commit writes nothing.
            let device = get_device(&devices, &dev.device_url)?;
            let account = get_account(&accounts, account_url)?;
            if !registration_is_consistent(device.as_ref(), account.as_ref(), reg) {
                return Ok(CommitOutcome::Conflict);
            }
            let (device, account) = apply_registration(device, account, reg);
            devices
                .insert(dev.device_url.as_str(), encode_device(&device).as_slice())
                .map_err(db)?;
            accounts
                .insert(account_url, encode_account(&account).as_slice())
                .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(CommitOutcome::Committed)
    }

    fn update_identities(
        &mut self,
        account_url: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(db)?;
        {
            let mut accounts = tx.open_table(ACCOUNTS).map_err(db)?;
            let mut identities = tx.open_table(IDENTITIES).map_err(db)?;
            let Some(mut account) = get_account(&accounts, account_url)? else {
                return Ok(());
            };
            for url in add {
                account.identity_urls.insert(url.clone());
                identities.insert(url.as_str(), account_url).map_err(db)?;
            }
            for url in remove {
                account.identity_urls.remove(url);
                let owned_here = identities
                    .get(url.as_str())
                    .map_err(db)?
                    .is_some_and(|v| v.value() == account_url);
                if owned_here {
                    identities.remove(url.as_str()).map_err(db)?;
                }
            }
            accounts
                .insert(account_url, encode_account(&account).as_slice())
                .map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn records_round_trip_and_truncation_is_corruption() {
        let mut set = BTreeSet::new();
        set.insert("grooveAccount://a@".to_owned());
        let rec = DeviceRecord {
            device_url: "dpp:///d".into(),
            device_key: Some(SecretKey::new([7; 24])),
            public_keys_object: Some(vec![1, 2, 3]),
            account_urls: set,
        };
        let v = encode_device(&rec);
        let back = decode_device("dpp:///d", &v).unwrap();
        assert_eq!(back.device_key, rec.device_key);
        assert_eq!(back.public_keys_object, rec.public_keys_object);
        assert_eq!(back.account_urls, rec.account_urls);
        for cut in 0..v.len() {
            assert!(decode_device("dpp:///d", &v[..cut]).is_err(), "cut {cut}");
        }
        let mut longer = v.to_vec();
        longer.push(0);
        assert!(decode_device("dpp:///d", &longer).is_err());
    }
}
