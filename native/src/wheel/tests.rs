//! Model tests: random operation sequences against a naive list of pending
//! timers, plus the id / free-list policy modelled exactly.

use super::core::{Wheel, GEN_LIMIT, MAX_TICK};
use crate::abi::{WHEEL_GEN_UNIT, WHEEL_MAX_TIMERS};
use crate::test_rng::Rng;

/// The expected behaviour: pending (deadline, seq, id), plus the node
/// allocator (generations and the LIFO free list) to predict ids.
struct Model {
  pending: Vec<(f64, u64, f64)>,
  seq: u64,
  gen: Vec<u32>,
  free: Vec<u32>,
  now: f64,
}

impl Model {
  fn new(now: f64) -> Model {
    Model { pending: Vec::new(), seq: 0, gen: Vec::new(), free: Vec::new(), now }
  }

  fn index(id: f64) -> u32 {
    (id as u64 % WHEEL_GEN_UNIT) as u32
  }

  fn release(&mut self, i: u32) {
    self.gen[i as usize] += 1;
    if self.gen[i as usize] < GEN_LIMIT {
      self.free.push(i);
    }
  }

  fn schedule(&mut self, d: f64) -> f64 {
    let i = match self.free.pop() {
      Some(i) => i,
      None if self.gen.len() < WHEEL_MAX_TIMERS as usize => {
        self.gen.push(1);
        (self.gen.len() - 1) as u32
      }
      None => return -1.0,
    };
    let id = (self.gen[i as usize] as u64 * WHEEL_GEN_UNIT + i as u64) as f64;
    self.pending.push((d, self.seq, id));
    self.seq += 1;
    id
  }

  fn cancel(&mut self, id: f64) -> bool {
    match self.pending.iter().position(|p| p.2 == id) {
      Some(k) => {
        self.pending.swap_remove(k);
        self.release(Self::index(id));
        true
      }
      None => false,
    }
  }

  fn reschedule(&mut self, id: f64, d: f64) -> bool {
    match self.pending.iter_mut().find(|p| p.2 == id) {
      Some(p) => {
        *p = (d, self.seq, id);
        self.seq += 1;
        true
      }
      None => false,
    }
  }

  fn advance(&mut self, now: f64) -> Vec<u32> {
    self.now = now;
    let mut fired: Vec<(f64, u64, f64)> = self.pending.iter().copied().filter(|p| p.0 <= now).collect();
    self.pending.retain(|p| p.0 > now);
    fired.sort_by(|a, b| (a.0 + 0.0).total_cmp(&(b.0 + 0.0)).then(a.1.cmp(&b.1)));
    let out: Vec<u32> = fired.iter().map(|p| Self::index(p.2)).collect();
    for &i in &out {
      self.release(i);
    }
    out
  }

  fn clear(&mut self) {
    let mut idx: Vec<u32> = self.pending.iter().map(|p| Self::index(p.2)).collect();
    idx.sort_unstable();
    for i in idx {
      self.release(i);
    }
    self.pending.clear();
  }

  fn min_deadline(&self) -> f64 {
    self.pending.iter().map(|p| p.0).reduce(f64::min).unwrap_or(-1.0)
  }
}

fn assert_clean(w: &Wheel, ctx: &str) {
  let c = w.check();
  assert!(c.is_empty(), "{ctx}: check failed: {c}");
}

/// Spans S[1..=L] in ticks.
fn spans(wheels: &[u32]) -> Vec<u64> {
  let mut s = 1u64;
  wheels
    .iter()
    .map(|&n| {
      s *= n as u64;
      s
    })
    .collect()
}

