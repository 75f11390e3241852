//! DER types for every ASN.1 structure of the seeds: [MS-CSSP] `TSRequest`
//! and the credential structures, SPNEGO ([RFC 4178], [MS-SPNG]) tokens, and
//! the [MS-GRVSSTPS] ElGamal public key forms.
//!
//! All decoding is strict DER through the `der` crate's derive; a failure
//! names the structure, its specification section, the field where it can
//! be told, and the byte offset ([`Error`]). Secret fields zeroize on drop
//! and print `<redacted>` ([`SecretBytes`]).
//!
//! | structure | type |
//! |---|---|
//! | [MS-CSSP] 2.2.1 TSRequest | [`TsRequest`], [`TsRequestRef`] (zero-copy) |
//! | [MS-CSSP] 2.2.1.1 NegoData | [`NegoData`], [`NegoDataItem`] |
//! | [MS-CSSP] 2.2.1.2 TSCredentials | [`TsCredentials`] |
//! | [MS-CSSP] 2.2.1.2.1 TSPasswordCreds | [`TsPasswordCreds`] |
//! | [MS-CSSP] 2.2.1.2.2 TSSmartCardCreds | [`TsSmartCardCreds`] |
//! | [MS-CSSP] 2.2.1.2.2.1 TSCspDataDetail | [`TsCspDataDetail`] |
//! | [MS-CSSP] 2.2.1.2.3 TSRemoteGuardCreds | [`TsRemoteGuardCreds`] |
//! | [MS-CSSP] 2.2.1.2.3.1 TSRemoteGuardPackageCred | [`TsRemoteGuardPackageCred`] |
//! | `TSRequest.errorCode` (NTSTATUS / HRESULT) | [`NtStatus`] |
//! | [RFC 4178] 4.2 NegotiationToken (+ [RFC 2743] 3.1 framing) | [`spnego::NegotiationToken`] |
//! | [MS-GRVSSTPS] 3.1.1.1 ElGamal keys | [`grvsstps`] |
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod credentials;
mod cssp;
mod cssp_fast;
mod error;
mod frame;
pub mod grvsstps;
mod ntstatus;
mod schema;
mod secret;
pub mod spnego;

pub use credentials::{
    TsCredentials, TsCspDataDetail, TsPasswordCreds, TsRemoteGuardCreds, TsRemoteGuardPackageCred,
    TsSmartCardCreds, from_utf16le, utf16le,
};
pub use cssp::{NegoData, NegoDataItem, NegoDataRef, TsRequest, TsRequestRef};
pub use der;
pub use error::{Error, ErrorKind};
pub use frame::{DEFAULT_MAX_FRAME_LEN, der_frame_len, der_frame_len_max};
pub use ntstatus::NtStatus;
pub use secret::SecretBytes;
