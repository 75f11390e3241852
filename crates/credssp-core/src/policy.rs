//! The client's delegation policy ([MS-CSSP] 3.1.1): credentials go only to
//! targets whose SPN is on an allow-list, checked before they are sealed.
//!
//! Patterns are `SERVICE/host`, compared case-insensitively (ASCII). The host
//! part may be `*` (any host of that service) or start with `*.` (any host
//! strictly below that domain: `TERMSRV/*.example.com` matches
//! `TERMSRV/rdp.example.com` and `TERMSRV/a.b.example.com`, not
//! `TERMSRV/example.com`). A `:port` suffix on the target is ignored.

/// An allow-list of target SPN patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpnAllowList {
    patterns: Vec<String>,
}

impl SpnAllowList {
    /// An empty list: nothing may be delegated to.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pattern (`TERMSRV/host`, `TERMSRV/*.example.com`, `TERMSRV/*`).
    pub fn allow(mut self, pattern: &str) -> Self {
        self.patterns.push(pattern.to_ascii_lowercase());
        self
    }

    /// The patterns, lower-cased.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `target` (e.g. `TERMSRV/rdp.example.com`) is allowed.
    pub fn allows(&self, target: &str) -> bool {
        let target = target.to_ascii_lowercase();
        let Some((service, host)) = target.split_once('/') else {
            return false;
        };
        let host = host.split_once(':').map_or(host, |(h, _)| h);
        if service.is_empty() || host.is_empty() {
            return false;
        }
        self.patterns.iter().any(|p| {
            let Some((p_service, p_host)) = p.split_once('/') else {
                return false;
            };
            if p_service != service {
                return false;
            }
            if p_host == "*" {
                return true;
            }
            match p_host.strip_prefix("*.") {
                Some(suffix) => host
                    .strip_suffix(suffix)
                    .and_then(|rest| rest.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty()),
                None => p_host == host,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_wildcard_and_case() {
        let list = SpnAllowList::new()
            .allow("TERMSRV/rdp1")
            .allow("TERMSRV/*.Example.com");
        assert!(list.allows("termsrv/RDP1"));
        assert!(list.allows("TERMSRV/a.example.com"));
        assert!(list.allows("TERMSRV/a.b.example.com:3389"));
        assert!(!list.allows("TERMSRV/example.com"));
        assert!(!list.allows("TERMSRV/evilexample.com"));
        assert!(!list.allows("HTTP/a.example.com"));
        assert!(!list.allows("TERMSRV/rdp2"));
        assert!(!list.allows("TERMSRV"));
        assert!(!list.allows("TERMSRV/"));
        assert!(!SpnAllowList::new().allows("TERMSRV/rdp1"));
        assert!(SpnAllowList::new().allow("TERMSRV/*").allows("TERMSRV/x"));
    }
}
