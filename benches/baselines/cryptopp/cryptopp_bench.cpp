// cryptopp_bench.cpp - Crypto++ baseline for benches/benches/crypto.rs.
//
// Built and run by `cargo xtask bench`:
//   g++ -O2 -std=c++17 -o cryptopp_bench cryptopp_bench.cpp -lcryptopp
//   cryptopp_bench RSA_PKCS8_DER SAMPLES SAMPLE_MS [FILTER]
//
// Each operation mirrors one criterion bench of ours, on the same inputs, and
// is reported under the same "group/function" ID. Timing is in-process: the
// batch size is calibrated so that one sample takes about SAMPLE_MS, then
// SAMPLES samples are taken and the median per-operation time is printed.
// Every operation's result is checked once before timing.
//
// Output, one line per operation (everything else goes to stderr):
//   BENCH <group>/<function> <median_ns> samples=<n> batch=<k>
// and first a line `PEER Crypto++ <major>.<minor>.<rev>`.
#define CRYPTOPP_ENABLE_NAMESPACE_WEAK 1
#include <cryptopp/arc4.h>
#include <cryptopp/config_ver.h>
#include <cryptopp/cryptlib.h>
#include <cryptopp/elgamal.h>
#include <cryptopp/files.h>
#include <cryptopp/hmac.h>
#include <cryptopp/integer.h>
#include <cryptopp/osrng.h>
#include <cryptopp/rsa.h>
#include <cryptopp/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace CryptoPP;
using Clock = std::chrono::steady_clock;

namespace {

volatile unsigned g_sink;  // keeps results observable

struct Runner {
    int samples;
    double sample_ms;
    std::string filter;

    void run(const std::string &id, const std::function<void()> &op) const {
        if (!filter.empty() && id.find(filter) == std::string::npos) return;
        // Warm up and calibrate: grow the batch until it takes >= sample_ms / 4.
        long batch = 1;
        for (;;) {
            auto t0 = Clock::now();
            for (long i = 0; i < batch; i++) op();
            double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            if (ms >= sample_ms / 4 || batch >= (1L << 30)) {
                double per_op_ms = ms / batch;
                batch = std::max(1L, (long)(sample_ms / std::max(per_op_ms, 1e-9)));
                break;
            }
            batch *= 2;
        }
        std::vector<double> ns;
        ns.reserve(samples);
        for (int s = 0; s < samples; s++) {
            auto t0 = Clock::now();
            for (long i = 0; i < batch; i++) op();
            ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / batch);
        }
        std::sort(ns.begin(), ns.end());
        double median = samples % 2 ? ns[samples / 2] : (ns[samples / 2 - 1] + ns[samples / 2]) / 2;
        std::printf("BENCH %s %.1f samples=%d batch=%ld\n", id.c_str(), median, samples, batch);
        std::fflush(stdout);
    }
};

[[noreturn]] void fail(const std::string &what) {
    std::fprintf(stderr, "cryptopp_bench: self-check failed: %s\n", what.c_str());
    std::exit(4);
}

// SHA-1 over the concatenation of fields (crypto_primitives::sha1_of_fields).
void sha1OfFields(const std::vector<std::string> &fields, byte out[SHA1::DIGESTSIZE]) {
    SHA1 h;
    for (const auto &f : fields) h.Update((const byte *)f.data(), f.size());
    h.Final(out);
}

void benchMarc4(const Runner &r) {
    // One Groove nonce operation: key XOR IV, RC4 key schedule, 256-byte drop, 24 bytes.
    const std::string key(24, '\x42'), iv(24, '\x17');
    r.run("marc4/nonce_24B_incl_key_setup", [&] {
        byte k[24], nonce[24];
        for (int i = 0; i < 24; i++) k[i] = (byte)(key[i] ^ iv[i]);
        std::memset(nonce, 0x5A, sizeof(nonce));
        Weak::MARC4 c(k, sizeof(k));
        c.ProcessData(nonce, nonce, sizeof(nonce));
        g_sink += nonce[0];
    });
}

