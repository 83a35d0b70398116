//! The card-info application's file decoders (BER-TLV with 2-byte private tags, the DF21
//! offset table, the integrity record, the card-verifiable certificate, EF 0005 and 0007) on
//! arbitrary files, through `inspect_dump`, which decodes and checks whatever is present.
//!
//! Input: a byte whose low seven bits say which of EF 0001 … 0007 are present, then for each
//! present file a big-endian u16 length and that many bytes (cut short at the end of the
//! input). Proves that nothing panics, that a check passes only when every file it needs is
//! present, and that the report never puts a digit string of the My Number into a reason.
#![no_main]

use std::collections::BTreeMap;

use kazashi::card_info::{inspect_dump, DumpCheck};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

fn files(data: &[u8]) -> BTreeMap<u16, Vec<u8>> {
    let mut files = BTreeMap::new();
    let Some((&mask, mut rest)) = data.split_first() else {
        return files;
    };
    for fid in 1u16..=7 {
        if mask & (1 << (fid - 1)) == 0 {
            continue;
        }
        let len = match rest {
            [hi, lo, tail @ ..] => {
                rest = tail;
                usize::from(u16::from_be_bytes([*hi, *lo]))
            }
            _ => 0,
        };
        let (file, tail) = rest.split_at(len.min(rest.len()));
        files.insert(fid, file.to_vec());
        rest = tail;
    }
    files
}

fuzz_target!(|data: &[u8]| {
    let files = files(data);
    let report = inspect_dump(&files, None).expect("no issuer key, no error");
    let needs = |check: &DumpCheck, fids: &[u16]| {
        if *check == DumpCheck::Passed {
            for fid in fids {
                assert!(files.contains_key(fid), "passed without EF {fid:04X}");
            }
        }
    };
    needs(&report.my_number_digest, &[1, 3]);
    needs(&report.attributes_digest, &[2, 3]);
    needs(&report.record_signature, &[3, 4]);
    needs(&report.key_file_signature, &[4, 7]);
    assert_ne!(report.issuer, DumpCheck::Passed, "no issuer key was given");
    if let Some(Ok(number)) = &report.my_number {
        let digits = number.digits();
        assert_eq!(digits.len(), 12);
        for (_, reason) in &report.problems {
            assert!(!reason.contains(digits));
        }
        assert!(!format!("{number:?}").contains(digits));
    }
    if let Some(Ok(attributes)) = &report.attributes {
        assert_eq!(attributes.birth_date.len(), 8);
        let _ = format!("{attributes:?}");
    }
    assert_eq!(report.present, files.keys().copied().collect::<Vec<_>>());
});
