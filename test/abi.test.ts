// The binary interfaces have one source each: ABI codes in ts/contract/abi.ts
// (the Rust and AssemblyScript copies must agree), the wasm module's exports
// in WASM_FUNCTIONS, and the addon's in napi's generated binding.d.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend } from '../ts/index.js';
import { ABI, WASM_ONLY_ABI } from '../ts/contract/abi.js';
import { WASM_FUNCTIONS, wasmImports } from '../ts/tiers/wasm/exports.js';
import { NATIVE_EXPORTS } from '../ts/tiers/native/binding-exports.generated.js';
import { ROOT } from './support/child.js';
import { EXPECTED_ABSENT } from './support/tiers.js';

/** `NAME = value` of every line matching `re` (value: decimal, hex, or `1 << n`). */
function constants(file: string, re: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
    const m = re.exec(line.trim());
    if (m === null) continue;
    const v = m[2].replace(/_/g, '');
    const shift = /^1 << (\d+)$/.exec(v);
    out.set(m[1], shift ? 2 ** Number(shift[1]) : Number(v));
  }
  return out;
}

const RUST = constants('native/src/abi.rs', /^pub const ([A-Z0-9_]+): [a-z0-9]+ = (-?[0-9_]+|0x[0-9a-f_]+|1 << [0-9]+);/);
const ASM = constants('asm/assembly/abi.ts', /^(?:@inline )?export const ([A-Z0-9_]+): [a-z0-9]+ = (-?[0-9_]+|0x[0-9a-f_]+|1 << [0-9]+);/);

describe('ABI codes', () => {
  it.each([['native/src/abi.rs', RUST], ['asm/assembly/abi.ts', ASM]] as const)('%s defines only codes of ts/contract/abi.ts, with the same values', (_file, consts) => {
    expect(consts.size).toBeGreaterThan(0);
    for (const [name, value] of consts) {
      expect(Object.hasOwn(ABI, name), `${name} is not in ts/contract/abi.ts`).toBe(true);
      expect(value, name).toBe(ABI[name as keyof typeof ABI]);
    }
  });

  it('the AssemblyScript module defines every code, the Rust addon every code it uses', () => {
    for (const name of Object.keys(ABI) as (keyof typeof ABI)[]) {
      expect(ASM.has(name), `asm/assembly/abi.ts lacks ${name}`).toBe(true);
      if (!WASM_ONLY_ABI.includes(name)) expect(RUST.has(name), `native/src/abi.rs lacks ${name}`).toBe(true);
    }
  });
});

describe.each(['asm/build/hotpath.wasm', 'asm/build/hotpath-nosimd.wasm'])('wasm module %s', (file) => {
  const module = new WebAssembly.Module(readFileSync(join(ROOT, file)));

  it('exports exactly what WASM_FUNCTIONS describes, plus its memory', () => {
    const exports = WebAssembly.Module.exports(module);
    expect(exports.filter((e) => e.kind === 'memory').map((e) => e.name)).toEqual(['memory']);
    expect(exports.filter((e) => e.kind === 'function').map((e) => e.name).sort()).toEqual(Object.keys(WASM_FUNCTIONS).sort());
    expect(exports.filter((e) => e.kind !== 'function' && e.kind !== 'memory')).toEqual([]);
  });

  it('each function takes the parameters WASM_FUNCTIONS names', () => {
    let memory: WebAssembly.Memory | undefined;
    const instance = new WebAssembly.Instance(module, wasmImports(() => memory));
    for (const [name, params] of Object.entries(WASM_FUNCTIONS)) {
      expect((instance.exports[name] as (...a: number[]) => number).length, name).toBe(params.length);
    }
  });
});

describe('native addon', () => {
  it.runIf(!EXPECTED_ABSENT.has('native'))('exports exactly the functions and classes its generated binding.d.ts declares', () => {
    const path = backend().tiers.native.path;
    expect(path, backend().tiers.native.error ?? '').not.toBeNull();
    const addon = createRequire(import.meta.url)(path!) as Record<string, unknown>;
    expect(Object.keys(addon).filter((k) => typeof addon[k] === 'function').sort()).toEqual([...NATIVE_EXPORTS].sort());
  });
});
