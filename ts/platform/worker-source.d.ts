// Declarations of dist/platform/worker-source.js, which
// scripts/build-worker.mjs writes (the module exists only in dist/).

/** The async helpers' browser worker (dist/platform/hotpath-worker.js), self-contained, as source text. @internal */
export declare const WORKER_SOURCE: string;
