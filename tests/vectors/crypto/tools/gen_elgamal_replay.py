#!/usr/bin/env python3
"""Writes ../elgamal_rng_replay.json: the exact RNG bytes Crypto++ consumed for each
vector of ../elgamal_cryptopp.json.

elgamal_oracle.cpp's seeded RNG is AES-256-CTR keyed with SHA-256(seed), zero IV,
encrypting zeros. Replaying that stream with python `cryptography`, this script
re-derives what Crypto++ drew: k by Integer(rng, 1, q-1) (whole bytes for the bit
length of q-2, top byte masked, rejected while > q-2, then + 1) and then LenM-2-LenP
padding bytes. It checks both against the k and padding recorded in the vector and
stores the consumed prefix of the stream. The Rust test feeds these bytes to
PublicKey::encrypt and expects Crypto++'s ciphertext.
"""
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import OUT  # noqa: E402


def stream(seed, n):
    key = hashlib.sha256(seed).digest()
    enc = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    return enc.update(bytes(n))


def main():
    vectors = json.load(open(os.path.join(OUT, "elgamal_cryptopp.json")))
    out = []
    for i, v in enumerate(vectors):
        seed = bytes.fromhex(v["rng"].split("seed=")[1])
        p = int(v["p"], 16)
        q = (p - 1) // 2
        len_m = (p.bit_length() + 7) // 8
        len_p = len(v["plaintext"]) // 2
        s = stream(seed, 8 * len_m)
        rng_range = q - 2
        nbits = rng_range.bit_length()
        nbytes = (nbits + 7) // 8
        off = 0
        while True:
            buf = bytearray(s[off:off + nbytes])
            off += nbytes
            if nbits % 8:
                buf[0] &= (1 << (nbits % 8)) - 1
            x = int.from_bytes(buf, "big")
            if x <= rng_range:
                break
        k = x + 1
        pad = s[off:off + len_m - 2 - len_p]
        off += len(pad)
        if k != int(v["k"], 16) or pad.hex() != v["padding"]:
            raise SystemExit("vector %d: replay does not reproduce Crypto++'s k/padding" % i)
        out.append({"vector": i, "group": v["group"], "seed": seed.hex(), "rng_stream": s[:off].hex()})
    doc = {"description": "Crypto++ RNG streams for elgamal_cryptopp.json; see README.md", "streams": out}
    with open(os.path.join(OUT, "elgamal_rng_replay.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("elgamal_rng_replay.json: %d streams, k and padding reproduced" % len(out))


if __name__ == "__main__":
    main()
