//! The relay's records ([MS-GRVSSTPS] 3.3.1) behind the [`RelayStore`]
//! trait, and an in-memory implementation.
//!
//! The trait is shaped for a transactional store (the daemon's redb store):
//! the engine reads records, verifies everything, and then hands each
//! change over as **one** call — [`RelayStore::commit_registration`] writes
//! the device record, the account record and their cross references
//! together, [`RelayStore::update_identities`] applies one
//! SecIdentityRegister. An implementation runs each call in one write
//! transaction, so no account is ever half-registered. Because a record may
//! change between the engine's read and the commit (another connection
//! registering the same device), `commit_registration` repeats the
//! consistency checks of 3.3.5.5.1 steps 8–9 inside its transaction and
//! reports [`CommitOutcome::Conflict`] instead of overwriting.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use crypto_primitives::secret::ct_eq_bytes;

use crate::keys::SecretKey;

/// 3.3.1 device record (the queue list belongs to the SSTP layer).
#[derive(Debug)]
pub struct DeviceRecord {
    /// The device URL.
    pub device_url: String,
    /// The secret device key, once registered.
    pub device_key: Option<SecretKey>,
    /// The device's public keys object, once registered.
    pub public_keys_object: Option<Vec<u8>>,
    /// The accounts registered on the device.
    pub account_urls: BTreeSet<String>,
}

/// 3.3.1 account record.
#[derive(Debug)]
pub struct AccountRecord {
    /// The account URL.
    pub account_url: String,
    /// The secret account key, once registered.
    pub account_key: Option<SecretKey>,
    /// The account's public keys object, once registered.
    pub public_keys_object: Option<Vec<u8>>,
    /// The devices the account is registered on.
    pub device_urls: BTreeSet<String>,
    /// The identities on the account.
    pub identity_urls: BTreeSet<String>,
}

/// 3.3.1 identity record (the queue list belongs to the SSTP layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRecord {
    /// The identity URL.
    pub identity_url: String,
    /// The identity's account.
    pub account_url: String,
}

/// 3.3.1 user record, created from what the management server sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The user identifier, used as the pre-authentication token.
    pub pre_auth_token: String,
    /// The account URL associated with the user.
    pub account_url: String,
}

/// The device half of a registration: key and public keys object.
#[derive(Debug)]
pub struct DeviceRegistration {
    /// The device URL.
    pub device_url: String,
    /// The decrypted secret device key.
    pub device_key: SecretKey,
    /// The device public keys object as received.
    pub public_keys_object: Vec<u8>,
}

/// The account half of a registration.
#[derive(Debug)]
pub enum AccountRegistration {
    /// 3.3.5.5.1: a new account (or a re-registration of a known one) with
    /// its key and public keys object.
    New {
        /// The account URL.
        account_url: String,
        /// The decrypted secret account key.
        account_key: SecretKey,
        /// The account public keys object as received.
        public_keys_object: Vec<u8>,
    },
    /// 3.3.5.5.2: an existing account on a new device.
    OnNewDevice {
        /// The account URL.
        account_url: String,
    },
}

impl AccountRegistration {
    /// The account URL.
    pub fn account_url(&self) -> &str {
        match self {
            Self::New { account_url, .. } | Self::OnNewDevice { account_url } => account_url,
        }
    }
}

/// A verified registration, committed atomically.
#[derive(Debug)]
pub struct Registration {
    /// The device half.
    pub device: DeviceRegistration,
    /// The account half.
    pub account: AccountRegistration,
}

/// What [`RelayStore::commit_registration`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Everything was written.
    Committed,
    /// Nothing was written: a stored key or public keys object differs from
    /// the registration's (3.3.5.5.1 steps 8–9, re-checked in the
    /// transaction), or the account of an account-on-new-device
    /// registration has no key.
    Conflict,
}

/// The relay's record store.
pub trait RelayStore {
    /// The store's error (IO, corruption, ...).
    type Error: std::error::Error + Send + Sync + 'static;

    /// The device record for `device_url`.
    fn device(&self, device_url: &str) -> Result<Option<DeviceRecord>, Self::Error>;

    /// The account record for `account_url`.
    fn account(&self, account_url: &str) -> Result<Option<AccountRecord>, Self::Error>;

