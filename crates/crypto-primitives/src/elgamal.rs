//! [MS-GRVSSTPS] 3.1.1.3 ElGamal encryption with Crypto++ padding
//! (Crypto++ `ElGamal::Encryptor`/`Decryptor`, algorithm name
//! `"ElgamalEnc/Crypto++Padding"`), byte-identical with Crypto++ 8.7.
//!
//! # Layout
//!
//! With `LenM` the modulus length in bytes and `LenP` the plaintext length
//! (at most `min(255, LenM - 3)`):
//!
//! * the block `M` is `LenM - 1` bytes: `LenM - 2 - LenP` random padding
//!   bytes, then the plaintext, then one byte holding `LenP`; it is read as a
//!   big-endian integer (so `M < 256^(LenM-1) < p`);
//! * `k` is uniform in `[1, q - 1]` with `q = (p - 1) / 2` (full-length
//!   ephemeral exponents, as Crypto++ 8.x draws them);
//! * the ciphertext is `a || b` with `a = g^k mod p` and `b = y^k * M mod p`,
//!   each exactly `LenM` bytes, big-endian, left-padded with zeros.
//!
//! Decryption applies Crypto++'s checks, in its order: the ciphertext is
//! exactly `2 * LenM` bytes; `1 < a < p`; `a` is in the order-`q` subgroup
//! (for the usual safe-prime groups: the Jacobi symbol `(a|p)` is 1, i.e. `a`
//! is a quadratic residue); `b` is reduced mod `p` without a range check;
//! `m = b * (a^x)^-1 mod p`; the low byte of `m` is `LenP` and must be at
//! most `min(255, LenM - 3)`; the plaintext is the `LenP` bytes just above
//! it. The padding bytes and any higher bytes are ignored, as in Crypto++.
//!
//! Randomness is drawn the way Crypto++ draws it — `k` first by rejection
//! sampling over whole bytes (top byte masked to the bit length of `q - 2`),
//! then the padding — so an RNG that replays Crypto++'s byte stream gives
//! Crypto++'s ciphertext (tested with the recorded AES-CTR streams).
//!
//! # Byte order of the plaintext
//!
//! The specification's decryption text ends with "4. Convert the original
//! plaintext from Big Endian to Little Endian". This module does **not**
//! reverse anything: [`PrivateKey::decrypt`] returns the plaintext bytes in
//! exactly the order Crypto++'s `Decrypt` returns them, and
//! [`PublicKey::encrypt`] takes them in the order Crypto++'s `Encrypt` takes
//! them. Whether the secret device/account key carried in
//! `EncryptedRelayDeviceKey` / `EncryptedRelayAccountKey` must be reversed
//! before or after this primitive is a protocol question, decided by the
//! protocol layer (`sstp-security-core`), not here.
//!
//! # Groups and keys
//!
//! [`Group::groove2007`] is the Office Groove 2007 group (product note <2>:
//! `p = 2^1536 - 0x16F055`, `g = 3`, a safe prime with 3 a quadratic
//! residue). [`Group::new`] takes any `(p, g)`; [`Group::generate`] makes a
//! fresh safe-prime group. Public keys convert to and from both DER forms of
//! `DHPublicKeyForElgamalEncryption` (3.1.1.1 and note <2>) through
//! `asn1_types::grvsstps::ElgamalPublicKey`. Moduli from 1024 to 4096 bits
//! are accepted.
//!
//! # Side channels
//!
//! Exponentiations with the private exponent `x` and the ephemeral `k` use
//! `crypto-bigint`'s constant-time Montgomery exponentiation, and the
//! inverse of `a^x` its constant-time inversion. Checks on public values
//! (ciphertext range, Jacobi symbol, key validation) are variable-time.
//! Distinct decryption errors are returned for distinct rules, as Crypto++
//! does; a protocol layer must not tell the peer which rule failed.
//!
//! **Weak construction.** Textbook ElGamal is malleable; the padding is not
//! authenticated (see [MS-GRVSSTPS] 5.1.3). Use it only to speak this
//! protocol.

use core::fmt;

use asn1_types::der::asn1::Uint as DerUint;
use asn1_types::grvsstps::{
    DhPublicKeyForElgamalEncryption, ElgamalPublicKey, GROOVE2007_GENERATOR, GROOVE2007_PRIME_BITS,
    Groove2007DhPublicKey, groove2007_prime,
};
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{
    BoxedUint, CtGt, CtLt, JacobiSymbol, Odd, One, U1024, U1536, U2048, U3072, U4096, Uint,
};
use crypto_primes::hazmat::{SetBits, SmallFactorsSieveFactory};
use crypto_primes::{Flavor, is_prime, sieve_and_find};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Origin};
use crate::secret::{SecretBytes, SecretUint};

const SECTION: &str = "[MS-GRVSSTPS] 3.1.1.3";
const KEY_SECTION: &str = "[MS-GRVSSTPS] 3.1.1.1";

