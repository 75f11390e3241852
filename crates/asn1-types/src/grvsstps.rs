//! [MS-GRVSSTPS] 3.1.1.1 relay certificate ASN.1: the ElGamal encryption
//! public key in its two forms and the three Groove extension OIDs.

use der::asn1::{ObjectIdentifier, Uint};
use der::{Decode, DecodeValue, Encode, EncodeValue, Header, Length, Reader, Sequence, Writer};

use crate::Error;

const SECTION: &str = "[MS-GRVSSTPS] 3.1.1.1";

/// OID of the relay certificate's encryption key extension (the DER
/// `DHPublicKeyForElgamalEncryption`).
pub const OID_ENCRYPTION_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.114227.1.1.1");
/// OID of the encryption key algorithm name extension (`"DH"`).
pub const OID_ENCRYPTION_KEY_ALGORITHM: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.114227.1.1.2");
/// OID of the encryption algorithm name extension (`"ELGAMAL"`).
pub const OID_ENCRYPTION_ALGORITHM: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.114227.1.1.3");

/// Bit size of the Groove 2007 canned prime (product note <2>).
pub const GROOVE2007_PRIME_BITS: u32 = 1536;
/// Generator of the Groove 2007 group (product note <2>).
pub const GROOVE2007_GENERATOR: u8 = 3;
/// `p = 2^1536 - GROOVE2007_PRIME_OFFSET` (product note <2>).
pub const GROOVE2007_PRIME_OFFSET: u32 = 0x16_F055;

/// The Groove 2007 prime `2^1536 - 0x16F055`, big-endian, 192 bytes.
pub fn groove2007_prime() -> [u8; 192] {
    let mut p = [0xFFu8; 192];
    // 2^1536 - c = (2^1536 - 1) - (c - 1): subtract c-1 from all-ones, which
    // never borrows, so it is a byte-wise subtraction of the low three bytes.
    let c_minus_1 = (GROOVE2007_PRIME_OFFSET - 1).to_be_bytes(); // [0x00, 0x16, 0xF0, 0x54]
    for (dst, sub) in p.iter_mut().rev().zip(c_minus_1.iter().rev()) {
        *dst -= *sub;
    }
    p
}

/// [MS-GRVSSTPS] 3.1.1.1 `DHPublicKeyForElgamalEncryption` (the SharePoint
/// Workspace 2010 / Groove Server 2010 form).
///
/// ```text
/// DHPublicKeyForElgamalEncryption ::= SEQUENCE {
///     p INTEGER,           -- prime
///     q INTEGER OPTIONAL,  -- factor of p-1, only when p = j*q+1 with j != 2
///     g INTEGER,           -- generator
///     y INTEGER }          -- public key g^x mod p
/// ```
///
/// `q` is an untagged OPTIONAL INTEGER between two INTEGERs, so the derive
/// cannot place it; the element count decides (3: no `q`, 4: `q` present).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct DhPublicKeyForElgamalEncryption {
    /// The prime modulus.
    pub p: Uint,
    /// The subgroup order, when `p = j*q + 1` with `j != 2`.
    pub q: Option<Uint>,
    /// The generator.
    pub g: Uint,
    /// The public key `g^x mod p`.
    pub y: Uint,
}

impl<'a> DecodeValue<'a> for DhPublicKeyForElgamalEncryption {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let first = Uint::decode(reader)?;
        let second = Uint::decode(reader)?;
        let third = Uint::decode(reader)?;
        if reader.is_finished() {
            Ok(Self {
                p: first,
                q: None,
                g: second,
                y: third,
            })
        } else {
            let fourth = Uint::decode(reader)?;
            Ok(Self {
                p: first,
                q: Some(second),
                g: third,
                y: fourth,
            })
        }
    }
}

impl EncodeValue for DhPublicKeyForElgamalEncryption {
    fn value_len(&self) -> der::Result<Length> {
        let len = (self.p.encoded_len()? + self.g.encoded_len()?)?;
        let len = (len + self.y.encoded_len()?)?;
        match &self.q {
            Some(q) => len + q.encoded_len()?,
            None => Ok(len),
        }
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.p.encode(writer)?;
        if let Some(q) = &self.q {
            q.encode(writer)?;
        }
        self.g.encode(writer)?;
        self.y.encode(writer)
    }
}

impl Sequence<'_> for DhPublicKeyForElgamalEncryption {}

/// [MS-GRVSSTPS] product note <2>: the Office Groove 2007 form of the key,
/// with the group implied by `size` (always 1536: `p = 2^1536 - 0x16F055`,
/// `g = 3`).
///
/// ```text
/// DHPublicKeyForElgamalEncryption ::= SEQUENCE {
///     size INTEGER,  -- canned prime size, is 1536
///     y INTEGER }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Groove2007DhPublicKey {
    /// The canned prime size in bits; 1536 is the only defined value.
    pub size: u32,
    /// The public key `3^x mod p`.
    pub y: Uint,
}

/// Either form of the relay's (or a client's) ElGamal public key.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum ElgamalPublicKey {
    /// The 2010 form with explicit group parameters.
    Standard(DhPublicKeyForElgamalEncryption),
    /// The Groove 2007 form (product note <2>).
    Groove2007(Groove2007DhPublicKey),
}

