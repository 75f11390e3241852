//! [MS-NLMP] 2.2.2.1 AV_PAIR lists: the CHALLENGE's TargetInfo and the pairs
//! a client echoes (and extends) inside its NTLMv2 response.

use core::fmt;

use crate::error::{Error, ErrorKind, Message, Result};
use crate::wire::{decode_utf16le, u16_at};

/// [MS-NLMP] 2.2.2.1 AvId values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AvId {
    /// MsvAvEOL (0x0000): end of the list.
    Eol,
    /// MsvAvNbComputerName (0x0001).
    NbComputerName,
    /// MsvAvNbDomainName (0x0002).
    NbDomainName,
    /// MsvAvDnsComputerName (0x0003).
    DnsComputerName,
    /// MsvAvDnsDomainName (0x0004).
    DnsDomainName,
    /// MsvAvDnsTreeName (0x0005).
    DnsTreeName,
    /// MsvAvFlags (0x0006).
    Flags,
    /// MsvAvTimestamp (0x0007).
    Timestamp,
    /// MsvAvSingleHost (0x0008).
    SingleHost,
    /// MsvAvTargetName (0x0009).
    TargetName,
    /// MsvAvChannelBindings (0x000A).
    ChannelBindings,
    /// Any other value (kept verbatim).
    Other(u16),
}

impl AvId {
    /// The wire value.
    pub fn to_u16(self) -> u16 {
        match self {
            Self::Eol => 0,
            Self::NbComputerName => 1,
            Self::NbDomainName => 2,
            Self::DnsComputerName => 3,
            Self::DnsDomainName => 4,
            Self::DnsTreeName => 5,
            Self::Flags => 6,
            Self::Timestamp => 7,
            Self::SingleHost => 8,
            Self::TargetName => 9,
            Self::ChannelBindings => 10,
            Self::Other(v) => v,
        }
    }

    /// From the wire value.
    pub fn from_u16(v: u16) -> Self {
        match v {
            0 => Self::Eol,
            1 => Self::NbComputerName,
            2 => Self::NbDomainName,
            3 => Self::DnsComputerName,
            4 => Self::DnsDomainName,
            5 => Self::DnsTreeName,
            6 => Self::Flags,
            7 => Self::Timestamp,
            8 => Self::SingleHost,
            9 => Self::TargetName,
            10 => Self::ChannelBindings,
            other => Self::Other(other),
        }
    }
}

/// [MS-NLMP] 2.2.2.1 MsvAvFlags value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AvFlags(u32);

impl AvFlags {
    /// 0x1: the client's account authentication is constrained.
    pub const CONSTRAINED: Self = Self(0x1);
    /// 0x2: the client provides a MIC in the AUTHENTICATE message.
    pub const MIC_PROVIDED: Self = Self(0x2);
    /// 0x4: the client's MsvAvTargetName comes from an untrusted source.
    pub const UNTRUSTED_SPN_SOURCE: Self = Self(0x4);

    /// From the raw value (unknown bits kept).
    pub const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }

    /// The raw value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether all bits of `other` are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// `self | other`.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl fmt::Debug for AvFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AvFlags({:#x})", self.0)
    }
}

/// A Windows FILETIME: 100-nanosecond intervals since 1601-01-01 UTC
/// ([MS-NLMP] 2.2.2.1 MsvAvTimestamp, 2.2.2.7 TimeStamp).
///
/// This crate never reads a clock; callers pass the current time in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileTime(pub u64);

impl FileTime {
    /// 100-ns intervals between 1601-01-01 and 1970-01-01.
    const UNIX_EPOCH: u64 = 116_444_736_000_000_000;

    /// Converts a Unix time (seconds + sub-second nanoseconds since
    /// 1970-01-01 UTC), e.g. from `SystemTime::duration_since(UNIX_EPOCH)`.
    /// Saturates instead of overflowing.
    pub fn from_unix(secs: u64, nanos: u32) -> Self {
        Self(
            secs.saturating_mul(10_000_000)
                .saturating_add(u64::from(nanos / 100))
                .saturating_add(Self::UNIX_EPOCH),
        )
    }
}

