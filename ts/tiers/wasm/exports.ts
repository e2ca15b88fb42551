/** Exports of the AssemblyScript module (see asm/assembly/index.ts). Pointers are byte offsets. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  dotF32(a: number, b: number, n: number): number;
  dotF64(a: number, b: number, n: number): number;
  cosineF32(a: number, b: number, n: number): number;
  cosineF64(a: number, b: number, n: number): number;
  euclideanF32(a: number, b: number, n: number): number;
  euclideanF64(a: number, b: number, n: number): number;
  cosineBatchF32(queries: number, nq: number, matrix: number, nrows: number, dim: number, out: number): void;
  euclideanBatchF32(queries: number, nq: number, matrix: number, nrows: number, dim: number, out: number): void;
  topKF32(query: number, matrix: number, nrows: number, dim: number, metric: number, rowBase: number, k: number, heapIdx: number, heapScores: number, state: number): void;
  topKFinishF32(heapIdx: number, heapScores: number, size: number, metric: number): void;
  riskScoreF64(sev: number, conf: number, n: number, maxSeverity: number): number;
  riskScoreBatchF64(sev: number, conf: number, n: number, offsets: number, entities: number, maxSeverity: number, out: number): number;
  temporalDecayF64(scores: number, ages: number, n: number, halfLife: number, out: number): number;
  statsF64(x: number, n: number, ddof: number, out: number, work: number): void;
  percentilesF64(x: number, n: number, ps: number, m: number, out: number, work: number, ranks: number): void;
  movingAverageF64(x: number, n: number, window: number, out: number): void;
  outliersIqrF64(x: number, n: number, k: number, out: number, work: number): number;
  outliersZscoreF64(x: number, n: number, threshold: number, out: number): number;
  ngramFeatures(bytes: number, offsets: number, texts: number, n: number, dims: number, normalize: number, out: number, counts: number): void;
  matmulF32(a: number, b: number, m: number, k: number, n: number, out: number): void;
  matmulF64(a: number, b: number, m: number, k: number, n: number, out: number): void;
  simdEnabled(): number;
  btreeNew(keyType: number, order: number): number;
  btreeFree(t: number): void;
  btreeClear(t: number): void;
  btreeSize(t: number): number;
  btreeSetNum(t: number, key: number, slot: number): number;
  btreeGetNum(t: number, key: number): number;
  btreeDeleteNum(t: number, key: number): number;
  btreeSetStr(t: number, key: number, len: number, slot: number): number;
  btreeGetStr(t: number, key: number, len: number): number;
  btreeDeleteStr(t: number, key: number, len: number): number;
  btreeSetManyNum(t: number, keys: number, slots: number, n: number, out: number): void;
  btreeGetManyNum(t: number, keys: number, n: number, out: number): void;
  btreeDeleteManyNum(t: number, keys: number, n: number, out: number): void;
  btreeSetManyStr(t: number, bytes: number, offsets: number, n: number, slots: number, out: number): void;
  btreeGetManyStr(t: number, bytes: number, offsets: number, n: number, out: number): void;
  btreeDeleteManyStr(t: number, bytes: number, offsets: number, n: number, out: number): void;
  btreeBulkLoadNum(t: number, keys: number, slots: number, n: number): number;
  btreeBulkLoadStr(t: number, bytes: number, offsets: number, n: number, slots: number): number;
  btreeRangeNum(t: number, lo: number, hi: number, flags: number, limit: number, outKeys: number, outSlots: number): number;
  btreeRangeStr(t: number, lo: number, loLen: number, hi: number, hiLen: number, flags: number, limit: number, outBytes: number, outBytesCap: number, outOffsets: number, outSlots: number): number;
  btreePrefixStr(t: number, prefix: number, len: number, limit: number, outBytes: number, outBytesCap: number, outOffsets: number, outSlots: number): number;
  btreeCheck(t: number): number;
  btreeMemoryBytes(t: number): number;
  wheelNew(tickMs: number, levels: number, nLevels: number, now: number): number;
  wheelFree(w: number): void;
  wheelClear(w: number): void;
  wheelSize(w: number): number;
  wheelNow(w: number): number;
  wheelMemoryBytes(w: number): number;
  wheelSchedule(w: number, deadline: number): number;
  wheelScheduleMany(w: number, deadlines: number, n: number, out: number): number;
  wheelCancel(w: number, id: number): number;
  wheelCancelMany(w: number, ids: number, n: number, out: number): void;
  wheelReschedule(w: number, id: number, deadline: number): number;
  wheelAdvance(w: number, now: number): number;
  wheelResult(w: number): number;
  wheelNextDeadline(w: number): number;
  wheelNextWake(w: number): number;
  wheelCheck(w: number): number;
}

/** Imports the module needs: AssemblyScript's abort hook, turned into a JS Error. */
export function wasmImports(memory: () => WebAssembly.Memory | undefined): WebAssembly.Imports {
  const text = (ptr: number): string => {
    const mem = memory();
    if (!mem || ptr === 0) return '';
    // AssemblyScript strings: UTF-16 code units, byte length stored just before the data.
    const len = new Uint32Array(mem.buffer, ptr - 4, 1)[0] >>> 1;
    return String.fromCharCode(...new Uint16Array(mem.buffer, ptr, len));
  };
  return {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        throw new Error(`hotpath wasm abort: ${text(msg)} at ${text(file)}:${line}:${col}`);
      },
    },
  };
}
