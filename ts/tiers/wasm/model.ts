// DenseModel's core over the AssemblyScript model in wasm linear memory (asm/assembly/model.ts;
// ABI in asm/README.md, "Dense model"). The parameters are copied once, through a temporary
// block of their size (the heap's scratch block would otherwise stay grown to the weights'
// size for the instance's life), into the model's own blocks. predict streams rows through
// the heap's scratch block in chunks of about STREAM_BUDGET; modelPredict allocates nothing,
// so the views stay valid between the copy in and the copy out.
import type { ModelConfig, ModelCore } from '../../contract/model.js';
import type { StructureFactories } from '../../contract/tier.js';
import { align, STREAM_BUDGET, type WasmHeap } from './heap.js';

/** Rows per block in asm/assembly/model.ts: chunks of a multiple of it keep whole blocks. */
const BLOCK = 64;

function exhaustedModel(what: string): RangeError {
  return new RangeError(`hotpath.DenseModel: wasm memory exhausted (${what})`);
}

/** Runs `f`, turning the allocator's trap (the host refused to grow memory) into the API's RangeError. */
function guarded<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw exhaustedModel(what);
    throw e;
  }
}

/** A model resident in one wasm instance's memory. */
export class WasmModelCore implements ModelCore {
  private m: number;
  private readonly inDim: number;
  private readonly outDim: number;

  constructor(private readonly h: WasmHeap, cfg: ModelConfig) {
    const layers = cfg.layers;
    this.inDim = layers[0]!.inDim;
    this.outDim = layers[layers.length - 1]!.outDim;
    const f16 = cfg.weights instanceof Uint16Array;
    const lBytes = align(layers.length * 12);
    const wBytes = align(cfg.weights.byteLength);
    const bBytes = align(cfg.biases.byteLength);
    const total = lBytes + wBytes + bBytes;
    // Past the allocator's block limit (and the i32 ABI), refused before anything is allocated.
    if (!(total <= 2 ** 30 - 256)) throw exhaustedModel(`the parameters need ${total} bytes`);
    const ex = h.ex;
    const tmp = guarded('copying the parameters in', () => ex.alloc(total) >>> 0);
    if (tmp === 0) throw exhaustedModel(`the parameters need ${total} bytes`);
    let m = 0;
    try {
      h.refresh();
      const pl = tmp, pw = tmp + lBytes, pb = pw + wBytes;
      const i32 = h.i32;
      for (let l = 0; l < layers.length; l++) {
        const s = layers[l]!;
        i32[(pl >>> 2) + 3 * l] = s.inDim;
        i32[(pl >>> 2) + 3 * l + 1] = s.outDim;
        i32[(pl >>> 2) + 3 * l + 2] = s.activation;
      }
      h.u8.set(new Uint8Array(cfg.weights.buffer, cfg.weights.byteOffset, cfg.weights.byteLength), pw);
      h.f32.set(cfg.biases, pb >>> 2);
      m = guarded('allocating the model', () => ex.modelNew(pl, layers.length, pw, f16 ? 1 : 0, pb) >>> 0);
    } finally {
      ex.free(tmp);
    }
    if (m === 0) throw exhaustedModel(`the model's parameters and scratch (${total} bytes of parameters)`);
    this.m = m;
  }

  predict(inputs: Float32Array, batch: number, out: Float32Array): void {
    if (batch === 0) return;
    const h = this.h;
    const inDim = this.inDim, outDim = this.outDim;
    const rowBytes = align(inDim * 4) + align(outDim * 4);
    let rows = Math.min(batch, Math.max(1, Math.floor(STREAM_BUDGET / rowBytes)));
    if (rows < batch && rows >= BLOCK) rows -= rows % BLOCK;
    const [px, po] = guarded('the input rows', () =>
      h.regionsFor('DenseModel.predict', 'inputs (a chunk of rows) and their outputs', rows * inDim * 4, rows * outDim * 4),
    ) as [number, number];
    const ex = h.ex;
    for (let r0 = 0; r0 < batch; r0 += rows) {
      const r = Math.min(rows, batch - r0);
      h.f32.set(inputs.subarray(r0 * inDim, (r0 + r) * inDim), px >>> 2);
      ex.modelPredict(this.m, px, r, po);
      out.set(h.f32.subarray(po >>> 2, (po >>> 2) + r * outDim), r0 * outDim);
    }
  }

  dispose(): void {
    if (this.m === 0) return;
    this.h.ex.modelFree(this.m);
    this.m = 0;
  }
}

/** The wasm tier's model factory: cores resident in `heap`'s instance. */
export function wasmModel(heap: WasmHeap): StructureFactories['model'] {
  return (cfg) => new WasmModelCore(heap, cfg);
}