/// Smallest accepted modulus size in bits.
pub const MIN_MODULUS_BITS: u32 = 1024;
/// Largest accepted modulus size in bits.
pub const MAX_MODULUS_BITS: u32 = 4096;
/// Crypto++ caps the plaintext at 255 bytes (it has a one-byte length).
pub const MAX_PLAINTEXT_CAP: usize = 255;
/// Attempts of the rejection sampler before it reports a broken RNG (the
/// chance that a working RNG needs more than 128 draws is below 2^-128).
const MAX_SAMPLING_ATTEMPTS: usize = 128;

/// Which DER form a public key is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyForm {
    /// `SEQUENCE { p, q OPTIONAL, g, y }` ([MS-GRVSSTPS] 3.1.1.1, the 2010
    /// products).
    Standard,
    /// `SEQUENCE { size (1536), y }` (product note <2>, Office Groove 2007);
    /// only for [`Group::groove2007`].
    Groove2007,
}

/// An ElGamal group: prime `p`, generator `g` of the order-`q` subgroup.
///
/// `q` is `(p - 1) / 2` unless the key carried an explicit `q`
/// (3.1.1.1: "only present when p = j*q+1, where j is not 2").
#[derive(Clone, PartialEq, Eq)]
pub struct Group {
    p: Odd<BoxedUint>,
    q: BoxedUint,
    g: BoxedUint,
    explicit_q: bool,
    params: BoxedMontyParams,
    modulus_bits: u32,
    len_m: usize,
}

/// An ElGamal public key `y = g^x mod p` in its group, remembering its DER
/// form.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    group: Group,
    y: BoxedUint,
    form: KeyForm,
}

/// An ElGamal private key: the public key and the secret exponent `x`.
///
/// `x` is a [`SecretUint`]: wiped on drop and redacted in `Debug` (also when
/// this key is nested in a derived `Debug`).
#[derive(Debug)]
pub struct PrivateKey {
    public: PublicKey,
    x: SecretUint,
}

// ---------------------------------------------------------------------------
// helpers

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Big-endian bytes as an integer of precision `prec`, or `None` when the
/// value does not fit.
fn uint_at(bytes: &[u8], prec: u32) -> Option<BoxedUint> {
    BoxedUint::from_be_slice(strip_leading_zeros(bytes), prec).ok()
}

/// `x` as exactly `len` big-endian bytes (the `len` low bytes, left-padded).
fn be_fixed(x: &BoxedUint, len: usize) -> Zeroizing<Vec<u8>> {
    let full = Zeroizing::new(x.to_be_bytes());
    let mut out = Zeroizing::new(vec![0u8; len]);
    for (dst, src) in out.iter_mut().rev().zip(full.iter().rev()) {
        *dst = *src;
    }
    out
}

fn small(v: u8, prec: u32) -> BoxedUint {
    BoxedUint::from_be_slice_truncated(&[v], prec)
}

/// The Jacobi symbol `(a|p)` is 1. Variable time (public inputs only);
/// `a` and `p` must fit in 4096 bits.
fn jacobi_is_one(a: &BoxedUint, p: &Odd<BoxedUint>) -> bool {
    fn at<const L: usize>(a: &BoxedUint, p: &Odd<BoxedUint>) -> bool {
        let a: Uint<L> = a.as_uint_ref().to_uint_resize();
        let p: Odd<Uint<L>> = p.as_uint_ref().to_uint_resize();
        matches!(a.jacobi_symbol_vartime(&p), JacobiSymbol::One)
    }
    let bits = p.as_ref().bits_precision().max(a.bits_precision());
    if bits <= U1024::BITS {
        at::<{ U1024::LIMBS }>(a, p)
    } else if bits <= U1536::BITS {
        at::<{ U1536::LIMBS }>(a, p)
    } else if bits <= U2048::BITS {
        at::<{ U2048::LIMBS }>(a, p)
    } else if bits <= U3072::BITS {
        at::<{ U3072::LIMBS }>(a, p)
    } else {
        at::<{ U4096::LIMBS }>(a, p)
    }
}

/// Uniform integer in `[0, max]`, drawn as Crypto++'s
/// `Integer::Randomize(rng, 0, max)` draws it: whole bytes for the bit length
/// of `max`, the top byte masked, rejected while above `max`.
fn random_up_to<R: CryptoRng + ?Sized>(
    rng: &mut R,
    max: &BoxedUint,
    prec: u32,
    operation: &'static str,
) -> Result<Zeroizing<BoxedUint>, Error> {
    let nbits = max.bit_width_vartime();
    let nbytes = usize::try_from(nbits.div_ceil(8)).unwrap_or(usize::MAX);
    let rem = nbits % 8;
    let mask: u8 = if rem == 0 { 0xFF } else { (1u8 << rem) - 1 };
    for _ in 0..MAX_SAMPLING_ATTEMPTS {
        let mut buf = Zeroizing::new(vec![0u8; nbytes]);
        rng.fill_bytes(&mut buf);
        if let Some(top) = buf.first_mut() {
            *top &= mask;
        }
        let candidate = BoxedUint::from_be_slice(&buf, prec)
            .map_err(|_| Error::internal("sample does not fit", operation, SECTION))?;
        let candidate = Zeroizing::new(candidate);
        if !candidate.ct_gt(max).to_bool() {
            return Ok(candidate);
        }
    }
    Err(Error::internal(
        "rng produced no value in range",
        operation,
        SECTION,
    ))
}

