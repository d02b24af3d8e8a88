#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| efiviz_fuzz::dmesg(data));
