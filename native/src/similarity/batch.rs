//! Many-vector kernels: query × matrix scoring and top-k search.
//!
//! Work is split into row chunks. A chunk is sized to stay in L2 while every
//! query is scored against it, so with Q > 1 the matrix is streamed from
//! memory once instead of Q times. Small inputs never touch the pool: a
//! rayon dispatch costs a few microseconds, more than the work itself.

use rayon::prelude::*;
use rayon::ThreadPool;

use super::topk::{BoundedTopK, Candidate};
use super::{cosine_from_parts, Kernels};
use crate::abi::{METRIC_COSINE, METRIC_DOT, METRIC_EUCLIDEAN};
use crate::args;
use crate::error::{ArgError, ArgResult};
use crate::par::{self, Cost};

/// Matrix bytes per chunk: well inside a typical 1–2 MiB L2, leaving room
/// for the queries.
const CHUNK_BYTES: usize = 128 << 10;
/// Chunks per pool thread, for load balance when threads run at different
/// speeds (SMT siblings, noisy neighbours).
const CHUNKS_PER_THREAD: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
  Cosine,
  Dot,
  Euclidean,
}

impl Metric {
  pub fn from_code(code: u32) -> ArgResult<Metric> {
    match code {
      METRIC_COSINE => Ok(Metric::Cosine),
      METRIC_DOT => Ok(Metric::Dot),
      METRIC_EUCLIDEAN => Ok(Metric::Euclidean),
      _ => Err(ArgError::new(
        "metric",
        format!("must be {METRIC_COSINE} (cosine), {METRIC_DOT} (dot) or {METRIC_EUCLIDEAN} (euclidean), got {code}"),
      )),
    }
  }
}

fn chunk_rows(dim: usize, n: usize, threads: usize) -> usize {
  let by_cache = (CHUNK_BYTES / (dim * std::mem::size_of::<f32>())).max(1);
  let by_balance = n.div_ceil(threads * CHUNKS_PER_THREAD).max(1);
  by_cache.min(by_balance)
}

/// out[q·N + r] = cosine(query q, row r), as f32.
pub fn cosine_batch_f32(
  k: &Kernels,
  pool: Option<&ThreadPool>,
  queries: &[f32],
  matrix: &[f32],
  dim: usize,
  out: &mut [f32],
) -> ArgResult<()> {
  score_batch(k, pool, queries, matrix, dim, out, Metric::Cosine)
}

/// out[q·N + r] = L2 distance(query q, row r), as f32.
pub fn euclidean_batch_f32(
  k: &Kernels,
  pool: Option<&ThreadPool>,
  queries: &[f32],
  matrix: &[f32],
  dim: usize,
  out: &mut [f32],
) -> ArgResult<()> {
  score_batch(k, pool, queries, matrix, dim, out, Metric::Euclidean)
}

fn score_batch(
  k: &Kernels,
  pool: Option<&ThreadPool>,
  queries: &[f32],
  matrix: &[f32],
  dim: usize,
  out: &mut [f32],
  metric: Metric,
) -> ArgResult<()> {
  let nq = args::rows("queries", queries.len(), dim)?;
  let n = args::rows("matrix", matrix.len(), dim)?;
  let expected = nq.checked_mul(n).ok_or_else(|| ArgError::new("out", "queries × rows overflows"))?;
  args::exact_len("out", out.len(), expected, "queries × rows")?;
  if expected == 0 {
    return Ok(());
  }

  // Query norms once, not once per row.
  let qnorms: Vec<f64> = match metric {
    Metric::Cosine => queries.chunks_exact(dim).map(|q| (k.dot_f32)(q, q)).collect(),
    _ => Vec::new(),
  };
  let pool = par::pool_for(pool, expected.saturating_mul(dim), Cost::ScoreMulAdd);
  let rows_per_chunk = chunk_rows(dim, n, pool.map_or(1, ThreadPool::current_num_threads));

  // Transpose `out` into, per row chunk, the Q disjoint slices it writes.
  // Safe code all the way: each chunk owns its slices outright.
  let n_chunks = n.div_ceil(rows_per_chunk);
  let mut per_chunk: Vec<Vec<&mut [f32]>> = (0..n_chunks).map(|_| Vec::with_capacity(nq)).collect();
  for out_row in out.chunks_mut(n) {
    for (c, piece) in out_row.chunks_mut(rows_per_chunk).enumerate() {
      per_chunk[c].push(piece);
    }
  }

  let score_chunk = |(c, mut pieces): (usize, Vec<&mut [f32]>)| {
    let start = c * rows_per_chunk * dim;
    let rows = &matrix[start..(start + rows_per_chunk * dim).min(matrix.len())];
    score_rows(k, queries, &qnorms, rows, dim, &mut pieces, metric);
  };
  match pool {
    Some(p) => p.install(|| per_chunk.into_par_iter().enumerate().for_each(score_chunk)),
    None => per_chunk.into_iter().enumerate().for_each(score_chunk),
  }
  Ok(())
}