    /// The user record for a pre-authentication token.
    fn user(&self, pre_auth_token: &str) -> Result<Option<UserRecord>, Self::Error>;

    /// The identity record for `identity_url`.
    fn identity(&self, identity_url: &str) -> Result<Option<IdentityRecord>, Self::Error>;

    /// Writes a verified registration in one transaction: creates or
    /// completes the device record (key and public keys object, unless
    /// already there), creates or completes the account record (for
    /// [`AccountRegistration::New`]), adds the device URL to the account
    /// and the account URL to the device. Must write everything or nothing.
    fn commit_registration(
        &mut self,
        registration: &Registration,
    ) -> Result<CommitOutcome, Self::Error>;

    /// Applies one identity registration in one transaction: adds `add` to
    /// the account's identities (ignoring duplicates, creating identity
    /// records), then removes `remove` (deleting their identity records).
    fn update_identities(
        &mut self,
        account_url: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<(), Self::Error>;
}

/// An in-memory [`RelayStore`], for tests, examples and fuzzing.
#[derive(Debug, Default)]
pub struct MemoryStore {
    devices: BTreeMap<String, DeviceRecord>,
    accounts: BTreeMap<String, AccountRecord>,
    identities: BTreeMap<String, IdentityRecord>,
    users: BTreeMap<String, UserRecord>,
}

fn copy_device(r: &DeviceRecord) -> DeviceRecord {
    DeviceRecord {
        device_url: r.device_url.clone(),
        device_key: r.device_key.as_ref().map(SecretKey::dangerous_clone),
        public_keys_object: r.public_keys_object.clone(),
        account_urls: r.account_urls.clone(),
    }
}

fn copy_account(r: &AccountRecord) -> AccountRecord {
    AccountRecord {
        account_url: r.account_url.clone(),
        account_key: r.account_key.as_ref().map(SecretKey::dangerous_clone),
        public_keys_object: r.public_keys_object.clone(),
        device_urls: r.device_urls.clone(),
        identity_urls: r.identity_urls.clone(),
    }
}

/// Whether a stored (key, object) pair is absent or equal to the new one.
fn consistent(
    stored_key: Option<&SecretKey>,
    stored_object: Option<&Vec<u8>>,
    key: &SecretKey,
    object: &[u8],
) -> bool {
    let key_ok = stored_key.is_none_or(|k| k == key);
    let obj_ok = stored_object.is_none_or(|o| ct_eq_bytes(o, object));
    key_ok & obj_ok
}

/// [MS-GRVSSTPS] 3.3.5.5.1 steps 8–9, as [`RelayStore::commit_registration`]
/// repeats them inside its transaction: whether `registration` may be
/// written over the stored `device` and `account` records (as read in that
/// transaction; `None` where there is none).
///
/// A stored device key or device public keys object must be absent or equal
/// to the registration's (step 8); for [`AccountRegistration::New`] the
/// same holds for the stored account key and account public keys object
/// (step 9); for [`AccountRegistration::OnNewDevice`] (3.3.5.5.2) the
/// account must exist and have a key. Keys and objects are compared in
/// constant time. `false` means [`CommitOutcome::Conflict`]: write nothing.
pub fn registration_is_consistent(
    device: Option<&DeviceRecord>,
    account: Option<&AccountRecord>,
    registration: &Registration,
) -> bool {
    let dev = &registration.device;
    if let Some(d) = device
        && !consistent(
            d.device_key.as_ref(),
            d.public_keys_object.as_ref(),
            &dev.device_key,
            &dev.public_keys_object,
        )
    {
        return false;
    }
    match &registration.account {
        AccountRegistration::New {
            account_key,
            public_keys_object,
            ..
        } => account.is_none_or(|a| {
            consistent(
                a.account_key.as_ref(),
                a.public_keys_object.as_ref(),
                account_key,
                public_keys_object,
            )
        }),
        AccountRegistration::OnNewDevice { .. } => account.is_some_and(|a| a.account_key.is_some()),
    }
}

/// The records a consistent `registration` (see
/// [`registration_is_consistent`]) leaves behind, built from the stored
/// `device` and `account` records (`None` where there is none): keys and
/// public keys objects are filled in where absent (never replaced), the
/// device URL is added to the account and the account URL to the device.
/// The caller writes both records in one transaction.
pub fn apply_registration(
    device: Option<DeviceRecord>,
    account: Option<AccountRecord>,
    registration: &Registration,
) -> (DeviceRecord, AccountRecord) {
    let dev = &registration.device;
    let account_url = registration.account.account_url();
    let mut device = device.unwrap_or_else(|| DeviceRecord {
        device_url: dev.device_url.clone(),
        device_key: None,
        public_keys_object: None,
        account_urls: BTreeSet::new(),
    });
    if device.device_key.is_none() {
        device.device_key = Some(dev.device_key.dangerous_clone());
    }
    if device.public_keys_object.is_none() {
        device.public_keys_object = Some(dev.public_keys_object.clone());
    }
    device.account_urls.insert(account_url.to_owned());
    let mut account = account.unwrap_or_else(|| AccountRecord {
        account_url: account_url.to_owned(),
        account_key: None,
        public_keys_object: None,
        device_urls: BTreeSet::new(),
        identity_urls: BTreeSet::new(),
    });
    if let AccountRegistration::New {
        account_key,
        public_keys_object,
        ..
    } = &registration.account
    {
        if account.account_key.is_none() {
            account.account_key = Some(account_key.dangerous_clone());
        }
        if account.public_keys_object.is_none() {
            account.public_keys_object = Some(public_keys_object.clone());
        }
    }
    account.device_urls.insert(dev.device_url.clone());
    (device, account)
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user record, as the management server would ([MS-GRVSPMR]).
    pub fn add_user(&mut self, pre_auth_token: &str, account_url: &str) {
        self.users.insert(
            pre_auth_token.to_owned(),
            UserRecord {
                pre_auth_token: pre_auth_token.to_owned(),
                account_url: account_url.to_owned(),
            },
        );
    }

    /// Inserts or replaces a device record directly (tests, migrations).
    pub fn put_device(&mut self, record: DeviceRecord) {
        self.devices.insert(record.device_url.clone(), record);
    }

    /// Inserts or replaces an account record directly (tests, migrations).
    pub fn put_account(&mut self, record: AccountRecord) {
        self.accounts.insert(record.account_url.clone(), record);
    }
}

impl RelayStore for MemoryStore {
    type Error = Infallible;