/// A delay in ms that hits the interesting places: 0, level boundaries
/// (exact, one tick or a fraction either side), beyond the top span,
/// random small and large, or in the past.
fn delay(rng: &mut Rng, tick: f64, spans: &[u64]) -> f64 {
  let top = *spans.last().unwrap() as f64;
  match rng.below(12) {
    0 => 0.0,
    1 => tick * rng.below(4) as f64,
    2 | 3 => {
      let s = spans[rng.below(spans.len() as u64) as usize] as f64 * tick;
      match rng.below(5) {
        0 => s,
        1 => s - tick,
        2 => s + tick,
        3 => s - tick * 0.5,
        _ => s * (1 + rng.below(3)) as f64,
      }
    }
    4 => top * tick * (1.0 + rng.unit() * 3.0),
    5 => -(rng.unit() * 10.0 * tick),
    6 | 7 => rng.unit() * 20.0 * tick,
    8 => (rng.unit() * top * tick * 1.5).floor(),
    _ => rng.unit() * spans[rng.below(spans.len() as u64) as usize] as f64 * tick,
  }
}

/// nextWake straight from the contract's wording, by divisions over the
/// model's pending set: the placement of every timer relative to cur, the
/// lowest level used, its first block.
fn contract_next_wake(wheels: &[u32], tick_ms: f64, m: &Model) -> f64 {
  if m.pending.is_empty() {
    return -1.0;
  }
  let levels = wheels.len();
  let mut s = vec![1u64];
  for &n in wheels {
    s.push(s[s.len() - 1] * n as u64);
  }
  let cur = (m.now / tick_ms).floor() as u64;
  // (level, block of that level, deadline) per timer.
  let placed: Vec<(usize, u64, f64)> = m
    .pending
    .iter()
    .map(|&(d, _, _)| {
      let p = ((d / tick_ms).floor() as u64).max(cur);
      let l = (0..levels).find(|&l| p / s[l + 1] == cur / s[l + 1]).unwrap_or(levels);
      (l, p / s[l.min(levels)], d)
    })
    .collect();
  let low = placed.iter().map(|p| p.0).min().unwrap();
  // The least double whose tick reaches t (the product can round one tick short).
  let start = |t: u64| {
    let mut x = t as f64 * tick_ms;
    while (x / tick_ms).floor() < t as f64 {
      x = x.next_up();
    }
    x
  };
  if low == levels {
    return start((cur / s[levels] + 1) * s[levels]);
  }
  let block = placed.iter().filter(|p| p.0 == low).map(|p| p.1).min().unwrap();
  if low == 0 {
    placed.iter().filter(|p| p.0 == 0 && p.1 == block).map(|p| p.2).reduce(f64::min).unwrap()
  } else {
    start(block * s[low])
  }
}

fn compare(w: &Wheel, m: &Model, wheels: &[u32], ctx: &str) {
  assert_eq!(w.size() as usize, m.pending.len(), "{ctx}: size");
  assert_eq!(w.next_deadline().to_bits(), m.min_deadline().to_bits(), "{ctx}: nextDeadline");
  let wake = w.next_wake();
  assert_eq!(wake.to_bits(), contract_next_wake(wheels, w.tick_ms(), m).to_bits(), "{ctx}: nextWake");
  if m.pending.is_empty() {
    assert_eq!(wake, -1.0, "{ctx}: nextWake of an empty wheel");
  } else {
    // Never later than the earliest deadline (up to the rounding of
    // tick * tickMs), and level-0 wakes are that deadline exactly.
    let min = m.min_deadline();
    assert!(wake >= 0.0 && wake <= min + w.tick_ms() * 1e-9 * (1.0 + min), "{ctx}: nextWake {wake} > {min}");
  }
}

