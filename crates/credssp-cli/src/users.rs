//! The server's users file: `DOMAIN:USER:PASSWORD` or `DOMAIN:USER::NTHASH`
//! per line (`#` comments and blank lines ignored).

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use ntlm::{InMemoryCredentialStore, NtHash, Password};

/// The loaded store and the first user's domain (announced by the server).
#[derive(Debug)]
pub struct Users {
    pub store: InMemoryCredentialStore,
    pub first_domain: String,
}

pub fn parse_nt_hash(text: &str) -> Result<NtHash> {
    let bytes = hex::decode(text.trim()).map_err(|e| anyhow!("NT hash is not hex: {e}"))?;
    let hash: [u8; 16] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| anyhow!("NT hash has {} bytes, not 16", bytes.len()))?;
    Ok(NtHash::from_bytes(hash))
}

pub fn parse(text: &str) -> Result<Users> {
    let mut store = InMemoryCredentialStore::new();
    let mut first_domain = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ':');
        let (Some(domain), Some(user), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!(
                "users file line {}: want DOMAIN:USER:PASSWORD or DOMAIN:USER::NTHASH",
                i + 1
            );
        };
        if user.is_empty() {
            bail!("users file line {}: empty user name", i + 1);
        }
        match rest.strip_prefix(':') {
            Some(hash) => store.insert_nt_hash(
                domain,
                user,
                parse_nt_hash(hash).with_context(|| format!("users file line {}", i + 1))?,
            ),
            None => store.insert_password(domain, user, &Password::new(rest)),
        }
        first_domain.get_or_insert_with(|| domain.to_owned());
    }
    let Some(first_domain) = first_domain else {
        bail!("users file has no users");
    };
    Ok(Users {
        store,
        first_domain,
    })
}

pub fn load(path: &Path) -> Result<Users> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("users file {}", path.display()))?;
    parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_passwords_and_hashes() {
        let u = parse(
            "# comment\nTESTDOM:alice:Passw0rd!\n\nTESTDOM:bob::fc525c9683e8fe067095ba2ddc971889\nX:c:a:b:c\n",
        )
        .unwrap();
        assert_eq!(u.first_domain, "TESTDOM");
        assert!(format!("{:?}", u.store).find("Passw0rd").is_none());
        assert!(parse("TESTDOM:bob::zz").is_err());
        assert!(parse("justone").is_err());
        assert!(parse("D::pw").is_err());
        assert!(parse("").is_err());
    }
}