/// One [MS-NLMP] 2.2.2.1 AV_PAIR, borrowed from the message.
///
/// Name values are the raw UTF-16LE bytes (decode with [`AvPair::text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AvPair<'a> {
    /// MsvAvNbComputerName: the server's NetBIOS computer name.
    NbComputerName(&'a [u8]),
    /// MsvAvNbDomainName: the server's NetBIOS domain name.
    NbDomainName(&'a [u8]),
    /// MsvAvDnsComputerName: the server's FQDN.
    DnsComputerName(&'a [u8]),
    /// MsvAvDnsDomainName: the server's DNS domain.
    DnsDomainName(&'a [u8]),
    /// MsvAvDnsTreeName: the forest's DNS name.
    DnsTreeName(&'a [u8]),
    /// MsvAvFlags.
    Flags(AvFlags),
    /// MsvAvTimestamp.
    Timestamp(FileTime),
    /// MsvAvSingleHost: a Single_Host_Data structure (2.2.2.2), kept raw.
    SingleHost(&'a [u8]),
    /// MsvAvTargetName: the SPN of the target server (UTF-16LE).
    TargetName(&'a [u8]),
    /// MsvAvChannelBindings: MD5 of a gss_channel_bindings_struct.
    ChannelBindings([u8; 16]),
    /// An AvId this crate does not interpret.
    Other {
        /// The AvId.
        id: u16,
        /// The value bytes.
        value: &'a [u8],
    },
}

impl<'a> AvPair<'a> {
    /// The AvId of this pair.
    pub fn id(&self) -> AvId {
        match self {
            Self::NbComputerName(_) => AvId::NbComputerName,
            Self::NbDomainName(_) => AvId::NbDomainName,
            Self::DnsComputerName(_) => AvId::DnsComputerName,
            Self::DnsDomainName(_) => AvId::DnsDomainName,
            Self::DnsTreeName(_) => AvId::DnsTreeName,
            Self::Flags(_) => AvId::Flags,
            Self::Timestamp(_) => AvId::Timestamp,
            Self::SingleHost(_) => AvId::SingleHost,
            Self::TargetName(_) => AvId::TargetName,
            Self::ChannelBindings(_) => AvId::ChannelBindings,
            Self::Other { id, .. } => AvId::from_u16(*id),
        }
    }

    /// Decodes a name-valued pair (NbComputerName … DnsTreeName, TargetName).
    /// `None` for other pairs.
    pub fn text(&self) -> Option<Result<String>> {
        match self {
            Self::NbComputerName(v)
            | Self::NbDomainName(v)
            | Self::DnsComputerName(v)
            | Self::DnsDomainName(v)
            | Self::DnsTreeName(v)
            | Self::TargetName(v) => Some(decode_utf16le(v)),
            _ => None,
        }
    }

    fn decode(id: u16, value: &'a [u8]) -> Option<Self> {
        Some(match AvId::from_u16(id) {
            AvId::NbComputerName => Self::NbComputerName(value),
            AvId::NbDomainName => Self::NbDomainName(value),
            AvId::DnsComputerName => Self::DnsComputerName(value),
            AvId::DnsDomainName => Self::DnsDomainName(value),
            AvId::DnsTreeName => Self::DnsTreeName(value),
            AvId::Flags => Self::Flags(AvFlags(u32::from_le_bytes(value.try_into().ok()?))),
            AvId::Timestamp => {
                Self::Timestamp(FileTime(u64::from_le_bytes(value.try_into().ok()?)))
            }
            AvId::SingleHost => Self::SingleHost(value),
            AvId::TargetName => Self::TargetName(value),
            AvId::ChannelBindings => Self::ChannelBindings(value.try_into().ok()?),
            // EOL never reaches here: the walker stops at it.
            AvId::Eol | AvId::Other(_) => Self::Other { id, value },
        })
    }

    fn value_bytes(&self) -> ValueBytes<'a> {
        match *self {
            Self::NbComputerName(v)
            | Self::NbDomainName(v)
            | Self::DnsComputerName(v)
            | Self::DnsDomainName(v)
            | Self::DnsTreeName(v)
            | Self::SingleHost(v)
            | Self::TargetName(v)
            | Self::Other { value: v, .. } => ValueBytes::Borrowed(v),
            Self::Flags(f) => ValueBytes::Four(f.0.to_le_bytes()),
            Self::Timestamp(t) => ValueBytes::Eight(t.0.to_le_bytes()),
            Self::ChannelBindings(h) => ValueBytes::Sixteen(h),
        }
    }
}

enum ValueBytes<'a> {
    Borrowed(&'a [u8]),
    Four([u8; 4]),
    Eight([u8; 8]),
    Sixteen([u8; 16]),
}

impl ValueBytes<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Self::Borrowed(v) => v,
            Self::Four(v) => v,
            Self::Eight(v) => v,
            Self::Sixteen(v) => v,
        }
    }
}

/// A validated [MS-NLMP] 2.2.2.1 AV_PAIR list, borrowed.
///
/// Validation guarantees that the pairs up to MsvAvEOL are well formed
/// (fixed-size values have their fixed size). Bytes after MsvAvEOL — FreeRDP
/// pads its NTLMv2 blob with zeros there — are allowed and kept in
/// [`AvPairs::as_bytes`]. An empty list (no bytes at all) is valid.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AvPairs<'a> {
    raw: &'a [u8],
    /// Length of the pairs before MsvAvEOL.
    pairs_len: usize,
}

impl<'a> AvPairs<'a> {
    /// Validates `raw` as an AV_PAIR list.
    pub fn parse(raw: &'a [u8]) -> Result<Self> {
        let err = |kind, field, at| Error::new(kind, Message::AvPairs, field, "2.2.2.1").at(at);
        let mut pos = 0usize;
        if raw.is_empty() {
            return Ok(Self { raw, pairs_len: 0 });
        }
        loop {
            let (Some(id), Some(len)) = (u16_at(raw, pos), u16_at(raw, pos.saturating_add(2)))
            else {
                return Err(err(ErrorKind::InvalidAvPair, "MsvAvEOL", pos));
            };
            let value_at = pos.saturating_add(4);
            let end = value_at.saturating_add(usize::from(len));
            let Some(value) = raw.get(value_at..end) else {
                return Err(err(
                    ErrorKind::InvalidAvPair,
                    "AvLen",
                    pos.saturating_add(2),
                ));
            };
            if id == 0 {
                if len != 0 {
                    return Err(err(ErrorKind::InvalidAvPair, "MsvAvEOL", pos));
                }
                return Ok(Self {
                    raw,
                    pairs_len: pos,
                });
            }
            if AvPair::decode(id, value).is_none() {
                return Err(err(
                    ErrorKind::InvalidAvPair,
                    "AvLen",
                    pos.saturating_add(2),
                ));
            }
            pos = end;
        }
    }

    /// The pairs before MsvAvEOL.
    pub fn iter(&self) -> AvPairIter<'a> {
        AvPairIter {
            rest: self.raw.get(..self.pairs_len).unwrap_or_default(),
        }
    }

    /// The list exactly as received (MsvAvEOL and any trailing bytes included).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// The first pair with this id.
    pub fn get(&self, id: AvId) -> Option<AvPair<'a>> {
        self.iter().find(|p| p.id() == id)
    }

    /// MsvAvTimestamp, if present.
    pub fn timestamp(&self) -> Option<FileTime> {
        match self.get(AvId::Timestamp) {
            Some(AvPair::Timestamp(t)) => Some(t),
            _ => None,
        }
    }

    /// MsvAvFlags, if present.
    pub fn flags(&self) -> Option<AvFlags> {
        match self.get(AvId::Flags) {
            Some(AvPair::Flags(f)) => Some(f),
            _ => None,
        }
    }

    /// MsvAvChannelBindings, if present.
    pub fn channel_bindings(&self) -> Option<[u8; 16]> {
        match self.get(AvId::ChannelBindings) {
            Some(AvPair::ChannelBindings(h)) => Some(h),
            _ => None,
        }
    }

    /// Whether the list has no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs_len == 0
    }
}

