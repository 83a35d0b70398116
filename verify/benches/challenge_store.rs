//! How fast the in-memory challenge store issues and spends challenges with 1k, 100k and 1M
//! outstanding: a report, not a test (nothing here fails on a slow machine). Before the store
//! pruned in expiry order, issuing scanned every entry of the last day (21 µs at 10k, 8.9 ms at
//! 1M outstanding, release build).
//!
//! `cargo bench -p kazashi-verify --bench challenge_store` for release figures;
//! `cargo test -p kazashi-verify --bench challenge_store` runs it as the tests build it.

use std::time::Instant;

use kazashi_verify::{ChallengeStore, InMemoryChallengeStore};

const NOW: i64 = 1_800_000_000;
/// Pairs of issue + spend measured at each size.
const ROUNDS: u32 = 20_000;

fn challenge(n: u64) -> [u8; 32] {
    let mut c = [0u8; 32];
    c[..8].copy_from_slice(&n.to_be_bytes());
    c[8..16].copy_from_slice(&n.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
    c
}

fn main() {
    println!("challenge store: issue + spend per second, by challenges outstanding");
    println!("| outstanding | issue+spend per s | µs per pair |");
    println!("|------------:|------------------:|------------:|");
    for outstanding in [1_000u64, 100_000, 1_000_000] {
        // Room for the spent ones too: they stay until their grace period ends.
        let store = InMemoryChallengeStore::with_max_outstanding(
            (outstanding + u64::from(ROUNDS)) as usize,
        );
        // Outstanding challenges with mixed lifetimes (2 min to a day), issued over time.
        for n in 0..outstanding {
            let issued = NOW + (n as i64 % 60);
            let ttl = if n % 10 == 0 { 86_400 } else { 120 };
            store.remember(&challenge(n), issued, issued + ttl).unwrap();
        }
        let started = Instant::now();
        for round in 0..u64::from(ROUNDS) {
            let c = challenge(outstanding + round);
            // Time stands still: nothing expires, so the store stays at its size.
            store.remember(&c, NOW + 60, NOW + 180).unwrap();
            store.take(&c, NOW + 61).unwrap();
        }
        let elapsed = started.elapsed().as_secs_f64();
        let per_second = f64::from(ROUNDS) / elapsed;
        println!(
            "| {outstanding:>11} | {per_second:>17.0} | {:>11.2} |",
            elapsed * 1e6 / f64::from(ROUNDS)
        );
        assert!(store.len() >= outstanding as usize);
    }
}
