//! Kubernetes resource quantities (`500m`, `1.1G`, `2Gi`, `1e3`) read exactly.
//!
//! Quantities feed numbers into the function details (cpu cores, ram bytes), the JVM's
//! direct-memory cap and the HPA's limit/request ratio. They are parsed into an exact
//! decimal so that `1.1G` is 1 100 000 000 bytes, not a float approximation.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// `mantissa × 10^exp10 × 2^exp2`, exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exact {
    mantissa: i128,
    exp10: i32,
    exp2: u32,
}

fn parse(text: &str) -> Option<Exact> {
    let text = text.trim();
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(number_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    let mut exp10 = -i32::try_from(frac_part.len()).ok()?;
    let mut exp2 = 0;
    match suffix {
        "" => {}
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        "Ki" => exp2 = 10,
        "Mi" => exp2 = 20,
        "Gi" => exp2 = 30,
        "Ti" => exp2 = 40,
        "Pi" => exp2 = 50,
        "Ei" => exp2 = 60,
        s if s.starts_with(['e', 'E']) => exp10 = exp10.checked_add(s[1..].parse::<i32>().ok()?)?,
        _ => return None,
    }
    if negative {
        mantissa = -mantissa;
    }
    Some(Exact {
        mantissa,
        exp10,
        exp2,
    })
}

impl Exact {
    /// `self × scale`, rounded towards zero; `None` on overflow.
    fn scaled_floor(self, scale: i128) -> Option<i128> {
        let mut v = self.mantissa.checked_mul(scale)?;
        v = v.checked_mul(1i128.checked_shl(self.exp2)?)?;
        if self.exp10 >= 0 {
            for _ in 0..self.exp10 {
                v = v.checked_mul(10)?;
            }
        } else {
            for _ in 0..self.exp10.unsigned_abs().min(40) {
                v /= 10;
            }
        }
        Some(v)
    }
}

/// Whole units (bytes for memory), rounded down. `None` if unparsable or out of range.
pub fn to_units(q: &Quantity) -> Option<i128> {
    parse(&q.0)?.scaled_floor(1)
}

/// Thousandths of a unit (millicores for cpu), rounded down.
pub fn to_millis(q: &Quantity) -> Option<i128> {
    parse(&q.0)?.scaled_floor(1000)
}

/// The value as a float (cpu cores in the function details).
pub fn to_f64(q: &Quantity) -> Option<f64> {
    // Millis are exact for every sensible cpu value; nano-precision is not needed here.
    to_millis(q).map(|m| m as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity(s.to_owned())
    }

    #[test]
    fn decimal_and_binary_suffixes() {
        assert_eq!(to_units(&q("1.1G")), Some(1_100_000_000));
        assert_eq!(to_units(&q("1G")), Some(1_000_000_000));
        assert_eq!(to_units(&q("2Gi")), Some(2 * 1024 * 1024 * 1024));
        assert_eq!(to_units(&q("512Mi")), Some(512 * 1024 * 1024));
        assert_eq!(to_units(&q("1e3")), Some(1000));
        assert_eq!(to_millis(&q("0.1")), Some(100));
        assert_eq!(to_millis(&q("250m")), Some(250));
        assert_eq!(to_millis(&q("2")), Some(2000));
        assert_eq!(to_f64(&q("0.2")), Some(0.2));
        assert_eq!(to_units(&q("1.5Ki")), Some(1536));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(to_units(&q("")), None);
        assert_eq!(to_units(&q("abc")), None);
        assert_eq!(to_units(&q("1.2.3")), None);
        assert_eq!(to_units(&q("1X")), None);
        assert_eq!(to_units(&q("1e999")), None);
        assert_eq!(to_units(&q("0.5e-2147483648")), None);
        assert_eq!(to_units(&q("1e-2147483648")), Some(0));
    }
}