/// Random interleaving of every operation against the model.
fn run_sequence(wheels: &[u32], tick: f64, start: f64, seed: u64, ops: usize) {
  let mut rng = Rng::new(seed);
  let mut w = Wheel::new(tick, wheels, start).unwrap();
  let mut m = Model::new(start);
  let sp = spans(wheels);
  let top_ms = *sp.last().unwrap() as f64 * tick;
  // Ids seen, live or not, to cancel stale ones.
  let mut ids: Vec<f64> = Vec::new();
  let max_time = (MAX_TICK as f64 * tick).min(1e15);
  let mut fired_total = 0usize;
  for op in 0..ops {
    let ctx = format!("wheels {wheels:?} tick {tick} seed {seed} op {op}");
    match rng.below(100) {
      0..=39 => {
        let d = (m.now + delay(&mut rng, tick, &sp)).max(0.0).min(max_time);
        let id = w.schedule(d).unwrap();
        assert_eq!(id, m.schedule(d), "{ctx}: id of schedule({d})");
        ids.push(id);
      }
      40..=44 => {
        let n = rng.below(20) as usize;
        let ds: Vec<f64> = (0..n).map(|_| (m.now + delay(&mut rng, tick, &sp)).max(0.0).min(max_time)).collect();
        let mut out = vec![0.0; n];
        w.schedule_many(&ds, &mut out).unwrap();
        for (k, &d) in ds.iter().enumerate() {
          assert_eq!(out[k], m.schedule(d), "{ctx}: scheduleMany id {k}");
          ids.push(out[k]);
        }
      }
      45..=57 => {
        let id = if !ids.is_empty() && rng.chance(85) {
          ids[rng.below(ids.len() as u64) as usize]
        } else {
          match rng.below(6) {
            0 => f64::NAN,
            1 => -1.0,
            2 => 1.5 * WHEEL_GEN_UNIT as f64,
            3 => (1u64 << 53) as f64,
            4 => rng.below(WHEEL_GEN_UNIT) as f64,
            _ => (3 * WHEEL_GEN_UNIT + rng.below(64)) as f64,
          }
        };
        assert_eq!(w.cancel(id), m.cancel(id), "{ctx}: cancel({id})");
      }
      58..=67 => {
        let id = if ids.is_empty() { 0.0 } else { ids[rng.below(ids.len() as u64) as usize] };
        let d = (m.now + delay(&mut rng, tick, &sp)).max(0.0).min(max_time);
        assert_eq!(w.reschedule(id, d).unwrap(), m.reschedule(id, d), "{ctx}: reschedule({id}, {d})");
      }
      68 => {
        w.clear();
        m.clear();
      }
      _ => {
        let now = m.now;
        let target = match rng.below(9) {
          0 => now,
          1 => now + rng.unit() * tick,
          2 => now + tick * (1 + rng.below(3)) as f64,
          3 => {
            let wake = w.next_wake();
            if wake < 0.0 {
              now
            } else {
              wake.max(now)
            }
          }
          // Exactly a pending deadline.
          4 if !m.pending.is_empty() => m.pending[rng.below(m.pending.len() as u64) as usize].0.max(now),
          5 => now + top_ms * (1.0 + rng.unit() * 4.0),
          6 => {
            // A block boundary of a random level.
            let s = sp[rng.below(sp.len() as u64) as usize] as f64 * tick;
            ((now / s).floor() + 1.0) * s
          }
          7 => now + rng.unit() * sp[rng.below(sp.len() as u64) as usize] as f64 * tick,
          _ => now + rng.unit() * 50.0 * tick,
        }
        .min(max_time);
        let got = w.advance(target).unwrap().to_vec();
        let want = m.advance(target);
        assert_eq!(got, want, "{ctx}: advance({target}) from {now}");
        fired_total += got.len();
        assert_eq!(w.now(), target);
      }
    }
    compare(&w, &m, wheels, &ctx);
    assert_clean(&w, &ctx);
  }
  assert!(fired_total > 0 || ops < 100, "wheels {wheels:?} seed {seed}: nothing ever fired");
}

#[test]
fn random_sequences_default_wheels() {
  for seed in 0..8u64 {
    run_sequence(&[256, 64, 64, 64, 64], 1.0, 0.0, seed, 3000);
  }
  run_sequence(&[256, 64, 64, 64, 64], 1.0, 1.7e9, 99, 3000);
}