// ---------------------------------------------------------------------------
// Group

impl Group {
    /// The Office Groove 2007 group ([MS-GRVSSTPS] product note <2>):
    /// `p = 2^1536 - 0x16F055`, `g = 3`, `q = (p - 1) / 2`.
    pub fn groove2007() -> Self {
        let p = BoxedUint::from_be_slice_vartime(&groove2007_prime());
        let prec = p.bits_precision();
        // The prime ends in ...0fab, so it is odd; `Odd::new` cannot fail
        // here and the fallback is never taken (a test checks p and g).
        let p: Odd<BoxedUint> = Odd::new(p)
            .into_option()
            .unwrap_or_else(<Odd<BoxedUint> as One>::one);
        let q = p
            .as_ref()
            .wrapping_sub(small(1, prec))
            .shr_vartime(1)
            .unwrap_or_default();
        let params = BoxedMontyParams::new_vartime(p.clone());
        Self {
            p,
            q,
            g: small(GROOVE2007_GENERATOR, prec),
            explicit_q: false,
            params,
            modulus_bits: GROOVE2007_PRIME_BITS,
            len_m: 192,
        }
    }

    /// A group from big-endian `p` and `g` with `q = (p - 1) / 2` (a
    /// safe-prime group, as Crypto++ `ElGamal` keys always are).
    ///
    /// Checks cheap rules only: `p` odd with 1024 to 4096 bits, `(p - 1) / 2`
    /// odd, `1 < g < p - 1`, and `g` a quadratic residue mod `p` (so it lies
    /// in the order-`q` subgroup). Primality is checked by
    /// [`Group::validate`], which is much slower.
    ///
    /// # Errors
    /// A rule is broken ([`Origin::Caller`]).
    pub fn new(p: &[u8], g: &[u8]) -> Result<Self, Error> {
        Self::build(p, g, None, Origin::Caller, "elgamal group")
    }

    /// A group with an explicit subgroup order `q` dividing `p - 1`.
    ///
    /// # Errors
    /// A rule is broken ([`Origin::Caller`]).
    pub fn with_subgroup_order(p: &[u8], q: &[u8], g: &[u8]) -> Result<Self, Error> {
        Self::build(p, g, Some(q), Origin::Caller, "elgamal group")
    }

    fn build(
        p: &[u8],
        g: &[u8],
        q: Option<&[u8]>,
        origin: Origin,
        operation: &'static str,
    ) -> Result<Self, Error> {
        let bad = |why: &'static str, field: &'static str| {
            let kind = if origin == Origin::Peer {
                ErrorKind::InvalidPublicKey(why)
            } else {
                ErrorKind::InvalidArgument(why)
            };
            Error::new(kind, origin, operation, KEY_SECTION).field(field)
        };
        let p_bytes = strip_leading_zeros(p);
        let p_int = BoxedUint::from_be_slice_vartime(p_bytes);
        let modulus_bits = p_int.bit_width_vartime();
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&modulus_bits) {
            let as_usize = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
            return Err(Error::new(
                ErrorKind::LengthOutOfRange {
                    min: as_usize(MIN_MODULUS_BITS),
                    max: as_usize(MAX_MODULUS_BITS),
                    actual: as_usize(modulus_bits),
                },
                origin,
                operation,
                KEY_SECTION,
            )
            .field("p"));
        }
        let prec = p_int.bits_precision();
        let p: Odd<BoxedUint> =
            Option::from(Odd::new(p_int)).ok_or_else(|| bad("p is even", "p"))?;
        let one = small(1, prec);
        let p_minus_1 = p.as_ref().wrapping_sub(&one);

        let (q, explicit_q) = match q {
            None => {
                let q = p_minus_1
                    .shr_vartime(1)
                    .ok_or_else(|| bad("p - 1 cannot be halved", "p"))?;
                if !q.bit_vartime(0) {
                    return Err(bad("(p - 1) / 2 is even, so p is not a safe prime", "p"));
                }
                (q, false)
            }
            Some(q) => {
                let q = uint_at(q, prec).ok_or_else(|| bad("q is not below p", "q"))?;
                if !q.bit_vartime(0) || q <= one || q >= *p.as_ref() {
                    return Err(bad("q is not an odd integer in (1, p)", "q"));
                }
                let q_nz = q.as_nz_vartime().ok_or_else(|| bad("q is zero", "q"))?;
                if !bool::from(p_minus_1.rem_vartime(q_nz).is_zero()) {
                    return Err(bad("q does not divide p - 1", "q"));
                }
                (q, true)
            }
        };