impl fmt::Debug for AvPairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over a validated list (see [`AvPairs::iter`]).
#[derive(Clone, Debug)]
pub struct AvPairIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for AvPairIter<'a> {
    type Item = AvPair<'a>;

    fn next(&mut self) -> Option<AvPair<'a>> {
        let id = u16_at(self.rest, 0)?;
        let len = usize::from(u16_at(self.rest, 2)?);
        let end = len.checked_add(4)?;
        let value = self.rest.get(4..end)?;
        self.rest = self.rest.get(end..)?;
        AvPair::decode(id, value)
    }
}

/// Encodes `pairs` followed by MsvAvEOL ([MS-NLMP] 2.2.2.1).
///
/// Fails with [`ErrorKind::InvalidInput`] when a value exceeds 65535 bytes.
pub fn encode_av_pairs(pairs: &[AvPair<'_>]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for pair in pairs {
        let value = pair.value_bytes();
        let value = value.as_slice();
        let len = u16::try_from(value.len())
            .map_err(|_| Error::api(ErrorKind::InvalidInput, "AvLen", "2.2.2.1"))?;
        out.extend_from_slice(&pair.id().to_u16().to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(value);
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::encode_utf16le;

    #[test]
    fn round_trip_and_lookup() {
        let name = encode_utf16le("Server");
        let pairs = [
            AvPair::NbComputerName(&name),
            AvPair::Flags(AvFlags::MIC_PROVIDED),
            AvPair::Timestamp(FileTime(0x01dd_7be2_acf4_fe04)),
            AvPair::ChannelBindings([7; 16]),
            AvPair::Other {
                id: 0x77,
                value: b"xy",
            },
        ];
        let enc = encode_av_pairs(&pairs).unwrap();
        let parsed = AvPairs::parse(&enc).unwrap();
        assert_eq!(parsed.iter().collect::<Vec<_>>(), pairs);
        assert_eq!(parsed.timestamp(), Some(FileTime(0x01dd_7be2_acf4_fe04)));
        assert_eq!(parsed.flags(), Some(AvFlags::MIC_PROVIDED));
        assert_eq!(parsed.channel_bindings(), Some([7; 16]));
        assert_eq!(
            parsed
                .get(AvId::NbComputerName)
                .and_then(|p| p.text())
                .unwrap()
                .unwrap(),
            "Server"
        );
    }

    #[test]
    fn trailing_bytes_after_eol_are_kept() {
        // FreeRDP-style padding after MsvAvEOL.
        let mut enc = encode_av_pairs(&[AvPair::Flags(AvFlags::MIC_PROVIDED)]).unwrap();
        enc.extend_from_slice(&[0; 8]);
        let parsed = AvPairs::parse(&enc).unwrap();
        assert_eq!(parsed.iter().count(), 1);
        assert_eq!(parsed.as_bytes().len(), 8 + 8 + 4);
    }

    #[test]
    fn malformed_lists_are_rejected_with_offsets() {
        // No EOL.
        let e = AvPairs::parse(&[1, 0, 2, 0, b'a', 0]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidAvPair, Some(6)));
        // Length past the end.
        let e = AvPairs::parse(&[1, 0, 9, 0, b'a', 0]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidAvPair, Some(2)));
        // MsvAvFlags must be 4 bytes.
        let e = AvPairs::parse(&[6, 0, 2, 0, 1, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidAvPair, Some(2)));
        // EOL with a non-zero length.
        let e = AvPairs::parse(&[0, 0, 1, 0, 0]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidAvPair);
        // Half a header.
        assert!(AvPairs::parse(&[0, 0]).is_err());
        assert!(AvPairs::parse(&[]).unwrap().is_empty());
    }

    #[test]
    fn filetime_from_unix() {
        assert_eq!(FileTime::from_unix(0, 0), FileTime(116_444_736_000_000_000));
        assert_eq!(
            FileTime::from_unix(1, 250),
            FileTime(116_444_736_010_000_002)
        );
        assert_eq!(FileTime::from_unix(u64::MAX, 0), FileTime(u64::MAX));
    }
}