#[test]
fn random_sequences_small_wheels() {
  for seed in 0..16u64 {
    run_sequence(&[4, 4, 2], 1.0, 0.0, seed, 4000);
    run_sequence(&[4, 4, 2], 2.5, 7.25, seed + 100, 3000);
  }
}

#[test]
fn random_sequences_other_shapes() {
  let shapes: &[(&[u32], f64, f64)] = &[
    (&[2], 1.0, 0.0),
    (&[2], 0.5, 3.0),
    (&[3, 5, 7], 3.7, 100.0),
    (&[64, 64], 10.0, 0.0),
    (&[2, 2, 2, 2, 2, 2, 2, 2], 1.0, 0.0),
    (&[65536], 0.001, 0.0),
    (&[100, 3], 0.1, 12345.678),
    (&[65536, 4, 2], 1.0, 1e12),
  ];
  for (k, &(wheels, tick, start)) in shapes.iter().enumerate() {
    for seed in 0..4u64 {
      run_sequence(wheels, tick, start, seed * 31 + k as u64, 2500);
    }
  }
}

/// Placement and cascades on a tiny wheel, step by step.
#[test]
fn cascade_and_overflow_by_hand() {
  // S = 1, 4, 16, 32.
  let mut w = Wheel::new(1.0, &[4, 4, 2], 0.0).unwrap();
  let a = w.schedule(3.0).unwrap(); // level 0
  let b = w.schedule(5.0).unwrap(); // level 1
  let c = w.schedule(20.0).unwrap(); // level 2
  let d = w.schedule(40.0).unwrap(); // overflow
  assert_eq!((a, b, c, d), ((1 << 26) as f64, ((1 << 26) + 1) as f64, ((1 << 26) + 2) as f64, ((1 << 26) + 3) as f64));
  assert_clean(&w, "placed");
  assert_eq!(w.next_wake(), 3.0);
  assert_eq!(w.next_deadline(), 3.0);
  assert_eq!(w.advance(3.0).unwrap(), &[0]);
  // Level 1: the start of block 1 (tick 4).
  assert_eq!(w.next_wake(), 4.0);
  assert_eq!(w.advance(4.0).unwrap(), &[] as &[u32]);
  assert_clean(&w, "after cascade of b");
  assert_eq!(w.next_wake(), 5.0);
  assert_eq!(w.advance(4.5).unwrap(), &[] as &[u32]);
  assert_eq!(w.advance(5.0).unwrap(), &[1]);
  // c at level 2, block 1 = ticks 16..32.
  assert_eq!(w.next_wake(), 16.0);
  // Only overflow left after c: the next rotation starts at 32.
  assert_eq!(w.advance(20.0).unwrap(), &[2]);
  assert_eq!(w.next_wake(), 32.0);
  assert_eq!(w.next_deadline(), 40.0);
  assert_eq!(w.advance(32.0).unwrap(), &[] as &[u32]);
  assert_clean(&w, "overflow cascaded");
  assert_eq!(w.next_wake(), 40.0);
  assert_eq!(w.advance(1000.0).unwrap(), &[3]);
  assert_eq!(w.size(), 0);
  assert_eq!(w.next_wake(), -1.0);
  assert_eq!(w.next_deadline(), -1.0);
  // LIFO: the last freed (index 3) is reused first, generation 2.
  assert_eq!(w.schedule(1.0).unwrap(), (2 * (1u64 << 26) + 3) as f64);
  // A past deadline fires at the next advance, even without time moving.
  assert_eq!(w.advance(1000.0).unwrap(), &[3]);
}

#[test]
fn expiry_order_is_deadline_then_seq() {
  let mut w = Wheel::new(1.0, &[4, 4], 0.0).unwrap();
  // Same deadline from different levels and overflow, scheduled in a mix.
  let ids: Vec<f64> = [50.0, 7.5, 50.0, 7.25, 7.5, 3.0, 50.0].iter().map(|&d| w.schedule(d).unwrap()).collect();
  // Rescheduling takes a new seq: id 0 now sorts after the other 50s.
  assert!(w.reschedule(ids[0], 50.0).unwrap());
  let got = w.advance(100.0).unwrap().to_vec();
  assert_eq!(got, vec![5, 3, 1, 4, 2, 6, 0]);
}

