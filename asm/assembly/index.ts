// hotpath WASM tier: the module's export list (ABI in asm/README.md). Every export is a
// function from one domain module (similarity, risk, routing, statistics, features, matmul,
// btree, wheel, sketch, model) or the allocator in memory.ts. abi.ts is imported by the domains, never
// re-exported here: a plain const exported from this file becomes a wasm global export
// (scripts/build-wasm.mjs rejects that), and asc 0.28 crashes on re-exported @inline ones.
export { alloc, free, simdEnabled } from "./memory";
export {
  dotF32, dotF64, cosineF32, cosineF64, euclideanF32, euclideanF64,
  cosineBatchF32, euclideanBatchF32, topKF32, topKFinishF32,
} from "./similarity/index";
export { riskScoreF64, riskScoreBatchF64, temporalDecayF64 } from "./risk";
export { hashTexts, jumpHash, rendezvous, rendezvousScores } from "./routing";
export {
  statsF64, percentilesF64, movingAverageF64, outliersIqrF64, outliersZscoreF64,
} from "./statistics/index";
export { ngramFeatures } from "./features";
export { matmulF32, matmulF64 } from "./matmul";
export {
  btreeNew, btreeFree, btreeClear, btreeSize, btreeMemoryBytes, btreeCheck,
  btreeSetNum, btreeGetNum, btreeDeleteNum, btreeSetManyNum, btreeGetManyNum, btreeDeleteManyNum,
  btreeBulkLoadNum, btreeRangeNum,
  btreeSetStr, btreeGetStr, btreeDeleteStr, btreeSetManyStr, btreeGetManyStr, btreeDeleteManyStr,
  btreeBulkLoadStr, btreeRangeStr, btreePrefixStr,
} from "./btree/index";
export {
  wheelNew, wheelFree, wheelClear, wheelSize, wheelNow, wheelMemoryBytes,
  wheelSchedule, wheelScheduleMany, wheelCancel, wheelCancelMany, wheelReschedule,
  wheelAdvance, wheelResult, wheelNextDeadline, wheelNextWake, wheelCheck,
} from "./wheel/index";
export {
  sketchNew, sketchFree, sketchClear, sketchMemoryBytes, sketchAdd, sketchAddWeighted,
  sketchSummary, sketchBinsInfo, sketchBinsCopy, sketchAddBins, sketchMerge, sketchMergeMany,
} from "./sketch/index";
export { modelNew, modelPredict, modelFree } from "./model";
