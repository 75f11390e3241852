#!/usr/bin/env python3
"""Writes ../credssp_binding.json from the recorded pyspnego CredSSP samples.

For each sample directory, peers/credssp/decode_samples.py DIR 'Passw0rd!' decrypts both
pubKeyAuth fields from the wire (NTLM sealing re-derived from the password) and checks
them; this script takes from its output the decrypted client and server pubKeyAuth
plaintexts, and from the same sample the clientNonce (decode_samples' own TSRequest
parser) and server_pubkey.der (the SubjectPublicKey). v5/v6 samples give the two
binding hashes, v2/v3 samples the raw key and the key with its first byte + 1 (the
decoder prints those long values truncated but checks them in full; its "OK" verdicts are
required).
Each value is recomputed with hashlib as a cross-check.
"""
import hashlib
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import OUT, PEERS  # noqa: E402

CREDSSP = os.path.join(PEERS, "credssp")
sys.path.insert(0, CREDSSP)
import decode_samples  # noqa: E402  (pyspnego 0.12.4 must be installed for its md4)

SAMPLES = ["v6_tls13", "v6_tls12", "v5_client", "v2_client", "v3_server"]
C2S = b"CredSSP Client-To-Server Binding Hash\x00"
S2C = b"CredSSP Server-To-Client Binding Hash\x00"


def main():
    out = []
    for name in SAMPLES:
        d = os.path.join(PEERS, "samples", name)
        r = subprocess.run([sys.executable, os.path.join(CREDSSP, "decode_samples.py"), d, "Passw0rd!"],
                           capture_output=True, text=True, cwd=CREDSSP)
        if r.returncode or "ALL_CHECKS_OK" not in r.stdout:
            raise SystemExit("decode_samples failed on %s:\n%s%s" % (name, r.stdout, r.stderr))
        client = re.search(r"client pubKeyAuth plaintext \(seq \d+\): ([0-9a-f]+)", r.stdout).group(1)
        server = re.search(r"server pubKeyAuth plaintext \(seq \d+\): ([0-9a-f]+)", r.stdout).group(1)
        msgs = [decode_samples.tsrequest_fields(m)
                for m in decode_samples.load(os.path.join(d, "client_sent.hex"))]
        nonces = [m["clientNonce"].hex() for m in msgs if m.get("clientNonce")]
        spk = open(os.path.join(d, "server_pubkey.der"), "rb").read()
        entry = {"sample": "samples/" + name, "subject_public_key": spk.hex()}
        if nonces:
            nonce = bytes.fromhex(nonces[0])
            assert hashlib.sha256(C2S + nonce + spk).hexdigest() == client
            assert hashlib.sha256(S2C + nonce + spk).hexdigest() == server
            entry.update(version="5+", nonce=nonce.hex(), client_server_hash=client, server_client_hash=server)
        else:
            # decode_samples prints long plaintexts truncated, but it compared the full
            # decrypted values itself ("raw key" / "key, first byte+1" ... OK).
            assert "client pubKeyAuth value (raw key)            OK" in r.stdout
            assert "server pubKeyAuth value (key, first byte+1)  OK" in r.stdout
            server_full = bytes([(spk[0] + 1) & 0xFF]) + spk[1:]
            assert spk.hex().startswith(client) and server_full.hex().startswith(server)
            entry.update(version="2-4", client_pub_key_auth=spk.hex(), server_pub_key_auth=server_full.hex())
        out.append(entry)
    doc = {"description": "[MS-CSSP] 3.1.5 pubKeyAuth plaintexts from real pyspnego exchanges; see README.md",
           "cases": out}
    with open(os.path.join(OUT, "credssp_binding.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("credssp_binding.json: %d samples" % len(out))


if __name__ == "__main__":
    main()