#[test]
fn ids_generations_and_retirement() {
  let mut w = Wheel::new(1.0, &[8], 0.0).unwrap();
  let a = w.schedule(5.0).unwrap();
  assert!(w.cancel(a));
  assert!(!w.cancel(a), "stale id");
  let b = w.schedule(5.0).unwrap();
  assert_eq!(b, a + (1u64 << 26) as f64, "same index, next generation");
  assert!(!w.reschedule(a, 3.0).unwrap());
  // Anything that is not a pending id.
  for id in [f64::NAN, f64::INFINITY, -f64::INFINITY, -1.0, 0.0, b + 0.5, b - (1u64 << 26) as f64, 2f64.powi(53), 1e300]
  {
    assert!(!w.cancel(id), "cancel({id})");
    assert!(!w.reschedule(id, 1.0).unwrap(), "reschedule({id})");
  }
  assert_eq!(w.size(), 1);
  // A node at the last generation is retired when freed.
  w.set_gen(0, GEN_LIMIT - 1);
  let last = ((GEN_LIMIT as u64 - 1) * (1u64 << 26)) as f64;
  assert!(w.cancel(last));
  assert!(w.free_list().is_empty());
  assert_clean(&w, "retired");
  let c = w.schedule(1.0).unwrap();
  assert_eq!(c, ((1u64 << 26) + 1) as f64, "retired index 0 is not reused");
  assert_eq!(w.node_count(), 2);
}

#[test]
fn clear_frees_in_index_order() {
  let mut w = Wheel::new(1.0, &[4, 4], 0.0).unwrap();
  let ids: Vec<f64> = [1.0, 100.0, 5.0, 2.0].iter().map(|&d| w.schedule(d).unwrap()).collect();
  assert!(w.cancel(ids[2]));
  w.clear();
  assert_clean(&w, "cleared");
  assert_eq!(w.size(), 0);
  // Free list after: [2 (cancelled), 0, 1, 3]; LIFO pops 3, 1, 0, 2.
  let got: Vec<f64> = (0..5).map(|_| w.schedule(10.0).unwrap()).collect();
  let g = (1u64 << 26) as f64;
  assert_eq!(got, vec![2.0 * g + 3.0, 2.0 * g + 1.0, 2.0 * g, 2.0 * g + 2.0, g + 4.0]);
  for id in ids {
    assert!(!w.cancel(id));
  }
  assert_eq!(w.now(), 0.0);
}

