#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| efiviz_fuzz::uefi_shell(data));
