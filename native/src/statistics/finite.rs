//! Finiteness scan: the check the statistics kernels need before selection,
//! done on exponent bits so it vectorises (a float `is_finite` with an early
//! exit does not).

const EXP: u64 = 0x7ff0_0000_0000_0000;
const BLOCK: usize = 1024;

/// Index of the first NaN or ±Infinity in `x`, if any.
pub fn first_non_finite(x: &[f64]) -> Option<usize> {
  for (b, block) in x.chunks(BLOCK).enumerate() {
    // All-ones exponent means NaN or infinity; OR the flags of a whole block branch-free.
    let any = block.iter().fold(0u64, |acc, v| acc | u64::from(v.to_bits() & EXP == EXP));
    if any != 0 {
      return block.iter().position(|v| !v.is_finite()).map(|i| b * BLOCK + i);
    }
  }
  None
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn finds_the_first_non_finite() {
    let mut x = vec![1.0; 5000];
    assert_eq!(first_non_finite(&x), None);
    assert_eq!(first_non_finite(&[]), None);
    x[4097] = f64::NEG_INFINITY;
    x[4500] = f64::NAN;
    assert_eq!(first_non_finite(&x), Some(4097));
    x[3] = f64::NAN;
    assert_eq!(first_non_finite(&x), Some(3));
    assert_eq!(first_non_finite(&[f64::MAX, f64::MIN_POSITIVE, -0.0, 5e-324]), None);
  }
}
