//! The deterministic PRNG of every test (xorshift64*, dependency-free).

pub struct Rng(pub u64);

impl Rng {
  /// A generator from any seed (mixed, never zero).
  pub fn new(seed: u64) -> Rng {
    Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
  }
  pub fn next(&mut self) -> u64 {
    self.0 ^= self.0 >> 12;
    self.0 ^= self.0 << 25;
    self.0 ^= self.0 >> 27;
    self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
  }
  pub fn below(&mut self, n: u64) -> u64 {
    self.next() % n
  }
  pub fn chance(&mut self, percent: u64) -> bool {
    self.below(100) < percent
  }
  /// Uniform in [0, 1).
  pub fn unit(&mut self) -> f64 {
    (self.next() >> 11) as f64 / (1u64 << 53) as f64
  }
  /// Uniform in [-1, 1).
  pub fn signed_unit(&mut self) -> f64 {
    self.unit() * 2.0 - 1.0
  }
  /// `n` values uniform in [-1, 1).
  pub fn vec_f32(&mut self, n: usize) -> Vec<f32> {
    (0..n).map(|_| self.signed_unit() as f32).collect()
  }
  /// `n` values uniform in [-1000, 1000).
  pub fn vec_f64(&mut self, n: usize) -> Vec<f64> {
    (0..n).map(|_| self.signed_unit() * 1e3).collect()
  }
}