#[test]
fn validation() {
  assert_eq!(Wheel::new(0.0, &[4], 0.0).err().unwrap().arg, "tickMs");
  assert_eq!(Wheel::new(f64::NAN, &[4], 0.0).err().unwrap().arg, "tickMs");
  assert!(Wheel::new(0.001, &[4], 0.0).is_ok());
  assert_eq!(Wheel::new(1.0, &[], 0.0).err().unwrap().arg, "wheels");
  assert_eq!(Wheel::new(1.0, &[2; 9], 0.0).err().unwrap().arg, "wheels");
  assert!(Wheel::new(1.0, &[2; 8], 0.0).is_ok());
  assert_eq!(Wheel::new(1.0, &[1], 0.0).err().unwrap().arg, "wheels");
  assert_eq!(Wheel::new(1.0, &[65537], 0.0).err().unwrap().arg, "wheels");
  // A span of 2^48 is allowed, 2^49 not. (8 levels of at most 65536
  // slots never exceed 2^20 slots, so that limit cannot be hit.)
  assert!(Wheel::new(1.0, &[65536, 65536, 65536], 0.0).is_ok());
  assert_eq!(Wheel::new(1.0, &[65536, 65536, 65536, 2], 0.0).err().unwrap().arg, "wheels");
  assert_eq!(Wheel::new(1.0, &[65536; 4], 0.0).err().unwrap().arg, "wheels");
  assert_eq!(Wheel::new(1.0, &[65536; 8], 0.0).err().unwrap().arg, "wheels");
  assert_eq!(Wheel::new(1.0, &[4], -1.0).err().unwrap().arg, "now");
  assert_eq!(Wheel::new(1.0, &[4], f64::INFINITY).err().unwrap().arg, "now");
  assert!(Wheel::new(1.0, &[4], MAX_TICK as f64).is_ok());
  assert_eq!(Wheel::new(1.0, &[4], MAX_TICK as f64 + 2.0).err().unwrap().arg, "now");

  let mut w = Wheel::new(1.0, &[4, 4], 10.0).unwrap();
  for d in [f64::NAN, -1.0, -0.5, f64::INFINITY, MAX_TICK as f64 + 2.0] {
    assert_eq!(w.schedule(d).unwrap_err().arg, "deadline");
    assert_eq!(w.reschedule(1.0, d).unwrap_err().arg, "deadline");
  }
  let e = w.schedule_many(&[1.0, f64::NAN], &mut [0.0, 0.0]).unwrap_err();
  assert_eq!(e.to_string(), "deadlines: deadlines[1] must be a finite number >= 0, got NaN");
  assert_eq!(w.size(), 0, "nothing scheduled when one deadline is bad");
  assert_eq!(w.schedule_many(&[1.0], &mut [0.0, 0.0]).unwrap_err().arg, "outIds");
  assert_eq!(w.advance(9.0).unwrap_err().arg, "now");
  assert_eq!(w.advance(f64::NAN).unwrap_err().arg, "now");
  assert_eq!(w.advance(f64::INFINITY).unwrap_err().arg, "now");
  assert_eq!(w.advance(MAX_TICK as f64 + 2.0).unwrap_err().arg, "now");
  assert_eq!(w.now(), 10.0);
  // A deadline at the largest tick, and -0.
  let top = w.schedule(MAX_TICK as f64).unwrap();
  let z = w.schedule(-0.0).unwrap();
  assert!(top > 0.0 && z > 0.0);
  assert_eq!(w.advance(10.0).unwrap(), &[1]);
  assert_eq!(w.advance(MAX_TICK as f64).unwrap(), &[0]);
  assert_clean(&w, "max tick");
}

/// A driver advancing at nextWake fires every timer at most one tick late.
#[test]
fn driving_by_next_wake() {
  for (wheels, tick) in [(&[4u32, 4, 2][..], 1.0), (&[256, 64, 64, 64, 64][..], 1.0), (&[8, 8], 2.5)] {
    let mut rng = Rng::new(7);
    let sp = spans(wheels);
    let mut w = Wheel::new(tick, wheels, 0.0).unwrap();
    let mut deadlines = Vec::new();
    for _ in 0..2000 {
      let d = delay(&mut rng, tick, &sp).max(0.0);
      w.schedule(d).unwrap();
      deadlines.push(d);
    }
    let mut steps = 0;
    while w.size() > 0 {
      steps += 1;
      assert!(steps < 1_000_000, "driver does not terminate");
      let now = w.now();
      let wake = w.next_wake().max(now);
      let fired = w.advance(wake).unwrap().to_vec();
      for i in fired {
        let d = deadlines[i as usize];
        assert!(d <= wake && wake - d < tick * (1.0 + 1e-9), "{wheels:?}: deadline {d} fired at {wake}");
      }
    }
  }
}

