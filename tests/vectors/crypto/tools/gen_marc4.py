#!/usr/bin/env python3
"""Writes ../marc4.json: RFC 6229 rows and Groove-sized MARC4 vectors.

Every RFC 6229 row is run through peers/rc4/marc4_oracle.py (MARC4 with a zero IV on
zero bytes: output byte i is RC4 keystream byte 256 + i), and every generated vector
through marc4_oracle.py (pure Python + `cryptography`) and Crypto++ Weak::MARC4
(peers/cryptopp/sym_oracle.cpp); all must agree.
"""
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import OUT, PEERS, det_bytes, oracle, run  # noqa: E402

ORACLE = os.path.join(PEERS, "rc4", "marc4_oracle.py")

# RFC 6229 section 2 (keys 0x0102...), rows at offsets >= 256 (MARC4 drops 256 bytes).
RFC6229 = {
    "0102030405": {
        256: "1cfcf62b03eddb641d77dfcf7f8d8c93", 512: "6459844432a7da923cfb3eb4980661f6",
        768: "eb62638d4f0ba1fe9fca20e05bf8ff2b", 1024: "30abbcc7c20b01609f23ee2d5f6bb7df",
        1536: "d8729db41882259bee4f825325f5a130", 2048: "cc582f8ba9f265e2b1be9112e975d2d7",
        3072: "ec0e11c479dc329dc8da7968fe965681", 4096: "ff25b58995996707e51fbdf08b34d875",
    },
    "0102030405060708090a0b0c0d0e0f10": {
        256: "d39d566bc6bce3010768151549f3873f", 512: "c68c1d5c559a974123df1dbc52a43b89",
        768: "eccbe13de1fcc91c11a0b26c0bc8fa4d", 1024: "bdf0324e6083dcc6d3cedd3ca8c53c16",
        1536: "ffa0b514647ec04f6306b892ae661181", 2048: "8a44126411eaa78bd51e8d87a8879bf5",
        3072: "c05d88abd50357f935a63c59ee537623", 4096: "a36a4c301ae8ac13610ccbc12256cacc",
    },
    "0102030405060708090a0b0c0d0e0f101112131415161718": {
        256: "6bd2378ec341c9a42f37ba79f88a32ff", 512: "9a5730c7fcb4c9af51ffda89c7f1ad22",
        768: "591fc66bcda10e452b03d4551f6b62ac", 1024: "93610d523d1d3f0062b3c2a3bbc7c7f0",
        1536: "0e317b3d1c73b9e9a4688f296d133a19", 2048: "88a218b6e2ece1e6246d44c759d19b10",
        3072: "32cb0a1e9542c6b3b8b398abc3b0f1d5", 4096: "3cb0f3b5020a98b82af9fe154484a168",
    },
    "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20": {
        256: "02e1e7056b0f623900496422943e97b6", 512: "49b18b42f8e8367cbeb5ef104ba1c7cd",
        768: "e7a7b9e9ec540d5ff43bdb12792d1b35", 1024: "7fec5bfd9f9b89ce6548309092d7e958",
        1536: "3e34135c79db010200767651cf263073", 2048: "18b62503bfbc077fbabb98f20d98ab34",
        3072: "625a1ab00ee39a5327346bddb01a9c18", 4096: "f3e4c0a2e02d1d01f7f0a74618af2b48",
    },
}


def py_marc4(key, iv, data):
    r = subprocess.run([sys.executable, ORACLE, key, iv, data], capture_output=True, text=True)
    lines = dict(l.split(":", 1) for l in r.stdout.splitlines() if ":" in l)
    out = lines["python        "].strip()
    if r.returncode or "AGREE" not in r.stdout.split():
        raise SystemExit("marc4_oracle disagrees for %s %s: %s" % (key, iv, r.stdout))
    return out


def main():
    sym = oracle("sym_oracle")
    rfc_rows = []
    for key, rows in RFC6229.items():
        zero_iv = "00" * (len(key) // 2)
        for offset, keystream in sorted(rows.items()):
            data = "00" * (offset - 256 + 16)
            got = py_marc4(key, zero_iv, data)[-32:]
            cpp = run(sym, "marc4", key, zero_iv, data).strip()[-32:]
            if got != keystream or cpp != keystream:
                raise SystemExit("RFC 6229 row mismatch key=%s offset=%d: rfc=%s python=%s cryptopp=%s"
                                 % (key, offset, keystream, got, cpp))
            rfc_rows.append({"key": key, "offset": offset, "keystream": keystream})
    vectors = []
    # The IV really is XORed in: key' = (K xor R) xor R = K reproduces the RFC row.
    for key in RFC6229:
        iv = det_bytes("rfc6229-iv-" + key, len(key) // 2).hex()
        mixed = bytes(a ^ b for a, b in zip(bytes.fromhex(key), bytes.fromhex(iv))).hex()
        data = "00" * 16
        out = py_marc4(mixed, iv, data)
        assert out == RFC6229[key][256], (key, out)
        vectors.append({"source": "rfc6229 offset 256 row, key given as K xor IV", "key": mixed,
                        "iv": iv, "data": data, "output": out})
    # Groove-sized vectors: 24-byte key and IV, nonce-sized and other data lengths.
    for i, n in enumerate([24, 24, 24, 0, 1, 100, 300]):
        key = det_bytes("groove-key-%d" % i, 24).hex()
        iv = det_bytes("groove-iv-%d" % i, 24).hex()
        data = det_bytes("groove-data-%d" % i, n).hex()
        if n == 0:
            out = ""  # marc4_oracle / sym_oracle need non-empty data; empty in = empty out
        else:
            out = py_marc4(key, iv, data)
            cpp = run(sym, "marc4", key, iv, data).strip()
            if cpp != out:
                raise SystemExit("Crypto++ disagrees: %s vs %s" % (cpp, out))
        vectors.append({"source": "marc4_oracle.py == sym_oracle marc4 (Crypto++ Weak::MARC4)",
                        "key": key, "iv": iv, "data": data, "output": out})
    doc = {"description": "MARC4 ([MS-GRVSSTPS] 3.1.1.4) known answers; see README.md",
           "rfc6229": rfc_rows, "vectors": vectors}
    with open(os.path.join(OUT, "marc4.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("marc4.json: %d rfc6229 rows, %d vectors, all oracles agree" % (len(rfc_rows), len(vectors)))


if __name__ == "__main__":
    main()