        let g = uint_at(g, prec).ok_or_else(|| bad("g is not below p", "g"))?;
        if g <= one || g >= p_minus_1 {
            return Err(bad("g is not in (1, p - 1)", "g"));
        }
        let params = BoxedMontyParams::new_vartime(p.clone());
        let group = Self {
            len_m: usize::try_from(modulus_bits.div_ceil(8)).unwrap_or(usize::MAX),
            p,
            q,
            g,
            explicit_q,
            params,
            modulus_bits,
        };
        if !group.explicit_q && !jacobi_is_one(&group.g, &group.p) {
            return Err(bad(
                "g is not a quadratic residue mod p (not in the order-q subgroup)",
                "g",
            ));
        }
        Ok(group)
    }

    /// A fresh safe-prime group of exactly `bits` bits (1024 to 4096): `p` a
    /// safe prime found by sieving plus Miller–Rabin and strengthened Lucas
    /// tests (`crypto-primes`), `g` the smallest of 2, 3, 4 that is a
    /// quadratic residue mod `p`. All randomness comes from `rng`.
    ///
    /// Slow: seconds for 1536 bits in release builds, with a random running
    /// time.
    ///
    /// # Errors
    /// `bits` out of range ([`Origin::Caller`]).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R, bits: u32) -> Result<Self, Error> {
        const OP: &str = "elgamal group generation";
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) {
            let as_usize = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
            return Err(Error::caller(
                ErrorKind::LengthOutOfRange {
                    min: as_usize(MIN_MODULUS_BITS),
                    max: as_usize(MAX_MODULUS_BITS),
                    actual: as_usize(bits),
                },
                OP,
                SECTION,
            )
            .field("bits"));
        }
        let factory = SmallFactorsSieveFactory::<BoxedUint>::new(Flavor::Safe, bits, SetBits::Msb)
            .map_err(|_| Error::internal("sieve setup failed", OP, SECTION))?;
        let p = sieve_and_find(rng, factory, |_, candidate| {
            is_prime(Flavor::Safe, candidate)
        })
        .map_err(|_| Error::internal("prime search failed", OP, SECTION))?
        .ok_or_else(|| Error::internal("prime search exhausted", OP, SECTION))?;
        let p_bytes = p.to_be_bytes_trimmed_vartime();
        let p_odd: Odd<BoxedUint> = Option::from(Odd::new(p))
            .ok_or_else(|| Error::internal("prime search returned an even number", OP, SECTION))?;
        let prec = p_odd.as_ref().bits_precision();
        let g = [2u8, 3, 4]
            .into_iter()
            .find(|g| jacobi_is_one(&small(*g, prec), &p_odd))
            .unwrap_or(4);
        Self::build(&p_bytes, &[g], None, Origin::Internal, OP)
    }

    /// Full validation (slow, variable time): `p` (and `q`) prime, with `q =
    /// (p - 1) / 2` a safe prime check, and `g^q = 1 mod p`.
    ///
    /// # Errors
    /// A check failed ([`ErrorKind::InvalidPublicKey`], [`Origin::Peer`]).
    pub fn validate(&self) -> Result<(), Error> {
        const OP: &str = "elgamal group validation";
        let bad = |why: &'static str, field: &'static str| {
            Error::peer(ErrorKind::InvalidPublicKey(why), OP, KEY_SECTION).field(field)
        };
        if self.explicit_q {
            if !is_prime(Flavor::Any, self.p.as_ref()) {
                return Err(bad("p is not prime", "p"));
            }
            if !is_prime(Flavor::Any, &self.q) {
                return Err(bad("q is not prime", "q"));
            }
        } else if !is_prime(Flavor::Safe, self.p.as_ref()) {
            return Err(bad("p is not a safe prime", "p"));
        }
        let gq = BoxedMontyForm::new(self.g.clone(), &self.params).pow(&self.q);
        if !bool::from(gq.retrieve().is_one()) {
            return Err(bad("g does not have order q", "g"));
        }
        Ok(())
    }

    /// Whether this is the Groove 2007 group.
    pub fn is_groove2007(&self) -> bool {
        !self.explicit_q
            && self.modulus_bits == GROOVE2007_PRIME_BITS
            && self.p_be() == groove2007_prime()
            && self.g_be() == [GROOVE2007_GENERATOR]
    }

    /// Modulus size in bits.
    pub fn modulus_bits(&self) -> u32 {
        self.modulus_bits
    }

    /// `LenM`: modulus size in bytes (192 for the Groove group).
    pub fn modulus_len(&self) -> usize {
        self.len_m
    }

    /// Ciphertext length, `2 * LenM` (384 for the Groove group).
    pub fn ciphertext_len(&self) -> usize {
        self.len_m.saturating_mul(2)
    }

    /// Largest plaintext, `min(255, LenM - 3)` (189 for the Groove group).
    pub fn max_plaintext_len(&self) -> usize {
        self.len_m.saturating_sub(3).min(MAX_PLAINTEXT_CAP)
    }

    /// `p`, big-endian, no leading zeros.
    pub fn p_be(&self) -> Vec<u8> {
        self.p.as_ref().to_be_bytes_trimmed_vartime().into_vec()
    }

    /// `g`, big-endian, no leading zeros.
    pub fn g_be(&self) -> Vec<u8> {
        self.g.to_be_bytes_trimmed_vartime().into_vec()
    }

    /// `q`, big-endian, no leading zeros.
    pub fn q_be(&self) -> Vec<u8> {
        self.q.to_be_bytes_trimmed_vartime().into_vec()
    }

    fn prec(&self) -> u32 {
        self.p.as_ref().bits_precision()
    }

    fn monty(&self, x: &BoxedUint) -> BoxedMontyForm {
        BoxedMontyForm::new(x.clone(), &self.params)
    }

    /// Whether the public value `v` (already in `(1, p)`) lies in the
    /// order-`q` subgroup: Jacobi symbol 1 for cofactor-2 groups (Crypto++'s
    /// check), `v^q = 1` otherwise.
    fn in_subgroup(&self, v: &BoxedUint) -> bool {
        if self.explicit_q {
            bool::from(self.monty(v).pow(&self.q).retrieve().is_one())
        } else {
            jacobi_is_one(v, &self.p)
        }
    }

    /// `1 < v < p - 1` (public values).
    fn in_open_range(&self, v: &BoxedUint) -> bool {
        let one = small(1, self.prec());
        let p_minus_1 = self.p.as_ref().wrapping_sub(&one);
        *v > one && *v < p_minus_1
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("modulus_bits", &self.modulus_bits)
            .field("g", &hex_prefix(&self.g_be()))
            .field("explicit_q", &self.explicit_q)
            .field("groove2007", &self.is_groove2007())
            .finish()
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::new();
    for b in bytes.iter().take(8) {
        let _ = write!(s, "{b:02x}");
    }
    if bytes.len() > 8 {
        s.push('…');
    }
    s
}

