// Matrix multiply: reference semantics, float64 accumulation whatever the storage.
import type { FloatArray } from '../../contract/types.js';
import type { KernelSet } from '../../contract/kernels.js';

export function matmul(a: FloatArray, b: FloatArray, m: number, k: number, n: number, out: FloatArray): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p], bo = p * n;
      for (let j = 0; j < n; j++) row[j] += aip * b[bo + j];
    }
    out.set(row, i * n);
  }
}

/** The matmul entries of the js kernel table. */
export const matmulKernels: Pick<KernelSet, 'matmul'> = { matmul };
