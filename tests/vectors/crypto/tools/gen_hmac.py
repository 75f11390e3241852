#!/usr/bin/env python3
"""Writes ../hmac_sha1.json.

* RFC 2202 section 3 HMAC-SHA1 test cases 1-7 (transcribed), each checked with
  Python's hmac module and Crypto++ HMAC<SHA1> (sym_oracle hmac-sha1).
* [MS-GRVSSTPS] message MACs HMAC-SHA1(key, SHA-1(field_1 || ... || field_n)):
  SHA-1 by hashlib, HMAC by Crypto++ (sym_oracle hmac-sha1 KEY SHA1HEX), cross-checked
  with Python's hmac.
"""
import hashlib
import hmac
import json
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import OUT, det_bytes, oracle, run  # noqa: E402

RFC2202 = [
    ("0b" * 20, b"Hi There".hex(), "b617318655057264e28bc0b6fb378c8ef146be00"),
    (b"Jefe".hex(), b"what do ya want for nothing?".hex(), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    ("aa" * 20, "dd" * 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
    (bytes(range(1, 26)).hex(), "cd" * 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
    ("0c" * 20, b"Test With Truncation".hex(), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
    ("aa" * 80, b"Test Using Larger Than Block-Size Key - Hash Key First".hex(),
     "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
    ("aa" * 80, b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".hex(),
     "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
]


def main():
    sym = oracle("sym_oracle")
    rfc = []
    for i, (key, data, mac) in enumerate(RFC2202, 1):
        py = hmac.new(bytes.fromhex(key), bytes.fromhex(data), hashlib.sha1).hexdigest()
        cpp = run(sym, "hmac-sha1", key, data).strip()
        if not py == cpp == mac:
            raise SystemExit("RFC 2202 case %d: rfc=%s python=%s cryptopp=%s" % (i, mac, py, cpp))
        rfc.append({"case": i, "key": key, "data": data, "mac": mac})
    # Field lists shaped like the spec's MAC inputs (message id, NUL-terminated ANSI
    # URLs, fingerprint, 24-byte nonce, 4-byte timestamp). Keys are 24-byte device /
    # account keys.
    device_url = b"dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2\x00"
    account_url = b"grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@\x00"
    relay_url = b"grooveDNS://relay.contoso.com\x00"
    cases = [
        ("SecConnect-shaped (2.2.1)",
         [b"\x01", device_url, det_bytes("fp-1", 20), det_bytes("nonce-1", 24)]),
        ("SecAttach-shaped (2.2.6)",
         [b"\x01", account_url, relay_url, device_url, det_bytes("nonce-2", 24)]),
        ("SecAccountRegisterResponse-shaped (2.2.16)",
         [b"\x08", b"\x00", account_url, device_url, det_bytes("fp-3", 20), bytes.fromhex("d3149147")]),
        ("empty field list", []),
    ]
    fields_cases = []
    for i, (label, fields) in enumerate(cases):
        key = det_bytes("hmac-key-%d" % i, 24)
        digest = hashlib.sha1(b"".join(fields)).hexdigest()
        cpp = run(sym, "hmac-sha1", key.hex(), digest).strip()
        py = hmac.new(key, bytes.fromhex(digest), hashlib.sha1).hexdigest()
        if cpp != py:
            raise SystemExit("HMAC disagreement on %s" % label)
        fields_cases.append({"label": label, "key": key.hex(), "fields": [f.hex() for f in fields],
                             "sha1_of_fields": digest, "mac": cpp})
    doc = {"description": "HMAC-SHA1 known answers; see README.md", "rfc2202": rfc,
           "hmac_sha1_of_sha1": fields_cases}
    with open(os.path.join(OUT, "hmac_sha1.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("hmac_sha1.json: %d RFC 2202 cases, %d field-list cases; python == Crypto++" % (len(rfc), len(fields_cases)))


if __name__ == "__main__":
    main()