void benchElgamal(const Runner &r) {
    AutoSeededRandomPool rng;
    const Integer p = Integer::Power2(1536) - Integer(0x16F055);  // Groove 2007 group
    ElGamal::Decryptor dec;
    dec.AccessKey().GenerateRandom(rng, MakeParameters(Name::Modulus(), p)(Name::SubgroupGenerator(), Integer(3)));
    ElGamal::Encryptor enc(dec);
    std::vector<byte> pt(24, 0xA5), ct(enc.FixedCiphertextLength()), out(enc.FixedMaxPlaintextLength() + 1);
    enc.Encrypt(rng, pt.data(), pt.size(), ct.data());
    DecodingResult d = dec.Decrypt(rng, ct.data(), ct.size(), out.data());
    if (!d.isValidCoding || d.messageLength != pt.size() || std::memcmp(out.data(), pt.data(), pt.size()))
        fail("elgamal round trip");
    std::vector<byte> ct2(ct.size());
    r.run("elgamal_groove1536/encrypt_24B", [&] {
        enc.Encrypt(rng, pt.data(), pt.size(), ct2.data());
        g_sink += ct2[0];
    });
    r.run("elgamal_groove1536/decrypt_24B", [&] {
        DecodingResult res = dec.Decrypt(rng, ct.data(), ct.size(), out.data());
        g_sink += (unsigned)res.messageLength;
    });
}

void benchRsa(const Runner &r, const char *pkcs8Path) {
    AutoSeededRandomPool rng;
    RSA::PrivateKey key;
    FileSource fs(pkcs8Path, true);
    key.Load(fs);
    RSA::PublicKey pub(key);
    RSASS<PKCS1v15, SHA1>::Signer signer(key);
    RSASS<PKCS1v15, SHA1>::Verifier verifier(pub);
    // [MS-GRVSSTPS] 2.2.12: Crypto++'s signer over the 20-byte SHA-1 of the fields,
    // as crypto_primitives::RsaSigningKey::sign_grvsstps (byte-identical).
    const std::vector<std::string> fields = {std::string(1, '\x04'), std::string("grooveAccount://x@\0", 19),
                                             std::string(100, '\x07')};
    byte digest[SHA1::DIGESTSIZE];
    std::vector<byte> sig(signer.MaxSignatureLength());
    auto signOnce = [&] {
        sha1OfFields(fields, digest);
        return signer.SignMessage(rng, digest, sizeof(digest), sig.data());
    };
    size_t sigLen = signOnce();
    auto verifyOnce = [&] {
        sha1OfFields(fields, digest);
        return verifier.VerifyMessage(digest, sizeof(digest), sig.data(), sigLen);
    };
    if (!verifyOnce()) fail("rsa sign/verify");
    r.run("rsa2048_sha1/verify_grvsstps", [&] { g_sink += verifyOnce(); });
    std::vector<byte> sig2(sig.size());
    r.run("rsa2048_sha1/sign_grvsstps", [&] {
        sha1OfFields(fields, digest);
        g_sink += (unsigned)signer.SignMessage(rng, digest, sizeof(digest), sig2.data());
    });
}

void benchHmac(const Runner &r) {
    // crypto_primitives::hmac_sha1_of_sha1: HMAC-SHA1(key, SHA-1(fields)), SecConnect-sized.
    const std::string key(24, '\x42');
    const std::vector<std::string> fields = {
        std::string(1, '\x01'), std::string("dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2ab\0", 49),
        std::string(20, '\x11'), std::string(24, '\x22')};
    size_t total = 0;
    for (const auto &f : fields) total += f.size();
    r.run("hmac_sha1_of_sha1/" + std::to_string(total) + "B_in_4_fields", [&] {
        byte digest[SHA1::DIGESTSIZE], mac[SHA1::DIGESTSIZE];
        sha1OfFields(fields, digest);
        HMAC<SHA1> h((const byte *)key.data(), key.size());
        h.CalculateDigest(mac, digest, sizeof(digest));
        g_sink += mac[0];
    });
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        std::fprintf(stderr, "usage: cryptopp_bench RSA_PKCS8_DER SAMPLES SAMPLE_MS [FILTER]\n");
        return 2;
    }
    Runner r{std::max(1, std::atoi(argv[2])), std::max(0.01, std::atof(argv[3])), argc == 5 ? argv[4] : ""};
    std::printf("PEER Crypto++ %d.%d.%d\n", CRYPTOPP_MAJOR, CRYPTOPP_MINOR, CRYPTOPP_REVISION);
    try {
        benchMarc4(r);
        benchElgamal(r);
        benchRsa(r, argv[1]);
        benchHmac(r);
    } catch (const Exception &e) {
        std::fprintf(stderr, "cryptopp_bench: Crypto++ exception: %s\n", e.what());
        return 3;
    }
    return 0;
}
