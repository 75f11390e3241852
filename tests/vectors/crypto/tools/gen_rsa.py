#!/usr/bin/env python3
"""Writes ../rsa_sha1.json: [MS-GRVSSTPS] 2.2.12 / 2.2.14 message signatures.

The signature is RSASSA-PKCS1-v1_5 with DigestInfo(sha1, SHA-1(SHA-1(fields))), i.e.
Crypto++ RSASS<PKCS1v15,SHA1>::Signer applied to the 20-byte step-1 hash SHA-1(fields).
For each field list: step-1 hash by hashlib, signature by Crypto++
(sym_oracle rsa-sign rsa/key.pk8.der STEP1HEX), the same signature by
`openssl dgst -sha1 -sign` over the 20 step-1 bytes, and Crypto++ rsa-verify.
The key is ../rsa/key.pk8.der (copied from peers/cryptopp/rsa, openssl genrsa 2048).
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import OUT, det_bytes, oracle, run  # noqa: E402

KEY = os.path.join(OUT, "rsa", "key.pk8.der")
PUB = os.path.join(OUT, "rsa", "pub.spki.der")


def openssl_sign(data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        r = subprocess.run(["openssl", "dgst", "-sha1", "-keyform", "DER", "-sign", KEY, f.name],
                           capture_output=True, check=True)
        return r.stdout.hex()


def main():
    sym = oracle("sym_oracle")
    account_url = b"grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@\x00"
    device_url = b"dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2\x00"
    cases = [
        ("SecDeviceAccountRegister-shaped (2.2.12)",
         [b"\x04", account_url, device_url, det_bytes("fp", 20), det_bytes("enc-nonce", 24),
          det_bytes("enc-device-key", 384), bytes.fromhex("d1149147"), det_bytes("pko", 700)]),
        ("SecAccountRegister-shaped (2.2.14)",
         [b"\x04", account_url, device_url, det_bytes("fp", 20), bytes.fromhex("d1149147"),
          det_bytes("enc-account-key", 384), det_bytes("pko-2", 650)]),
        ("single short field", [b"abc"]),
    ]
    out = []
    for label, fields in cases:
        step1 = hashlib.sha1(b"".join(fields)).digest()
        cpp = run(sym, "rsa-sign", KEY, step1.hex()).strip()
        ossl = openssl_sign(step1)
        if cpp != ossl:
            raise SystemExit("Crypto++ and OpenSSL disagree on %s" % label)
        if run(sym, "rsa-verify", PUB, step1.hex(), cpp).strip() != "VALID":
            raise SystemExit("Crypto++ does not verify its own signature")
        out.append({"label": label, "fields": [f.hex() for f in fields], "sha1_of_fields": step1.hex(),
                    "sha1_sha1_of_fields": hashlib.sha1(step1).hexdigest(), "signature": cpp})
    doc = {"description": "RSA PKCS#1 v1.5 SHA-1 signatures over SHA-1(SHA-1(fields)); see README.md",
           "private_key_pkcs8": "rsa/key.pk8.der", "public_key_spki": "rsa/pub.spki.der", "cases": out}
    with open(os.path.join(OUT, "rsa_sha1.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("rsa_sha1.json: %d cases; Crypto++ == OpenSSL, Crypto++ verifies" % len(out))


if __name__ == "__main__":
    main()