/// Scores one row chunk against every query; `pieces[q][r]` receives the
/// score of query q against row r of the chunk.
fn score_rows(
  k: &Kernels,
  queries: &[f32],
  qnorms: &[f64],
  rows: &[f32],
  dim: usize,
  pieces: &mut [&mut [f32]],
  metric: Metric,
) {
  if let [piece] = pieces {
    // One query: fuse the row norm into the dot pass (one read per row).
    for (slot, row) in piece.iter_mut().zip(rows.chunks_exact(dim)) {
      *slot = match metric {
        Metric::Cosine => {
          let (qr, rr) = (k.dot_norm_f32)(queries, row);
          cosine_from_parts(qr, qnorms[0], rr) as f32
        }
        _ => k.euclidean_f32(queries, row) as f32,
      };
    }
    return;
  }
  // Several queries: row norms once per chunk, then query-major loops so
  // the query stays in L1 and the chunk in L2.
  let rnorms: Vec<f64> = match metric {
    Metric::Cosine => rows.chunks_exact(dim).map(|r| (k.dot_f32)(r, r)).collect(),
    _ => Vec::new(),
  };
  for ((piece, query), qi) in pieces.iter_mut().zip(queries.chunks_exact(dim)).zip(0..) {
    for ((slot, row), ri) in piece.iter_mut().zip(rows.chunks_exact(dim)).zip(0..) {
      *slot = match metric {
        Metric::Cosine => cosine_from_parts((k.dot_f32)(query, row), qnorms[qi], rnorms[ri]) as f32,
        _ => k.euclidean_f32(query, row) as f32,
      };
    }
  }
}

