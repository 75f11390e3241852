"""Shared helpers for the crypto vector generators (see ../README.md)."""
import hashlib
import os
import subprocess

PEERS = os.environ.get("PEERS", "/work/shared/peers")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
BUILD = os.environ.get("ORACLE_BUILD", "/tmp/crypto-oracles")


def oracle(name):
    """Builds peers/cryptopp/NAME.cpp with g++ -lcryptopp (once) and returns the binary path."""
    os.makedirs(BUILD, exist_ok=True)
    exe = os.path.join(BUILD, name)
    src = os.path.join(PEERS, "cryptopp", name + ".cpp")
    if not os.path.exists(exe):
        subprocess.run(["g++", "-O2", "-std=c++17", "-o", exe, src, "-lcryptopp"], check=True)
    return exe


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if r.returncode:
        raise SystemExit("%s failed: %s %s" % (args, r.stdout, r.stderr))
    return r.stdout


def det_bytes(label, n):
    """Deterministic filler bytes: SHA-256 in counter mode over a label."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(label.encode() + i.to_bytes(4, "big")).digest()
        i += 1
    return out[:n]