    fn device(&self, device_url: &str) -> Result<Option<DeviceRecord>, Infallible> {
        Ok(self.devices.get(device_url).map(copy_device))
    }

    fn account(&self, account_url: &str) -> Result<Option<AccountRecord>, Infallible> {
        Ok(self.accounts.get(account_url).map(copy_account))
    }

    fn user(&self, pre_auth_token: &str) -> Result<Option<UserRecord>, Infallible> {
        Ok(self.users.get(pre_auth_token).cloned())
    }

    fn identity(&self, identity_url: &str) -> Result<Option<IdentityRecord>, Infallible> {
        Ok(self.identities.get(identity_url).cloned())
    }

    fn commit_registration(&mut self, reg: &Registration) -> Result<CommitOutcome, Infallible> {
        let device_url = &reg.device.device_url;
        let account_url = reg.account.account_url();
        // Check everything first; write only when all checks pass.
        if !registration_is_consistent(
            self.devices.get(device_url),
            self.accounts.get(account_url),
            reg,
        ) {
            return Ok(CommitOutcome::Conflict);
        }
        let (device, account) = apply_registration(
            self.devices.remove(device_url),
            self.accounts.remove(account_url),
            reg,
        );
        self.devices.insert(device_url.clone(), device);
        self.accounts.insert(account_url.to_owned(), account);
        Ok(CommitOutcome::Committed)
    }

    fn update_identities(
        &mut self,
        account_url: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<(), Infallible> {
        let Some(account) = self.accounts.get_mut(account_url) else {
            return Ok(());
        };
        for url in add {
            account.identity_urls.insert(url.clone());
            self.identities.insert(
                url.clone(),
                IdentityRecord {
                    identity_url: url.clone(),
                    account_url: account_url.to_owned(),
                },
            );
        }
        for url in remove {
            account.identity_urls.remove(url);
            if self
                .identities
                .get(url)
                .is_some_and(|r| r.account_url == account_url)
            {
                self.identities.remove(url);
            }
        }
        Ok(())
    }
}
