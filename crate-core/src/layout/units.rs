//! How addresses and sizes are written: exact hex, and IEC units that never round silently.

/// `0x` and 16 hex digits, as the kernel prints physical addresses.
pub fn hex(addr: u64) -> String {
    format!("{addr:#018x}")
}

/// The shortest hex form (`0x9f000`), for axis labels.
pub fn short_hex(addr: u64) -> String {
    format!("{addr:#x}")
}

/// A size in the largest IEC unit it fills, with up to two decimals; `~` marks a rounded value.
pub fn iec(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut unit = 0;
    while unit + 1 < UNITS.len() && bytes >> (10 * (unit + 1)) > 0 {
        unit += 1;
    }
    let scale = 1u128 << (10 * unit);
    let whole = u128::from(bytes) / scale;
    let rest = u128::from(bytes) % scale;
    if rest == 0 {
        return format!("{whole} {}", UNITS[unit]);
    }
    let hundredths = (rest * 100 + scale / 2) / scale;
    let exact = rest * 100 % scale == 0;
    let approx = if exact { "" } else { "~" };
    let (whole, hundredths) = if hundredths == 100 {
        (whole + 1, 0)
    } else {
        (whole, hundredths)
    };
    format!("{approx}{whole}.{hundredths:02} {}", UNITS[unit])
}

/// Bytes with thousands separators, for the exact size next to the IEC one.
pub fn grouped(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iec_is_exact_or_says_it_rounded() {
        assert_eq!(iec(0), "0 B");
        assert_eq!(iec(4096), "4 KiB");
        assert_eq!(iec(0x61000), "388 KiB");
        assert_eq!(iec(1 << 40), "1 TiB");
        assert_eq!(iec(1536 * 1024), "1.50 MiB");
        assert_eq!(iec(316_436 * 1024), "~309.02 MiB");
        assert_eq!(iec(u64::MAX), "~16.00 EiB");
    }

    #[test]
    fn grouping_and_hex() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_048_576), "1,048,576");
        assert_eq!(hex(0x9f000), "0x000000000009f000");
        assert_eq!(short_hex(0x9f000), "0x9f000");
    }
}
