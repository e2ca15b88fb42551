// The two wasm builds carried inside the JavaScript (hotpath/inline), kept as
// base64 strings until a load picks one: a string literal costs the parser
// little, and only the build that runs is ever decoded.
import { NO_SIMD_WASM_BASE64, SIMD_WASM_BASE64 } from './wasm-base64.js';

/** Names of the inline builds in backend().tiers.wasm.path. @internal */
export const INLINE_SIMD_LABEL = 'inline:hotpath.wasm';
/** @internal */
export const INLINE_NO_SIMD_LABEL = 'inline:hotpath-nosimd.wasm';

interface Base64Host {
  fromBase64?: (s: string) => Uint8Array<ArrayBuffer>;
}
interface BufferHost {
  Buffer?: { from(s: string, encoding: 'base64'): Uint8Array<ArrayBuffer> };
}

/** Decodes base64 with the fastest decoder the host has (no Node import: the browser build uses this too). @internal */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const fromBase64 = (Uint8Array as Base64Host).fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(s);
  const buffer = (globalThis as BufferHost).Buffer;
  if (typeof buffer?.from === 'function') return buffer.from(s, 'base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The SIMD build's bytes (a fresh copy per call). @internal */
export function inlineSimdWasm(): Uint8Array<ArrayBuffer> {
  return decodeBase64(SIMD_WASM_BASE64);
}

/** The no-SIMD build's bytes (a fresh copy per call). @internal */
export function inlineNoSimdWasm(): Uint8Array<ArrayBuffer> {
  return decodeBase64(NO_SIMD_WASM_BASE64);
}
