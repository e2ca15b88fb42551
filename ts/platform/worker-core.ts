// Inside an off-thread worker (Node: worker-node.ts, browsers:
// worker-browser.ts): the messages the pool (offthread.ts) sends, and the
// handler that runs them. A call runs the sync public function with the
// main thread's chosen tier forced, so its checks, errors and results are
// the sync call's; the result's buffers are transferred back.
import { matmul } from '../api/matmul.js';
import { riskScoreBatch, temporalDecay } from '../api/risk.js';
import { cosineBatch, euclideanBatch, topK } from '../api/similarity.js';
import { stats } from '../api/statistics.js';
import type { OffThreadKernel } from '../api/offthread.js';
import type { ModelCore, ModelLayerShape } from '../contract/model.js';
import type { TierName } from '../contract/types.js';
import { provideStructure, setBackend, structureTier } from '../dispatch/dispatch.js';
import { jsModel } from '../tiers/js/model.js';
import type { WasmHeap } from '../tiers/wasm/heap.js';
import { wasmModel } from '../tiers/wasm/model.js';

/** An error as it crosses back. */
export interface WireError {
  name: string;
  message: string;
}

/** A typed array sent as transferred slices, reassembled by key. */
interface Staged {
  $staged: number;
  type: string;
  length: number;
}

/** What the pool sends a worker. */
export type WorkerRequest =
  | { t: 'call'; id: number; tier: TierName; fn: OffThreadKernel; args: unknown[] }
  | { t: 'model'; model: number; tier: TierName; layers: ModelLayerShape[]; weights: unknown; biases: unknown }
  | { t: 'predict'; id: number; model: number; x: unknown; batch: number }
  | { t: 'free'; model: number }
  | { t: 'stage'; key: number; bytes: number }
  | { t: 'chunk'; key: number; offset: number; length: number; buffer: ArrayBuffer }
  | { t: 'drop' };

/** What a worker sends back. */
export type WorkerReply = { t: 'ready' } | { t: 'slice'; buffer: ArrayBuffer } | { t: 'done'; id: number; ok: true; value: unknown } | { t: 'done'; id: number; ok: false; error: WireError };

const FUNCTIONS: Record<OffThreadKernel, (...args: never[]) => unknown> = { cosineBatch, euclideanBatch, topK, matmul, riskScoreBatch, temporalDecay, stats };

const CTORS: Record<string, new (b: ArrayBuffer, offset: number, length: number) => ArrayBufferView> = {
  Float32Array, Float64Array, Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array, Int8Array, Uint8ClampedArray, BigInt64Array, BigUint64Array,
};

/** The typed arrays inside a result, whose buffers can be transferred. */
function transferables(v: unknown): Transferable[] {
  const out: Transferable[] = [];
  const add = (x: unknown): void => {
    if (ArrayBuffer.isView(x) && x.buffer instanceof ArrayBuffer && !out.includes(x.buffer)) out.push(x.buffer);
  };
  add(v);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) for (const x of Object.values(v)) add(x);
  return out;
}

provideStructure('model', { js: jsModel, wasm: (heap) => wasmModel(heap as WasmHeap) });

/** The message handler of one worker; `post` sends a reply. */
export function workerHandler(post: (m: WorkerReply, transfer: Transferable[]) => void): (m: WorkerRequest) => void {
  const stages = new Map<number, Uint8Array>();
  const models = new Map<number, { core: ModelCore; outDim: number }>();
  const unstage = (a: unknown): unknown => {
    if (a === null || typeof a !== 'object' || !('$staged' in a)) return a;
    const s = a as Staged;
    const bytes = stages.get(s.$staged)!;
    stages.delete(s.$staged);
    return new CTORS[s.type]!(bytes.buffer as ArrayBuffer, 0, s.length);
  };
  const reply = (id: number, run: () => unknown): void => {
    let value: unknown;
    try {
      value = run();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ t: 'done', id, ok: false, error: { name: err.name, message: err.message } }, []);
      return;
    } finally {
      stages.clear();
    }
    post({ t: 'done', id, ok: true, value }, transferables(value));
  };
  return (m) => {
    switch (m.t) {
      case 'stage':
        stages.set(m.key, new Uint8Array(m.bytes));
        return;
      case 'chunk':
        stages.get(m.key)?.set(new Uint8Array(m.buffer, 0, m.length), m.offset);
        // The buffer goes back for the next slice.
        post({ t: 'slice', buffer: m.buffer }, [m.buffer]);
        return;
      case 'drop':
        stages.clear();
        return;
      case 'call':
        return reply(m.id, () => {
          const args = m.args.map(unstage);
          try {
            setBackend(m.tier);
          } catch (e) {
            // This worker could not load the tier (its wasm failed here): the call runs on the calling thread.
            throw Object.assign(new Error((e as Error).message), { name: 'RunInline' });
          }
          return (FUNCTIONS[m.fn] as (...a: unknown[]) => unknown)(...args);
        });
      case 'model': {
        const weights = unstage(m.weights) as Float32Array | Uint16Array;
        const biases = unstage(m.biases) as Float32Array;
        models.get(m.model)?.core.dispose();
        models.delete(m.model);
        try {
          const core = structureTier('DenseModel', m.tier, [m.tier], 'model').make({ layers: m.layers, weights, biases });
          models.set(m.model, { core, outDim: m.layers[m.layers.length - 1]!.outDim });
        } catch {
          // Not on this worker: its predict calls answer RunInline.
        }
        return;
      }
      case 'predict':
        return reply(m.id, () => {
          const entry = models.get(m.model);
          if (entry === undefined) throw Object.assign(new Error(`model ${m.model} is not on this worker`), { name: 'RunInline' });
          const x = unstage(m.x) as Float32Array;
          const out = new Float32Array(m.batch * entry.outDim);
          entry.core.predict(x, m.batch, out);
          return out;
        });
      case 'free':
        models.get(m.model)?.core.dispose();
        models.delete(m.model);
        return;
    }
  };
}
