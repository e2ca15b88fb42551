// Texts as one UTF-8 buffer plus byte offsets: the layout the native and wasm
// n-gram kernels read. TextEncoder turns lone surrogates into U+FFFD, which
// is the contract.

const encoder = new TextEncoder();

export interface PackedTexts {
  bytes: Uint8Array;
  /** offsets[t] .. offsets[t+1] is text t; length texts + 1. */
  offsets: Uint32Array;
}

export function packTexts(texts: readonly string[]): PackedTexts {
  let cap = 0;
  for (const t of texts) cap += t.length * 3;
  const bytes = new Uint8Array(cap);
  const offsets = new Uint32Array(texts.length + 1);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    at += encoder.encodeInto(texts[i], bytes.subarray(at)).written;
    offsets[i + 1] = at;
  }
  return { bytes: bytes.subarray(0, at), offsets };
}
