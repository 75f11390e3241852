//! Builders for the SSTP commands the engines send (through `sstp-wire`).

use sstp_wire::{
    AnsiStr, Attach, AttachAuthenticate, AttachResponse, AttachResponseId, Close, CloseReason,
    Command, Connect, ConnectAuthenticate, ConnectClose, ConnectResponse, ConnectResponseFields,
    ConnectResponseFlags, ConnectResponseId, ConnectResponseTrailer, Register, RegisterResponse,
};

use crate::error::Error;

const SECTION: &str = "[MS-GRVSSTPS] 2.2";

fn enc(cmd: &Command<'_>) -> Result<Vec<u8>, Error> {
    cmd.to_vec().map_err(|e| Error::wire(e, SECTION))
}

pub(crate) fn ansi(s: &str) -> Result<AnsiStr<'_>, Error> {
    AnsiStr::new(s.as_bytes()).map_err(|e| Error::wire(e, SECTION))
}

/// SSTP version the engines speak (reference §1.5: 1.5).
pub(crate) const SSTP_MAJOR: u8 = 1;

pub(crate) struct ConnectParams<'a> {
    pub sstp_minor: u8,
    pub relay_url: &'a str,
    pub device_url: &'a str,
    pub product_version: &'a str,
}

pub(crate) fn connect(p: &ConnectParams<'_>, token: &[u8]) -> Result<Vec<u8>, Error> {
    enc(&Command::Connect(Connect {
        major_version: SSTP_MAJOR,
        minor_version: p.sstp_minor,
        flags: 0,
        target_device_url: ansi(p.relay_url)?,
        source_device_urls: vec![ansi(p.device_url)?],
        authentication_token: token,
        peer_product_version: ansi(p.product_version)?,
        peer_product_capabilities: AnsiStr::EMPTY,
    }))
}

pub(crate) struct ConnectResponseParams<'a> {
    pub sstp_minor: u8,
    pub relay_url: &'a str,
    pub product_version: &'a str,
}

pub(crate) fn connect_response(
    p: &ConnectResponseParams<'_>,
    response_id: ConnectResponseId,
    token: &[u8],
) -> Result<Vec<u8>, Error> {
    enc(&Command::ConnectResponse(ConnectResponse {
        major_version: SSTP_MAJOR,
        minor_version: p.sstp_minor,
        response_id,
        authentication_token: token,
        trailer: ConnectResponseTrailer::Fields(ConnectResponseFields {
            // A relay supports both fanout kinds (§4.1.2 trace: 0x03).
            flags: ConnectResponseFlags(0x03),
            peer_product_version: ansi(p.product_version)?,
            peer_product_capabilities: AnsiStr::EMPTY,
            target_device_urls: vec![ansi(p.relay_url)?],
            redirect_map_entries: 0,
            redirect_map: &[],
        }),
    }))
}

pub(crate) fn connect_authenticate(token: &[u8]) -> Result<Vec<u8>, Error> {
    enc(&Command::ConnectAuthenticate(ConnectAuthenticate {
        authentication_token: token,
    }))
}

pub(crate) fn connect_close(reason: CloseReason) -> Result<Vec<u8>, Error> {
    enc(&Command::ConnectClose(ConnectClose::with_reason(reason)))
}

pub(crate) fn attach(
    event_id: u32,
    relay_url: &str,
    account_url: &str,
    token: &[u8],
) -> Result<Vec<u8>, Error> {
    enc(&Command::Attach(Attach {
        event_id,
        resource_url: ansi(relay_url)?,
        account_url: ansi(account_url)?,
        authentication_token: token,
    }))
}

pub(crate) fn attach_response(
    event_id: u32,
    response_id: AttachResponseId,
    token: &[u8],
) -> Result<Vec<u8>, Error> {
    enc(&Command::AttachResponse(AttachResponse {
        event_id,
        response_id,
        authentication_token: token,
    }))
}

pub(crate) fn attach_authenticate(event_id: u32, token: &[u8]) -> Result<Vec<u8>, Error> {
    enc(&Command::AttachAuthenticate(AttachAuthenticate {
        event_id,
        authentication_token: token,
    }))
}

pub(crate) fn register(event_id: u32, token: &[u8]) -> Result<Vec<u8>, Error> {
    enc(&Command::Register(Register {
        event_id,
        registration_token: token,
        declared_token_length: None,
    }))
}

pub(crate) fn register_response(event_id: u32, token: Option<&[u8]>) -> Result<Vec<u8>, Error> {
    enc(&Command::RegisterResponse(RegisterResponse {
        event_id,
        registration_token: token,
    }))
}

pub(crate) fn close(session_id: u32, reason: CloseReason) -> Result<Vec<u8>, Error> {
    enc(&Command::Close(Close { session_id, reason }))
}
