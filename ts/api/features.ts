import { allocate, checkBoolean, checkCount, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import { KERNELS } from '../contract/kernels.js';
import { kernelsFor } from '../dispatch/dispatch.js';

/** Options of {@link ngramFeatures}. */
export interface NgramOptions {
  /** Code points per window (default 3). */
  n?: number;
  /** Hash buckets per text (default 1024). */
  dims?: number;
  /** Scale each row to unit L2 norm (default true); a zero row stays zero. */
  normalize?: boolean;
}

const MAX_DIMS = 1 << 24;

/**
 * Hashed character n-gram counts. For each text, every window of `n`
 * consecutive Unicode code points is hashed with 32-bit FNV-1a over its UTF-8
 * bytes; bucket `hash % dims` is incremented. Surrogate pairs are one code
 * point; lone surrogates encode as U+FFFD. A text shorter than `n` gives a zero row.
 * @param texts - a string or an array of strings
 * @returns Float32Array(count · dims), row t for text t.
 * @throws TypeError for a non-string text; RangeError for n < 1 or dims outside [1, 2^24].
 */
export function ngramFeatures(texts: string | readonly string[], options?: NgramOptions): Float32Array {
  const fn = 'ngramFeatures';
  // Options first (their getters are user code), then one copy of the texts, checked and used as is.
  const o = checkOptions<NgramOptions>(fn, options);
  const n = o.n === undefined ? 3 : checkCount(fn, 'options.n', o.n, 1);
  const dims = o.dims === undefined ? 1024 : checkCount(fn, 'options.dims', o.dims, 1);
  if (dims > MAX_DIMS) rangeError(fn, 'options.dims', `must be <= ${MAX_DIMS}; got ${dims}`);
  const normalize = checkBoolean(fn, 'options.normalize', o.normalize) ?? true;
  if (typeof texts !== 'string' && !Array.isArray(texts)) typeError(fn, 'texts', `must be a string or an array of strings; got ${describe(texts)}`);
  const list: string[] = typeof texts === 'string' ? [texts] : texts.slice();
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') typeError(fn, `texts[${i}]`, `must be a string; got ${describe(list[i])}`);
  }
  const out = allocate(fn, 'the output (texts × options.dims)', Float32Array, list.length * dims);
  if (list.length > 0) kernelsFor(fn, KERNELS.ngramFeatures.work(list)).ngramFeatures(list, n, dims, normalize, out);
  return out;
}
