//! Step 2, the building blocks, without a network: fresh nonces, the HMAC tag
//! (checked against the RFC 4231 test vectors) and constant-time comparison.
//!
//! The lesson: (lesson 02.5, 'The nonce must be fresh and unpredictable'),
//! (lesson 02.5, 'Computing the answer: HMAC, not a plain hash') and
//! (lesson 02.5, 'Comparing the answer in constant time').

use std::collections::HashSet;

use auth_handshake::{compute_tag, constant_time_eq, fresh_nonce, NONCE_LEN};
use testkit::expect;

#[test]
fn equal_slices_compare_equal() {
    let tag: Vec<u8> = (0..32).map(|i| i * 7).collect();
    for (what, a, b) in [
        ("two empty slices", &[][..], &[][..]),
        ("one equal byte", &[42u8][..], &[42u8][..]),
        ("two copies of a 32-byte tag", &tag[..], &tag.clone()[..]),
    ] {
        expect::eq(
            &format!("constant_time_eq on {what}"),
            &constant_time_eq(a, b),
            &true,
            "equal length and equal bytes must give true",
        );
    }
}

#[test]
fn a_difference_anywhere_is_found() {
    let tag: Vec<u8> = (0..32).map(|i| i * 7).collect();
    for position in 0..tag.len() {
        for bit in [0x01u8, 0x80] {
            let mut other = tag.clone();
            other[position] ^= bit;
            expect::eq(
                &format!(
                    "constant_time_eq on tags that differ only in byte {position} (bit {bit:#04x})"
                ),
                &constant_time_eq(&tag, &other),
                &false,
                "every byte pair must count, the last one as much as the first: \
                 OR the XOR of each pair into one accumulator and test it once at the end",
            );
        }
    }
}

#[test]
fn differences_in_several_bytes_never_cancel_out() {
    let tag: Vec<u8> = (0..32).map(|i| i * 7).collect();
    for (first, second) in [(0, 1), (0, 31), (10, 20)] {
        // The same bit flipped in two bytes: XOR-ing the differences together
        // (instead of OR-ing them) would cancel them out.
        let mut other = tag.clone();
        other[first] ^= 0x10;
        other[second] ^= 0x10;
        expect::eq(
            &format!(
                "constant_time_eq on tags that differ in bytes {first} and {second} (the same bit)"
            ),
            &constant_time_eq(&tag, &other),
            &false,
            "collect the differences with OR: once a bit is set it stays set, while a \
             second XOR of the same bit would clear it again",
        );
    }
}

#[test]
fn slices_of_different_lengths_are_never_equal() {
    let tag = [9u8; 32];
    for (what, a, b) in [
        ("a tag and its first 31 bytes", &tag[..], &tag[..31]),
        ("the first 31 bytes and the whole tag", &tag[..31], &tag[..]),
        ("an empty slice and a tag", &[][..], &tag[..]),
        ("a tag and an empty slice", &tag[..], &[][..]),
    ] {
        expect::eq(
            &format!("constant_time_eq on {what}"),
            &constant_time_eq(a, b),
            &false,
            "zip stops at the shorter slice, so compare the lengths first: an answer \
             that is a prefix of the right tag must not pass",
        );
    }
}

/// The test cases of RFC 4231, "Identifiers and Test Vectors for HMAC-SHA-224,
/// HMAC-SHA-256, HMAC-SHA-384, and HMAC-SHA-512", for HMAC-SHA-256.
#[test]
fn tags_match_the_rfc_4231_test_vectors() {
    let cases: [(&str, Vec<u8>, &[u8], &str); 6] = [
        (
            "test case 1 (20-byte key)",
            vec![0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            "test case 2 (a key shorter than the output)",
            b"Jefe".to_vec(),
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            "test case 3 (50 bytes of 0xdd)",
            vec![0xaa; 20],
            &[0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            "test case 4 (a 25-byte key 0x01..=0x19, 50 bytes of 0xcd)",
            (1..=25).collect(),
            &[0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            "test case 6 (a 131-byte key, longer than SHA-256's 64-byte block)",
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            "test case 7 (a 131-byte key and a 152-byte message, both over one block)",
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size \
              data. The key needs to be hashed before being used by the HMAC algorithm.",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (what, key, message, want) in cases {
        let got = hex(&compute_tag(&key, message));
        expect::eq(
            &format!("compute_tag for RFC 4231 {what}"),
            got.as_str(),
            want,
            "the tag is HMAC-SHA256 (key first, then the message), not SHA-256 of the \
             key and message glued together",
        );
    }
}

#[test]
fn fresh_nonces_are_random_and_never_repeat() {
    let nonces: Vec<[u8; NONCE_LEN]> = (0..16)
        .map(|_| expect::ok("fresh_nonce()", fresh_nonce(), "read the bytes from OsRng"))
        .collect();
    let distinct: HashSet<_> = nonces.iter().collect();
    expect::eq(
        "how many of 16 fresh nonces are distinct",
        &distinct.len(),
        &16,
        "a nonce must come from the OS random generator, fresh for every call",
    );
    expect::that(
        nonces.iter().all(|n| n.iter().any(|&b| b != 0)),
        "no nonce should be all zeros (an array that was never filled)",
        nonces.iter().map(|n| hex(n)).collect::<Vec<_>>(),
        "fill the array with try_fill_bytes before returning it",
    );
}

#[test]
fn fresh_nonces_look_random() {
    let nonces: Vec<[u8; NONCE_LEN]> = (0..64)
        .map(|_| expect::ok("fresh_nonce()", fresh_nonce(), "read the bytes from OsRng"))
        .collect();
    // 64 random bytes take about 57 of the 256 values; a counter, a clock or a
    // partly filled array leaves some positions (its high bytes, its tail) fixed.
    for position in 0..NONCE_LEN {
        let values: HashSet<u8> = nonces.iter().map(|nonce| nonce[position]).collect();
        expect::that(
            values.len() >= 24,
            &format!("byte {position} of 64 fresh nonces takes many different values"),
            format!(
                "{} different values: {}",
                values.len(),
                hex(&nonces.iter().map(|n| n[position]).collect::<Vec<_>>())
            ),
            "every byte of a nonce must be unpredictable: fill the whole array from the \
             operating system's generator, not from a counter, a clock or a seeded RNG",
        );
    }
    // About half of all the bits are ones (16384 bits: 8192, give or take 64).
    let ones: u32 = nonces.iter().flatten().map(|byte| byte.count_ones()).sum();
    expect::that(
        (7400..=8984).contains(&ones),
        "about half of the 16384 bits of 64 fresh nonces are ones",
        format!("{ones} ones"),
        "random bytes have as many ones as zeros; text, small numbers or a pattern \
         do not",
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