impl ElgamalPublicKey {
    /// Decodes either form from strict DER. The forms are told apart by
    /// their element count (2 for Groove 2007, 3 or 4 otherwise).
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        match DhPublicKeyForElgamalEncryption::from_der(bytes) {
            Ok(k) => Ok(Self::Standard(k)),
            Err(std_err) => match Groove2007DhPublicKey::from_der(bytes) {
                Ok(k) if k.size == GROOVE2007_PRIME_BITS => Ok(Self::Groove2007(k)),
                Ok(_) => Err(Error::invalid(
                    "DHPublicKeyForElgamalEncryption",
                    "size",
                    "[MS-GRVSSTPS] 3.1.1.1 <2>",
                    "canned prime size is not 1536",
                )),
                Err(_) => Err(Error::der(
                    std_err,
                    "DHPublicKeyForElgamalEncryption",
                    SECTION,
                )),
            },
        }
    }

    /// Encodes to DER.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let r = match self {
            Self::Standard(k) => k.to_der(),
            Self::Groove2007(k) => k.to_der(),
        };
        r.map_err(|e| Error::encode(e, "DHPublicKeyForElgamalEncryption", SECTION))
    }

    /// The group's `(p, g)` as big-endian unsigned bytes (no leading zeros).
    pub fn group(&self) -> (Vec<u8>, Vec<u8>) {
        match self {
            Self::Standard(k) => (k.p.as_bytes().to_vec(), k.g.as_bytes().to_vec()),
            Self::Groove2007(_) => (groove2007_prime().to_vec(), vec![GROOVE2007_GENERATOR]),
        }
    }

    /// The public value `y` as big-endian unsigned bytes (no leading zeros).
    pub fn y(&self) -> &[u8] {
        match self {
            Self::Standard(k) => k.y.as_bytes(),
            Self::Groove2007(k) => k.y.as_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groove_prime_matches_note_2() {
        let p = groove2007_prime();
        assert_eq!(&p[..3], &[0xFF, 0xFF, 0xFF]);
        // ...fffe90fab as quoted by the Crypto++ oracle notes
        assert_eq!(&p[188..], &[0xFF, 0xE9, 0x0F, 0xAB]);
    }

    #[test]
    fn both_forms_round_trip() {
        let y = Uint::new(&[0x01, 0x02, 0x03]).unwrap();
        let g7 = ElgamalPublicKey::Groove2007(Groove2007DhPublicKey {
            size: 1536,
            y: y.clone(),
        });
        let der = g7.to_der().unwrap();
        assert_eq!(ElgamalPublicKey::from_der(&der).unwrap(), g7);
        let std = ElgamalPublicKey::Standard(DhPublicKeyForElgamalEncryption {
            p: Uint::new(&[0x17]).unwrap(),
            q: None,
            g: Uint::new(&[0x05]).unwrap(),
            y: y.clone(),
        });
        let der = std.to_der().unwrap();
        assert_eq!(
            hex::encode(&der),
            "300b020117020105020301 0203".replace(' ', "")
        );
        assert_eq!(ElgamalPublicKey::from_der(&der).unwrap(), std);
        assert_eq!(std.group(), (vec![0x17], vec![0x05]));
        let with_q = ElgamalPublicKey::Standard(DhPublicKeyForElgamalEncryption {
            p: Uint::new(&[0x17]).unwrap(),
            q: Some(Uint::new(&[0x0B]).unwrap()),
            g: Uint::new(&[0x05]).unwrap(),
            y,
        });
        let der = with_q.to_der().unwrap();
        assert_eq!(ElgamalPublicKey::from_der(&der).unwrap(), with_q);
    }

    #[test]
    fn strict_der_is_enforced() {
        // SEQUENCE { 0x17, 0x05, 0x010203 } is the valid baseline.
        let ok = hex::decode("300b020117020105020301 0203".replace(' ', "")).unwrap();
        assert!(ElgamalPublicKey::from_der(&ok).is_ok());
        for (what, bad) in [
            ("non-minimal outer length", "30810b020117020105020301 0203"),
            ("indefinite length", "3080020117020105020301020300 00"),
            ("trailing bytes", "300b020117020105020301020300"),
            ("non-minimal INTEGER", "300c02020017020105020301 0203"),
            ("negative INTEGER", "300b0201f7020105020301 0203"),
            ("five INTEGERs", "3011020117020105020105020105020301 0203"),
            ("one INTEGER", "3003020117"),
            ("wrong outer tag", "310b020117020105020301 0203"),
            ("OCTET STRING for g", "300b020117040105020301 0203"),
        ] {
            let bytes = hex::decode(bad.replace(' ', "")).unwrap();
            let err = ElgamalPublicKey::from_der(&bytes).unwrap_err();
            assert_eq!(err.structure, "DHPublicKeyForElgamalEncryption", "{what}");
            assert!(err.section.starts_with("[MS-GRVSSTPS] 3.1.1.1"), "{what}");
            assert!(err.is_peer_error(), "{what}");
        }
    }

    #[test]
    fn groove_size_other_than_1536_rejected() {
        let k = Groove2007DhPublicKey {
            size: 1024,
            y: Uint::new(&[1]).unwrap(),
        };
        let der = k.to_der().unwrap();
        let err = ElgamalPublicKey::from_der(&der).unwrap_err();
        assert_eq!(err.field, Some("size"));
    }
}
