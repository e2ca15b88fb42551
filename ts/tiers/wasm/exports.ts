/**
 * The functions the AssemblyScript module exports (asm/assembly/index.ts),
 * each with its parameter names: the one description of the module's ABI.
 * `WasmExports` is derived from it, the loaders refuse a module lacking one,
 * and test/abi.test.ts checks a built module's exports and arities against
 * it. Pointers are byte offsets into `memory`.
 */
export const WASM_FUNCTIONS = {
  alloc: ['bytes'],
  free: ['ptr'],
  dotF32: ['a', 'b', 'n'],
  dotF64: ['a', 'b', 'n'],
  cosineF32: ['a', 'b', 'n'],
  cosineF64: ['a', 'b', 'n'],
  euclideanF32: ['a', 'b', 'n'],
  euclideanF64: ['a', 'b', 'n'],
  cosineBatchF32: ['queries', 'nq', 'matrix', 'nrows', 'dim', 'out'],
  euclideanBatchF32: ['queries', 'nq', 'matrix', 'nrows', 'dim', 'out'],
  topKF32: ['query', 'matrix', 'nrows', 'dim', 'metric', 'rowBase', 'k', 'heapIdx', 'heapScores', 'state'],
  topKFinishF32: ['heapIdx', 'heapScores', 'size', 'metric'],
  riskScoreF64: ['sev', 'conf', 'n', 'maxSeverity'],
  riskScoreBatchF64: ['sev', 'conf', 'n', 'offsets', 'entities', 'maxSeverity', 'out'],
  temporalDecayF64: ['scores', 'ages', 'n', 'halfLife', 'out'],
  hashTexts: ['bytes', 'offsets', 'texts', 'out'],
  jumpHash: ['keys', 'n', 'buckets', 'out'],
  rendezvous: ['keys', 'n', 'seeds', 'nodes', 'weights', 'uniform', 'out'],
  rendezvousScores: ['keys', 'n', 'seeds', 'nodes', 'weights', 'uniform', 'out'],
  statsF64: ['x', 'n', 'ddof', 'out', 'work'],
  percentilesF64: ['x', 'n', 'ps', 'm', 'out', 'work', 'ranks'],
  movingAverageF64: ['x', 'n', 'window', 'out'],
  outliersIqrF64: ['x', 'n', 'k', 'out', 'work'],
  outliersZscoreF64: ['x', 'n', 'threshold', 'out'],
  ngramFeatures: ['bytes', 'offsets', 'texts', 'n', 'dims', 'normalize', 'out', 'counts'],
  matmulF32: ['a', 'b', 'm', 'k', 'n', 'out'],
  matmulF64: ['a', 'b', 'm', 'k', 'n', 'out'],
  simdEnabled: [],
  btreeNew: ['keyType', 'order'],
  btreeFree: ['t'],
  btreeClear: ['t'],
  btreeSize: ['t'],
  btreeSetNum: ['t', 'key', 'slot'],
  btreeGetNum: ['t', 'key'],
  btreeDeleteNum: ['t', 'key'],
  btreeSetStr: ['t', 'key', 'len', 'slot'],
  btreeGetStr: ['t', 'key', 'len'],
  btreeDeleteStr: ['t', 'key', 'len'],
  btreeSetManyNum: ['t', 'keys', 'slots', 'n', 'out'],
  btreeGetManyNum: ['t', 'keys', 'n', 'out'],
  btreeDeleteManyNum: ['t', 'keys', 'n', 'out'],
  btreeSetManyStr: ['t', 'bytes', 'offsets', 'n', 'slots', 'out'],
  btreeGetManyStr: ['t', 'bytes', 'offsets', 'n', 'out'],
  btreeDeleteManyStr: ['t', 'bytes', 'offsets', 'n', 'out'],
  btreeBulkLoadNum: ['t', 'keys', 'slots', 'n'],
  btreeBulkLoadStr: ['t', 'bytes', 'offsets', 'n', 'slots'],
  btreeRangeNum: ['t', 'lo', 'hi', 'flags', 'limit', 'outKeys', 'outSlots'],
  btreeRangeStr: ['t', 'lo', 'loLen', 'hi', 'hiLen', 'flags', 'limit', 'outBytes', 'outBytesCap', 'outOffsets', 'outSlots'],
  btreePrefixStr: ['t', 'prefix', 'len', 'limit', 'outBytes', 'outBytesCap', 'outOffsets', 'outSlots'],
  btreeCheck: ['t'],
  btreeMemoryBytes: ['t'],
  wheelNew: ['tickMs', 'levels', 'nLevels', 'now'],
  wheelFree: ['w'],
  wheelClear: ['w'],
  wheelSize: ['w'],
  wheelNow: ['w'],
  wheelMemoryBytes: ['w'],
  wheelSchedule: ['w', 'deadline'],
  wheelScheduleMany: ['w', 'deadlines', 'n', 'out'],
  wheelCancel: ['w', 'id'],
  wheelCancelMany: ['w', 'ids', 'n', 'out'],
  wheelReschedule: ['w', 'id', 'deadline'],
  wheelAdvance: ['w', 'now'],
  wheelResult: ['w'],
  wheelNextDeadline: ['w'],
  wheelNextWake: ['w'],
  wheelCheck: ['w'],
  sketchNew: ['mapping', 'multiplier', 'offset', 'scale', 'maxBins'],
  sketchFree: ['s'],
  sketchClear: ['s'],
  sketchMemoryBytes: ['s'],
  sketchAdd: ['s', 'values', 'n'],
  sketchAddWeighted: ['s', 'value', 'weight'],
  sketchSummary: ['s', 'out'],
  sketchBinsInfo: ['s', 'out'],
  sketchBinsCopy: ['s', 'negOut', 'posOut'],
  sketchAddBins: ['s', 'zeroCount', 'negOffset', 'neg', 'negLen', 'posOffset', 'pos', 'posLen', 'count', 'sum', 'min', 'max'],
  sketchMerge: ['s', 'other'],
  sketchMergeMany: ['s', 'ptrs', 'n'],
  modelNew: ['layers', 'nLayers', 'weights', 'f16', 'biases'],
  modelPredict: ['m', 'inputs', 'batch', 'out'],
  modelFree: ['m'],
} as const;

type Numbers<P extends readonly string[]> = { [I in keyof P]: number };

/** Exports of the AssemblyScript module. Every function takes and returns numbers (void ones return undefined). */
export type WasmExports = { readonly memory: WebAssembly.Memory } & {
  readonly [F in keyof typeof WASM_FUNCTIONS]: (...args: Numbers<(typeof WASM_FUNCTIONS)[F]>) => number;
};

/** The first function of {@link WASM_FUNCTIONS} that `exports` lacks, or null. */
export function missingWasmExport(exports: Record<string, unknown>): string | null {
  if (!(exports.memory instanceof WebAssembly.Memory)) return 'memory';
  return Object.keys(WASM_FUNCTIONS).find((f) => typeof exports[f] !== 'function') ?? null;
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