/// Fills `out_indices`/`out_scores` (length exactly min(k, N)) with the best
/// rows, best first, ties to the lower index. Returns how many scores were
/// non-finite; NaN rows are not ranked, and if fewer than min(k, N) rows
/// remain the unused slots get index u32::MAX and score NaN.
#[allow(clippy::too_many_arguments)]
pub fn top_k_f32(
  kern: &Kernels,
  pool: Option<&ThreadPool>,
  query: &[f32],
  matrix: &[f32],
  dim: usize,
  k: usize,
  metric: Metric,
  out_indices: &mut [u32],
  out_scores: &mut [f32],
) -> ArgResult<u32> {
  args::exact_len("query", query.len(), dim, "dim")?;
  let n = args::rows("matrix", matrix.len(), dim)?;
  if n > u32::MAX as usize {
    return Err(ArgError::new("matrix", "more than 2^32 - 1 rows"));
  }
  let want = k.min(n);
  args::exact_len("outIndices", out_indices.len(), want, "min(k, rows)")?;
  args::exact_len("outScores", out_scores.len(), want, "min(k, rows)")?;
  if want == 0 {
    return Ok(0);
  }

  let qnorm = (kern.dot_f32)(query, query);
  let scan = |(c, rows): (usize, &[f32]), row0_of: &dyn Fn(usize) -> usize| {
    let mut heap = BoundedTopK::new(want, rows.len() / dim);
    let mut non_finite = 0u32;
    let row0 = row0_of(c);
    for (r, row) in rows.chunks_exact(dim).enumerate() {
      // Rank on the f32 value that is returned, so order and output agree.
      let score = match metric {
        Metric::Cosine => {
          let (qr, rr) = (kern.dot_norm_f32)(query, row);
          cosine_from_parts(qr, qnorm, rr) as f32
        }
        Metric::Dot => (kern.dot_f32)(query, row) as f32,
        Metric::Euclidean => kern.euclidean_f32(query, row) as f32,
      };
      if !score.is_finite() {
        non_finite += 1;
        if score.is_nan() {
          continue;
        }
      }
      let key = if metric == Metric::Euclidean { -score } else { score };
      heap.push(Candidate { key, index: (row0 + r) as u32 });
    }
    (heap, non_finite)
  };
  let merge = |(a, na): (BoundedTopK, u32), (b, nb): (BoundedTopK, u32)| (a.merge(b), na.saturating_add(nb));

  let (heap, non_finite) = match par::pool_for(pool, n.saturating_mul(dim), Cost::ScoreMulAdd) {
    Some(p) => {
      // Few, large chunks: each chunk's heap costs a merge of up to k items.
      let rows_per_chunk = n.div_ceil(p.current_num_threads() * CHUNKS_PER_THREAD).max(1);
      p.install(|| {
        matrix
          .par_chunks(rows_per_chunk * dim)
          .enumerate()
          .map(|item| scan(item, &|c| c * rows_per_chunk))
          .reduce(|| (BoundedTopK::new(want, 0), 0), merge)
      })
    }
    None => scan((0, matrix), &|_| 0),
  };

  let best = heap.into_sorted();
  for (i, (idx, score)) in out_indices.iter_mut().zip(out_scores.iter_mut()).enumerate() {
    match best.get(i) {
      Some(c) => {
        *idx = c.index;
        *score = if metric == Metric::Euclidean { -c.key } else { c.key };
      }
      None => {
        *idx = u32::MAX;
        *score = f32::NAN;
      }
    }
  }
  Ok(non_finite)
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::similarity::tests::all_kernels;
  use crate::test_rng::Rng;
  use rayon::ThreadPoolBuilder;

  fn pools() -> Vec<Option<ThreadPool>> {
    vec![None, Some(ThreadPoolBuilder::new().num_threads(3).build().unwrap())]
  }

  fn ref_cos(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum();
    let aa: f64 = a.iter().map(|&x| x as f64 * x as f64).sum();
    let bb: f64 = b.iter().map(|&x| x as f64 * x as f64).sum();
    if aa == 0.0 || bb == 0.0 {
      if (aa + bb).is_finite() {
        0.0
      } else {
        f64::NAN
      }
    } else {
      (dot / (aa * bb).sqrt()).clamp(-1.0, 1.0)
    }
  }

  fn ref_l2(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum::<f64>().sqrt()
  }

  #[test]
  fn batch_matches_pairwise() {
    let mut rng = Rng::new(9);
    // The last two reach the pool's threshold (parallel path) and need several chunks.
    const { assert!(4500 * 33 >= Cost::ScoreMulAdd.min_work() && 4 * 700 * 97 >= Cost::ScoreMulAdd.min_work()) };
    for &(nq, n, dim) in &[(1usize, 0usize, 3usize), (1, 5, 3), (3, 7, 17), (1, 4500, 33), (4, 700, 97)] {
      let queries = rng.vec_f32(nq * dim);
      let mut matrix = rng.vec_f32(n * dim);
      if n > 2 {
        matrix[dim..2 * dim].fill(0.0); // a zero row
      }
      for kern in all_kernels() {
        for pool in pools() {
          let mut cos = vec![f32::NAN; nq * n];
          let mut l2 = vec![f32::NAN; nq * n];
          cosine_batch_f32(&kern, pool.as_ref(), &queries, &matrix, dim, &mut cos).unwrap();
          euclidean_batch_f32(&kern, pool.as_ref(), &queries, &matrix, dim, &mut l2).unwrap();
          for qi in 0..nq {
            let q = &queries[qi * dim..][..dim];
            for r in 0..n {
              let row = &matrix[r * dim..][..dim];
              assert_eq!(cos[qi * n + r], ref_cos(q, row) as f32, "{:?} cos q{qi} r{r}", kern.level);
              let (got, want) = (l2[qi * n + r] as f64, ref_l2(q, row));
              assert!((got - want).abs() <= 1e-6 * want, "{:?} l2 q{qi} r{r}", kern.level);
            }
          }
        }
      }
    }
  }

  #[test]
  fn batch_rejects_bad_lengths() {
    let k = Kernels::for_level(crate::simd::Level::Scalar);
    let mut out = vec![0f32; 3];
    let e = cosine_batch_f32(&k, None, &[0.0; 3], &[0.0; 10], 3, &mut out).unwrap_err();
    assert_eq!(e.to_string(), "matrix: length 10 is not a multiple of dim 3");
    let e = cosine_batch_f32(&k, None, &[0.0; 3], &[0.0; 9], 3, &mut out[..2]).unwrap_err();
    assert_eq!(e.arg, "out");
    let e = euclidean_batch_f32(&k, None, &[0.0; 3], &[0.0; 9], 0, &mut out).unwrap_err();
    assert_eq!(e.arg, "dim");
  }

  fn ref_top_k(query: &[f32], matrix: &[f32], dim: usize, k: usize, metric: Metric) -> (Vec<u32>, Vec<f32>) {
    let mut all: Vec<(f32, u32)> = matrix
      .chunks_exact(dim)
      .enumerate()
      .map(|(i, row)| {
        let s = match metric {
          Metric::Cosine => ref_cos(query, row) as f32,
          Metric::Dot => query.iter().zip(row).map(|(&x, &y)| x as f64 * y as f64).sum::<f64>() as f32,
          Metric::Euclidean => ref_l2(query, row) as f32,
        };
        (s, i as u32)
      })
      .filter(|(s, _)| !s.is_nan())
      .collect();
    all.sort_by(|a, b| {
      let ord = if metric == Metric::Euclidean { a.0.partial_cmp(&b.0) } else { b.0.partial_cmp(&a.0) };
      ord.unwrap().then(a.1.cmp(&b.1))
    });
    all.truncate(k);
    (all.iter().map(|x| x.1).collect(), all.iter().map(|x| x.0).collect())
  }

  #[test]
  fn top_k_matches_full_sort() {
    let mut rng = Rng::new(21);
    // The last case reaches the pool's threshold, so chunk heaps get merged.
    const { assert!(9000 * 16 >= Cost::ScoreMulAdd.min_work()) };
    for &(n, dim) in &[(1usize, 1usize), (10, 3), (257, 7), (9000, 16)] {
      let query = rng.vec_f32(dim);
      // Quantised values create exact score ties, exercising the tie-break.
      let mut matrix: Vec<f32> = rng.vec_f32(n * dim).iter().map(|x| (x * 4.0).round() / 4.0).collect();
      if n >= 10 {
        // Duplicate rows → identical scores at different indices.
        let (head, tail) = matrix.split_at_mut(5 * dim);
        tail[..dim].copy_from_slice(&head[2 * dim..3 * dim]);
      }
      for metric in [Metric::Cosine, Metric::Dot, Metric::Euclidean] {
        for &k in &[0usize, 1, 5, n, n + 3] {
          let want = k.min(n);
          for kern in all_kernels() {
            for pool in pools() {
              let mut idx = vec![0u32; want];
              let mut sc = vec![0f32; want];
              let nf = top_k_f32(&kern, pool.as_ref(), &query, &matrix, dim, k, metric, &mut idx, &mut sc).unwrap();
              assert_eq!(nf, 0);
              let (ri, rs) = ref_top_k(&query, &matrix, dim, k, metric);
              assert_eq!(idx, ri, "{:?} {metric:?} n={n} k={k}", kern.level);
              assert_eq!(sc, rs, "{:?} {metric:?} n={n} k={k}", kern.level);
            }
          }
        }
      }
    }
  }

  #[test]
  fn top_k_skips_and_counts_non_finite() {
    let k = Kernels::active();
    let dim = 2;
    let matrix = [1.0, 0.0, f32::NAN, 1.0, 0.5, 0.5, f32::MAX, f32::MAX];
    let query = [f32::MAX, f32::MAX];
    let (mut idx, mut sc) = (vec![0u32; 4], vec![0f32; 4]);
    let nf = top_k_f32(&k, None, &query, &matrix, dim, 4, Metric::Dot, &mut idx, &mut sc).unwrap();
    // Row 1 is NaN (skipped, counted); row 3 overflows f32 to +inf (ranked,
    // counted); rows 0 and 2 both score exactly f32::MAX (tie → lower index).
    assert_eq!(nf, 2);
    assert_eq!(idx, vec![3, 0, 2, u32::MAX]);
    assert!(sc[3].is_nan());
  }

  #[test]
  fn top_k_validates() {
    let k = Kernels::active();
    let (mut idx, mut sc) = (vec![0u32; 2], vec![0f32; 2]);
    let e = top_k_f32(&k, None, &[1.0; 3], &[1.0; 9], 3, 2, Metric::from_code(0).unwrap(), &mut idx, &mut sc[..1])
      .unwrap_err();
    assert_eq!(e.arg, "outScores");
    assert_eq!(Metric::from_code(7).unwrap_err().arg, "metric");
    let e = top_k_f32(&k, None, &[1.0; 2], &[1.0; 9], 3, 2, Metric::Dot, &mut idx, &mut sc).unwrap_err();
    assert_eq!(e.arg, "query");
  }
}