#[test]
fn million_timers() {
  let n = 1_000_000usize;
  let mut rng = Rng::new(42);
  let mut w = Wheel::new(1.0, &[256, 64, 64, 64, 64], 0.0).unwrap();
  let horizon = 3.6e6 * 24.0 * 3.0; // three days of ms
  let ds: Vec<f64> = (0..n).map(|_| (rng.unit() * horizon).floor() + rng.below(4) as f64 * 0.25).collect();
  let mut ids = vec![0.0; n];
  w.schedule_many(&ds[..n / 2], &mut ids[..n / 2]).unwrap();
  for k in n / 2..n {
    ids[k] = w.schedule(ds[k]).unwrap();
  }
  assert_eq!(w.size() as usize, n);
  assert_clean(&w, "scheduled");
  // Cancel every 10th.
  let mut cancelled = vec![false; n];
  for k in (0..n).step_by(10) {
    assert!(w.cancel(ids[k]));
    cancelled[k] = true;
  }
  let mut fired = 0usize;
  let mut last = (0.0f64, 0usize);
  let mut now = 0.0;
  while w.size() > 0 {
    now += rng.unit() * 3.6e6;
    for &i in w.advance(now).unwrap() {
      let k = i as usize;
      assert!(!cancelled[k]);
      let d = ds[k];
      assert!(d <= now);
      assert!((d, k) > last || fired == 0, "order");
      last = (d, k);
      fired += 1;
    }
    assert!(w.next_deadline() == -1.0 || w.next_deadline() > now);
  }
  assert_eq!(fired, n - n / 10);
  assert_clean(&w, "drained");
}

/// Timings (release build): cargo test --release wheel::tests::bench -- --ignored --nocapture
#[test]
#[ignore]
fn bench() {
  use std::time::Instant;
  let n = 1_000_000usize;
  let mut rng = Rng::new(1);
  let ds: Vec<f64> = (0..n).map(|_| (rng.unit() * 3.6e6 * 24.0).floor()).collect();
  let wheels = [256, 64, 64, 64, 64];
  for round in 0..3 {
    let mut w = Wheel::new(1.0, &wheels, 0.0).unwrap();
    let mut out = vec![0.0; n];
    let t = Instant::now();
    w.schedule_many(&ds, &mut out).unwrap();
    let many = t.elapsed();
    let mut w2 = Wheel::new(1.0, &wheels, 0.0).unwrap();
    let t = Instant::now();
    for &d in &ds {
      std::hint::black_box(w2.schedule(d).unwrap());
    }
    let one = t.elapsed();
    // Warm (free-list) reuse: clear then schedule again.
    w2.clear();
    let t = Instant::now();
    w2.schedule_many(&ds, &mut out).unwrap();
    let reuse = t.elapsed();
    println!("round {round}: scheduleMany 1e6 {many:?}, schedule x1e6 {one:?}, scheduleMany after clear {reuse:?}");
  }
  for pending in [1_000usize, 1_000_000] {
    let mut w = Wheel::new(1.0, &wheels, 0.0).unwrap();
    let mut rng = Rng::new(2);
    for _ in 0..pending {
      // Deadlines from one hour on: nothing expires during the loop.
      w.schedule(3.6e6 + (rng.unit() * 3.6e6 * 24.0).floor()).unwrap();
    }
    let steps = 1_000_000;
    let t = Instant::now();
    let mut now = 0.0;
    for _ in 0..steps {
      now += 0.5;
      assert!(w.advance(now).unwrap().is_empty());
    }
    let per = t.elapsed() / steps;
    // The same with whole-tick steps crossing level-1 boundaries.
    let t = Instant::now();
    for _ in 0..steps {
      now += 1.0;
      assert!(w.advance(now).unwrap().is_empty());
    }
    let per_tick = t.elapsed() / steps;
    let t = Instant::now();
    let mut acc = 0.0;
    for _ in 0..steps {
      acc += w.next_wake();
    }
    std::hint::black_box(acc);
    let wake = t.elapsed() / steps;
    println!("{pending} pending: advance (no expiry, 0.5 tick) {per:?}, (1 tick) {per_tick:?}, nextWake {wake:?}");
  }
}
