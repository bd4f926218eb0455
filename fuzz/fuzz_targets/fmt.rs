//! `cargo fuzz run fmt`: see fuzz/README.md for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fmc_fuzz::fmt(data));
