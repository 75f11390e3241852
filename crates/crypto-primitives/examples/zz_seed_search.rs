use crypto_primitives::elgamal::Group;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
fn main() {
    for seed in 0u64..12 {
        let t = std::time::Instant::now();
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let g = Group::generate(&mut rng, 1024).unwrap();
        println!("seed {seed} {:?} g={:?}", t.elapsed(), g.g_be());
    }
    let t = std::time::Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let _ = Group::generate(&mut rng, 1536).unwrap();
    println!("1536: {:?}", t.elapsed());
}
