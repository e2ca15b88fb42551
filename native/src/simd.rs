//! Run-time SIMD level selection.
//!
//! The crate is compiled for the baseline target CPU, so wider instruction
//! sets are only used through `#[target_feature]` functions that are called
//! after `is_x86_feature_detected!` said yes. `HOTPATH_SIMD` can only lower
//! the level: a request above what the CPU reports is ignored, because
//! executing an unsupported instruction would be SIGILL, not an error.

use std::sync::OnceLock;

/// Ordered from narrowest to widest so `min`/`<=` express "cap at".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
  Scalar,
  Neon,
  Avx2,
  Avx512,
}

impl Level {
  pub fn name(self) -> &'static str {
    match self {
      Level::Scalar => "scalar",
      Level::Neon => "neon",
      Level::Avx2 => "avx2",
      Level::Avx512 => "avx512",
    }
  }
}

/// Every level this CPU can run, narrowest first (always starts with Scalar).
pub fn supported_levels() -> Vec<Level> {
  let mut levels = vec![Level::Scalar];
  #[cfg(target_arch = "x86_64")]
  {
    // AVX-512 also requires AVX2+FMA so that capping at "avx2" always has
    // an AVX2 level to land on (every AVX-512 CPU has both anyway).
    let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
    if avx2 {
      levels.push(Level::Avx2);
      if is_x86_feature_detected!("avx512f") {
        levels.push(Level::Avx512);
      }
    }
  }
  #[cfg(target_arch = "aarch64")]
  {
    // NEON (incl. f64 lanes) is part of the aarch64 baseline.
    levels.push(Level::Neon);
  }
  levels
}

/// Parses an `HOTPATH_SIMD` value into a cap; `None` means "no cap".
pub fn parse_cap(value: Option<&str>) -> Option<Level> {
  match value?.trim().to_ascii_lowercase().as_str() {
    "scalar" | "none" | "off" => Some(Level::Scalar),
    "neon" => Some(Level::Neon),
    "avx2" => Some(Level::Avx2),
    "avx512" => Some(Level::Avx512),
    // "auto", empty and unknown values: best detected. Unknown values are
    // not an error because this is read lazily, far from where it was set.
    _ => None,
  }
}

/// Highest supported level that does not exceed `cap`.
/// On x86 a "neon" cap has no 128-bit kernel to map to, so it yields scalar.
pub fn resolve(supported: &[Level], cap: Option<Level>) -> Level {
  supported.iter().copied().filter(|&l| cap.is_none_or(|c| l <= c)).max().unwrap_or(Level::Scalar)
}

/// The level every kernel dispatch uses; env is read once.
pub fn level() -> Level {
  static LEVEL: OnceLock<Level> = OnceLock::new();
  *LEVEL.get_or_init(|| {
    let env = std::env::var("HOTPATH_SIMD").ok();
    resolve(&supported_levels(), parse_cap(env.as_deref()))
  })
}

/// CPU features as reported by the OS/CPUID, independent of the override.
pub fn features() -> Vec<String> {
  #[allow(unused_mut)]
  let mut out: Vec<&'static str> = Vec::new();
  #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
  {
    macro_rules! probe {
      ($($f:tt),* $(,)?) => {
        $( if is_x86_feature_detected!($f) { out.push($f); } )*
      };
    }
    probe!(
      "sse2",
      "sse3",
      "ssse3",
      "sse4.1",
      "sse4.2",
      "popcnt",
      "avx",
      "avx2",
      "fma",
      "f16c",
      "bmi1",
      "bmi2",
      "avx512f",
      "avx512cd",
      "avx512dq",
      "avx512bw",
      "avx512vl",
      "avx512vnni",
      "avx512bf16",
      "avx512fp16",
    );
  }
  #[cfg(target_arch = "aarch64")]
  {
    macro_rules! probe {
      ($($f:tt),* $(,)?) => {
        $( if std::arch::is_aarch64_feature_detected!($f) { out.push($f); } )*
      };
    }
    probe!("neon", "fp16", "dotprod", "sve", "sve2", "aes", "sha2", "crc");
  }
  out.into_iter().map(String::from).collect()
}

/// Defines `$vis fn $name(args) -> ret` that runs `$body(args)` compiled
/// for the active level (`level()`, so `HOTPATH_SIMD` applies). `$body`
/// should be `#[inline(always)]` plain Rust: LLVM vectorises it once per
/// level. Without FMA contraction (Rust never contracts) the arithmetic is
/// the same at every level, so results are bit-identical; only the
/// registers differ.
macro_rules! dispatch {
  ($vis:vis fn $name:ident($($a:ident: $t:ty),*) -> $r:ty => $body:ident) => {
    $vis fn $name($($a: $t),*) -> $r {
      #[cfg(target_arch = "x86_64")]
      {
        #[target_feature(enable = "avx512f")]
        fn avx512($($a: $t),*) -> $r {
          $body($($a),*)
        }
        #[target_feature(enable = "avx2")]
        fn avx2($($a: $t),*) -> $r {
          $body($($a),*)
        }
        match $crate::simd::level() {
          // SAFETY: simd::level() only returns levels this CPU supports.
          $crate::simd::Level::Avx512 => return unsafe { avx512($($a),*) },
          $crate::simd::Level::Avx2 => return unsafe { avx2($($a),*) },
          _ => {}
        }
      }
      $body($($a),*)
    }
  };
}
pub(crate) use dispatch;

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn cap_never_exceeds_hardware() {
    let only_scalar = [Level::Scalar];
    assert_eq!(resolve(&only_scalar, Some(Level::Avx512)), Level::Scalar);
    let x86 = [Level::Scalar, Level::Avx2, Level::Avx512];
    assert_eq!(resolve(&x86, None), Level::Avx512);
    assert_eq!(resolve(&x86, Some(Level::Avx2)), Level::Avx2);
    assert_eq!(resolve(&x86, Some(Level::Scalar)), Level::Scalar);
    assert_eq!(resolve(&x86, Some(Level::Neon)), Level::Scalar);
    let avx2_only = [Level::Scalar, Level::Avx2];
    assert_eq!(resolve(&avx2_only, parse_cap(Some("avx512"))), Level::Avx2);
  }

  #[test]
  fn parse_values() {
    assert_eq!(parse_cap(None), None);
    assert_eq!(parse_cap(Some("auto")), None);
    assert_eq!(parse_cap(Some(" SCALAR ")), Some(Level::Scalar));
    assert_eq!(parse_cap(Some("avx2")), Some(Level::Avx2));
    assert_eq!(parse_cap(Some("bogus")), None);
  }
}
