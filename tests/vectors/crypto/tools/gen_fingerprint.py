#!/usr/bin/env python3
"""Writes ../fingerprint.json: [MS-GRVSSTPS] 3.1.1.2 relay certificate fingerprints.

fingerprint = SHA-1("DH" as UTF-16LE || "ELGAMAL" as UTF-16LE || EncryptionPublicKey DER),
computed with hashlib. The DER keys are encoded here by hand (a minimal DER writer) from
the Crypto++ keys in ../elgamal_cryptopp.json, in the Groove 2007 form
SEQUENCE { size 1536, y } and the standard form SEQUENCE { p, [q,] g, y }, so the
Rust test also checks our DER encoding against an independent one.
"""
import hashlib
import json
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import OUT  # noqa: E402


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_int(v):
    b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
    if b[0] & 0x80:
        b = b"\x00" + b
    return b"\x02" + der_len(len(b)) + b


def der_seq(*items):
    body = b"".join(items)
    return b"\x30" + der_len(len(body)) + body


def fingerprint(alg, enc, key_der):
    return hashlib.sha1(alg.encode("utf-16-le") + enc.encode("utf-16-le") + key_der).hexdigest()


def main():
    vectors = json.load(open(os.path.join(OUT, "elgamal_cryptopp.json")))
    groove = next(v for v in vectors if v["group"] == "groove2007")
    g14 = next(v for v in vectors if v["group"] == "rfc3526-group14")
    gp, gg, gy = (int(groove[k], 16) for k in ("p", "g", "y"))
    p14, g14g, y14 = (int(g14[k], 16) for k in ("p", "g", "y"))
    keys = [
        ("groove2007 form (note <2>), y of the first groove2007 vector", der_seq(der_int(1536), der_int(gy))),
        ("standard form, rfc3526 group 14 key", der_seq(der_int(p14), der_int(g14g), der_int(y14))),
        ("standard form with explicit q = (p-1)/2, groove group",
         der_seq(der_int(gp), der_int((gp - 1) // 2), der_int(gg), der_int(gy))),
    ]
    out = []
    for label, der in keys:
        out.append({"label": label, "encryption_key_algorithm_name": "DH",
                    "encryption_algorithm_name": "ELGAMAL", "encryption_public_key_der": der.hex(),
                    "fingerprint": fingerprint("DH", "ELGAMAL", der)})
    doc = {"description": "relay certificate fingerprints ([MS-GRVSSTPS] 3.1.1.2); see README.md", "cases": out}
    with open(os.path.join(OUT, "fingerprint.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("fingerprint.json: %d cases" % len(out))


if __name__ == "__main__":
    main()
