// Hashed character n-grams: reference semantics. UTF-8 is produced here by
// hand (not TextEncoder) so the reference is independent of the tiers' glue.
import type { KernelSet } from '../../contract/kernels.js';

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;

/** UTF-8 of one text and the byte offset where each code point starts (plus the end). */
export function utf8WithStarts(text: string): { bytes: Uint8Array; starts: Uint32Array } {
  const bytes = new Uint8Array(text.length * 3);
  const starts = new Uint32Array(text.length + 1);
  let b = 0, cps = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate
    starts[cps++] = b;
    if (cp < 0x80) bytes[b++] = cp;
    else if (cp < 0x800) {
      bytes[b++] = 0xc0 | (cp >> 6);
      bytes[b++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      bytes[b++] = 0xe0 | (cp >> 12);
      bytes[b++] = 0x80 | ((cp >> 6) & 63);
      bytes[b++] = 0x80 | (cp & 63);
    } else {
      bytes[b++] = 0xf0 | (cp >> 18);
      bytes[b++] = 0x80 | ((cp >> 12) & 63);
      bytes[b++] = 0x80 | ((cp >> 6) & 63);
      bytes[b++] = 0x80 | (cp & 63);
    }
  }
  starts[cps] = b;
  return { bytes, starts: starts.subarray(0, cps + 1) };
}

export function ngramFeatures(texts: readonly string[], n: number, dims: number, normalize: boolean, out: Float32Array): void {
  const counts = new Float64Array(dims);
  for (let t = 0; t < texts.length; t++) {
    const { bytes, starts } = utf8WithStarts(texts[t]);
    const windows = starts.length - 1 - n + 1;
    if (windows <= 0) continue;
    counts.fill(0);
    for (let w = 0; w < windows; w++) {
      let h = FNV_OFFSET;
      for (let i = starts[w], end = starts[w + n]; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME) >>> 0;
      counts[h % dims]++;
    }
    let ss = 0;
    for (let d = 0; d < dims; d++) ss += counts[d] * counts[d];
    const norm = normalize ? Math.sqrt(ss) : 1;
    const row = t * dims;
    for (let d = 0; d < dims; d++) if (counts[d] !== 0) out[row + d] = normalize ? counts[d] / norm : counts[d];
  }
}

/** The features entries of the js kernel table. */
export const featuresKernels: Pick<KernelSet, 'ngramFeatures'> = { ngramFeatures };