// ---------------------------------------------------------------------------
// PublicKey

impl PublicKey {
    /// A public key `y` (big-endian) in `group`, written in the
    /// [`KeyForm::Standard`] form unless the group is the Groove 2007 group.
    ///
    /// # Errors
    /// `y` not in `(1, p - 1)` or not in the order-`q` subgroup
    /// ([`Origin::Caller`]).
    pub fn new(group: Group, y: &[u8]) -> Result<Self, Error> {
        Self::build(group, y, None, Origin::Caller)
    }

    fn build(group: Group, y: &[u8], form: Option<KeyForm>, origin: Origin) -> Result<Self, Error> {
        let bad = |why: &'static str| {
            let kind = if origin == Origin::Peer {
                ErrorKind::InvalidPublicKey(why)
            } else {
                ErrorKind::InvalidArgument(why)
            };
            Error::new(kind, origin, "elgamal public key", KEY_SECTION).field("y")
        };
        let y = uint_at(y, group.prec()).ok_or_else(|| bad("y is not below p"))?;
        if !group.in_open_range(&y) {
            return Err(bad("y is not in (1, p - 1)"));
        }
        if !group.in_subgroup(&y) {
            return Err(bad("y is not in the order-q subgroup"));
        }
        let form = form.unwrap_or(if group.is_groove2007() {
            KeyForm::Groove2007
        } else {
            KeyForm::Standard
        });
        Ok(Self { group, y, form })
    }

    /// Decodes either DER form of `DHPublicKeyForElgamalEncryption`
    /// ([MS-GRVSSTPS] 3.1.1.1 and product note <2>) and checks the numbers.
    ///
    /// # Errors
    /// Bad DER or a number breaking a rule ([`Origin::Peer`]).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let key = ElgamalPublicKey::from_der(der).map_err(|e| {
            Error::peer(
                ErrorKind::Der(Box::new(e)),
                "elgamal public key",
                KEY_SECTION,
            )
        })?;
        Self::from_asn1(&key)
    }

    /// Converts a decoded `ElgamalPublicKey`, checking the numbers.
    ///
    /// # Errors
    /// A number breaks a rule ([`Origin::Peer`]).
    pub fn from_asn1(key: &ElgamalPublicKey) -> Result<Self, Error> {
        const OP: &str = "elgamal public key";
        match key {
            ElgamalPublicKey::Standard(k) => {
                let group = Group::build(
                    k.p.as_bytes(),
                    k.g.as_bytes(),
                    k.q.as_ref().map(DerUint::as_bytes),
                    Origin::Peer,
                    OP,
                )?;
                Self::build(group, k.y.as_bytes(), Some(KeyForm::Standard), Origin::Peer)
            }
            ElgamalPublicKey::Groove2007(k) => {
                if k.size != GROOVE2007_PRIME_BITS {
                    return Err(Error::peer(
                        ErrorKind::InvalidPublicKey("canned prime size is not 1536"),
                        OP,
                        "[MS-GRVSSTPS] 3.1.1.1 <2>",
                    )
                    .field("size"));
                }
                Self::build(
                    Group::groove2007(),
                    k.y.as_bytes(),
                    Some(KeyForm::Groove2007),
                    Origin::Peer,
                )
            }
        }
    }

    /// The key as an `ElgamalPublicKey` in its [`KeyForm`].
    ///
    /// # Errors
    /// The DER integer type rejected a value (not expected).
    pub fn to_asn1(&self) -> Result<ElgamalPublicKey, Error> {
        let der_uint = |bytes: &[u8]| {
            DerUint::new(bytes).map_err(|_| {
                Error::internal(
                    "der integer encoding failed",
                    "elgamal public key",
                    KEY_SECTION,
                )
            })
        };
        let y = der_uint(&self.y_be())?;
        Ok(match self.form {
            KeyForm::Groove2007 => ElgamalPublicKey::Groove2007(Groove2007DhPublicKey {
                size: GROOVE2007_PRIME_BITS,
                y,
            }),
            KeyForm::Standard => ElgamalPublicKey::Standard(DhPublicKeyForElgamalEncryption {
                p: der_uint(&self.group.p_be())?,
                q: if self.group.explicit_q {
                    Some(der_uint(&self.group.q_be())?)
                } else {
                    None
                },
                g: der_uint(&self.group.g_be())?,
                y,
            }),
        })
    }

    /// The key as DER in its [`KeyForm`].
    ///
    /// # Errors
    /// Encoding failed (not expected).
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        self.to_asn1()?.to_der().map_err(|e| {
            Error::new(
                ErrorKind::Der(Box::new(e)),
                Origin::Internal,
                "elgamal public key",
                KEY_SECTION,
            )
        })
    }

    /// The same key, written in `form` from now on.
    ///
    /// # Errors
    /// [`KeyForm::Groove2007`] for a group other than the Groove 2007 group
    /// ([`Origin::Caller`]).
    pub fn with_form(mut self, form: KeyForm) -> Result<Self, Error> {
        if form == KeyForm::Groove2007 && !self.group.is_groove2007() {
            return Err(Error::caller(
                ErrorKind::InvalidArgument("the groove 2007 form needs the groove 2007 group"),
                "elgamal public key",
                "[MS-GRVSSTPS] 3.1.1.1 <2>",
            )
            .field("form"));
        }
        self.form = form;
        Ok(self)
    }

    /// The DER form this key is written in.
    pub fn form(&self) -> KeyForm {
        self.form
    }

    /// The group.
    pub fn group(&self) -> &Group {
        &self.group
    }

    /// `y`, big-endian, no leading zeros.
    pub fn y_be(&self) -> Vec<u8> {
        self.y.to_be_bytes_trimmed_vartime().into_vec()
    }

    /// Encrypts `plaintext` (at most [`Group::max_plaintext_len`] bytes)
    /// with a fresh `k` and fresh padding from `rng`; returns `a || b`
    /// (`2 * LenM` bytes).
    ///
    /// # Errors
    /// The plaintext is too long ([`Origin::Caller`]), or the RNG never
    /// produced a `k` in range ([`Origin::Internal`]).
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Error> {
        const OP: &str = "elgamal encrypt";
        self.check_plaintext(plaintext, OP)?;
        let prec = self.group.prec();
        let q_minus_2 = self.group.q.wrapping_sub(small(2, prec));
        let k = random_up_to(rng, &q_minus_2, prec, OP)?;
        let k = Zeroizing::new(k.wrapping_add(small(1, prec)));
        let pad_len = self.padding_len(plaintext.len());
        let mut padding = Zeroizing::new(vec![0u8; pad_len]);
        rng.fill_bytes(&mut padding);
        self.encrypt_inner(plaintext, &k, &padding, OP)
    }

    /// Deterministic encryption with a given ephemeral exponent `k`
    /// (big-endian, in `[1, q - 1]`) and padding (exactly `LenM - 2 - LenP`
    /// bytes), for interoperability tests against Crypto++ vectors.
    ///
    /// **Never reuse a `k`**: two ciphertexts under one `k` reveal the ratio
    /// of their plaintext blocks. Protocol code uses [`PublicKey::encrypt`].
    ///
    /// # Errors
    /// Plaintext too long, `k` out of range, or padding of the wrong length
    /// ([`Origin::Caller`]).
    pub fn encrypt_with(
        &self,
        plaintext: &[u8],
        k: &[u8],
        padding: &[u8],
    ) -> Result<Vec<u8>, Error> {
        const OP: &str = "elgamal encrypt";
        self.check_plaintext(plaintext, OP)?;
        let pad_len = self.padding_len(plaintext.len());
        if padding.len() != pad_len {
            return Err(Error::caller(
                ErrorKind::LengthMismatch {
                    expected: pad_len,
                    actual: padding.len(),
                },
                OP,
                SECTION,
            )
            .field("padding"));
        }
        let prec = self.group.prec();
        let bad_k = || {
            Error::caller(
                ErrorKind::InvalidArgument("k is not in [1, q - 1]"),
                OP,
                SECTION,
            )
            .field("k")
        };
        let k = Zeroizing::new(uint_at(k, prec).ok_or_else(bad_k)?);
        let zero_or_too_big = k.is_zero() | !k.ct_lt(&self.group.q);
        if zero_or_too_big.to_bool() {
            return Err(bad_k());
        }
        self.encrypt_inner(plaintext, &k, padding, OP)
    }

    fn check_plaintext(&self, plaintext: &[u8], operation: &'static str) -> Result<(), Error> {
        let max = self.group.max_plaintext_len();
        if plaintext.len() > max {
            return Err(Error::caller(
                ErrorKind::LengthOutOfRange {
                    min: 0,
                    max,
                    actual: plaintext.len(),
                },
                operation,
                SECTION,
            )
            .field("plaintext"));
        }
        Ok(())
    }

    /// `LenM - 2 - LenP` (the plaintext length is already checked).
    fn padding_len(&self, plaintext_len: usize) -> usize {
        self.group
            .len_m
            .saturating_sub(2)
            .saturating_sub(plaintext_len)
    }

    fn encrypt_inner(
        &self,
        plaintext: &[u8],
        k: &BoxedUint,
        padding: &[u8],
        operation: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let group = &self.group;
        let len_m = group.len_m;
        let internal = |why| Error::internal(why, operation, SECTION);
        let len_byte = u8::try_from(plaintext.len()).map_err(|_| internal("plaintext too long"))?;
        // Spec steps 2-5: [padding][plaintext][LenP], LenM - 1 bytes.
        let mut block = Zeroizing::new(Vec::with_capacity(len_m.saturating_sub(1)));
        block.extend_from_slice(padding);
        block.extend_from_slice(plaintext);
        block.push(len_byte);
        if block.len() != len_m.saturating_sub(1) {
            return Err(internal("block length mismatch"));
        }
        // Step 6: the block is a big-endian integer M < 256^(LenM-1) < p.
        let m = Zeroizing::new(
            BoxedUint::from_be_slice(&block, group.prec())
                .map_err(|_| internal("block too long"))?,
        );
        let a = group.monty(&group.g).pow(k).retrieve();
        let shared = Zeroizing::new(group.monty(&self.y).pow(k));
        let m_monty = Zeroizing::new(group.monty(&m));
        let b = shared.mul(&m_monty).retrieve();
        let mut out = Vec::with_capacity(len_m.saturating_mul(2));
        out.extend_from_slice(&be_fixed(&a, len_m));
        out.extend_from_slice(&be_fixed(&b, len_m));
        Ok(out)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("group", &self.group)
            .field("form", &self.form)
            .field("y", &hex_prefix(&self.y_be()))
            .finish()
    }
}

// ---------------------------------------------------------------------------
// PrivateKey

impl PrivateKey {
    /// A new key in `group`: `x` uniform in `[1, q - 1]` from `rng`,
    /// `y = g^x mod p`.
    ///
    /// # Errors
    /// The RNG never produced an `x` in range ([`Origin::Internal`]).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R, group: Group) -> Result<Self, Error> {
        const OP: &str = "elgamal key generation";
        let prec = group.prec();
        let q_minus_2 = group.q.wrapping_sub(small(2, prec));
        let x = random_up_to(rng, &q_minus_2, prec, OP)?;
        let x = SecretUint::new(x.wrapping_add(small(1, prec)));
        Self::from_secret(group, x, OP)
    }

    /// A new key in the Groove 2007 group.
    ///
    /// # Errors
    /// As [`PrivateKey::generate`].
    pub fn generate_groove2007<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        Self::generate(rng, Group::groove2007())
    }

    /// A key from its big-endian exponent `x`, which must be in
    /// `[1, p - 2]` (the range Crypto++ accepts).
    ///
    /// # Errors
    /// `x` out of range ([`Origin::Caller`]).
    pub fn from_x_be(group: Group, x: &[u8]) -> Result<Self, Error> {
        const OP: &str = "elgamal private key";
        let bad = || {
            Error::caller(
                ErrorKind::InvalidPrivateKey("x is not in [1, p - 2]"),
                OP,
                SECTION,
            )
            .field("x")
        };
        let x = SecretUint::new(uint_at(x, group.prec()).ok_or_else(bad)?);
        let p_minus_1 = group.p.as_ref().wrapping_sub(small(1, group.prec()));
        let out_of_range = x.expose_secret().is_zero() | !x.expose_secret().ct_lt(&p_minus_1);
        if out_of_range.to_bool() {
            return Err(bad());
        }
        Self::from_secret(group, x, OP)
    }

    fn from_secret(group: Group, x: SecretUint, operation: &'static str) -> Result<Self, Error> {
        let y = group.monty(&group.g).pow(x.expose_secret()).retrieve();
        let form = if group.is_groove2007() {
            KeyForm::Groove2007
        } else {
            KeyForm::Standard
        };
        if !group.in_open_range(&y) {
            return Err(Error::caller(
                ErrorKind::InvalidPrivateKey("g^x is not in (1, p - 1)"),
                operation,
                SECTION,
            )
            .field("x"));
        }
        Ok(Self {
            public: PublicKey { group, y, form },
            x,
        })
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The exponent `x`, big-endian, `LenM` bytes, in a secret buffer.
    pub fn x_be_secret(&self) -> SecretBytes {
        self.x.to_be_bytes_secret(self.public.group.len_m)
    }

    /// Decrypts a Crypto++ ElGamal ciphertext `a || b` with Crypto++'s
    /// checks (see the module docs). Returns the plaintext bytes in
    /// Crypto++'s order.
    ///
    /// Never panics, whatever the input.
    ///
    /// # Errors
    /// Each broken rule gives its own [`ErrorKind`] ([`Origin::Peer`]):
    /// wrong length, `a` not in `(1, p)`, `a` not a quadratic residue, the
    /// length byte above `min(255, LenM - 3)`.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<SecretBytes, Error> {
        const OP: &str = "elgamal decrypt";
        let group = &self.public.group;
        let len_m = group.len_m;
        let prec = group.prec();
        let bad = |why: &'static str, field: &'static str| {
            Error::peer(ErrorKind::InvalidCiphertext(why), OP, SECTION).field(field)
        };
        if ciphertext.len() != group.ciphertext_len() {
            return Err(Error::peer(
                ErrorKind::LengthMismatch {
                    expected: group.ciphertext_len(),
                    actual: ciphertext.len(),
                },
                OP,
                SECTION,
            )
            .field("ciphertext"));
        }
        let (a_bytes, b_bytes) = ciphertext
            .split_at_checked(len_m)
            .ok_or_else(|| bad("ciphertext cannot be split", "ciphertext"))?;
        let a = BoxedUint::from_be_slice(a_bytes, prec).map_err(|_| bad("a does not fit", "a"))?;
        let one = small(1, prec);
        if a <= one || a >= *group.p.as_ref() {
            return Err(bad("a is not in (1, p)", "a"));
        }
        if !group.in_subgroup(&a) {
            return Err(bad(
                "a is not a quadratic residue mod p (not in the order-q subgroup)",
                "a",
            ));
        }
        let b = BoxedUint::from_be_slice(b_bytes, prec).map_err(|_| bad("b does not fit", "b"))?;
        let b = b.rem_vartime(group.p.as_nz_ref());

        let shared = Zeroizing::new(group.monty(&a).pow(self.x.expose_secret()));
        let shared_inv = Zeroizing::new(
            Option::<BoxedMontyForm>::from(shared.invert())
                .ok_or_else(|| bad("a^x is not invertible mod p", "a"))?,
        );
        let m = Zeroizing::new(group.monty(&b).mul(&shared_inv).retrieve());
        let block = be_fixed(&m, len_m);
        let len_p = usize::from(block.last().copied().unwrap_or(u8::MAX));
        if len_p > group.max_plaintext_len() {
            return Err(bad(
                "length byte exceeds the maximum plaintext length",
                "length byte",
            ));
        }
        let end = len_m.saturating_sub(1);
        let start = end.saturating_sub(len_p);
        let plaintext = block
            .get(start..end)
            .ok_or_else(|| bad("length byte exceeds the block", "length byte"))?;
        Ok(SecretBytes::from_slice(plaintext))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn groove_group_constants() {
        let g = Group::groove2007();
        assert_eq!(g.modulus_bits(), 1536);
        assert_eq!(g.modulus_len(), 192);
        assert_eq!(g.max_plaintext_len(), 189);
        assert_eq!(g.ciphertext_len(), 384);
        assert_eq!(g.g_be(), vec![3]);
        let p = g.p_be();
        assert_eq!(hex::encode(&p[p.len() - 4..]), "ffe90fab");
        // q = (p - 1) / 2 = 7fff...ff487d5
        let q = g.q_be();
        assert_eq!(q[0], 0x7f);
        assert_eq!(hex::encode(&q[q.len() - 3..]), "f487d5");
        assert!(g.is_groove2007());
        // The hand-built constant equals the checked general constructor.
        assert_eq!(Group::new(&p, &[3]).unwrap(), g);
    }

    #[test]
    fn round_trip_all_boundary_lengths() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let key = PrivateKey::generate_groove2007(&mut rng).unwrap();
        let pk = key.public_key();
        for len in [0usize, 1, 24, 189] {
            let pt: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
            let ct = pk.encrypt(&mut rng, &pt).unwrap();
            assert_eq!(ct.len(), 384);
            assert_eq!(key.decrypt(&ct).unwrap().expose_secret(), &pt[..]);
        }
        let e = pk.encrypt(&mut rng, &[0; 190]).unwrap_err();
        assert_eq!(e.origin, Origin::Caller);
    }
}
