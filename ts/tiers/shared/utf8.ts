// Texts as one UTF-8 buffer plus byte offsets: the layout the native and wasm
// kernels read. TextEncoder turns lone surrogates into U+FFFD, which is the
// contract. For all-ASCII input (keys, identifiers) one encode of the joined
// texts beats a TextEncoder call per string several times over, and the
// offsets are the string lengths.

const encoder = new TextEncoder();

export interface PackedTexts {
  bytes: Uint8Array;
  /** offsets[t] .. offsets[t+1] is text t; length texts + 1. */
  offsets: Uint32Array;
}

export function packTexts(texts: readonly string[]): PackedTexts {
  const offsets = new Uint32Array(texts.length + 1);
  const joined = texts.join('');
  const bytes = encoder.encode(joined);
  // Every non-ASCII code unit encodes to more bytes than units, so equal lengths mean all ASCII.
  if (bytes.length === joined.length) {
    let at = 0;
    for (let i = 0; i < texts.length; i++) offsets[i + 1] = at += texts[i].length;
    return { bytes, offsets };
  }
  // Encode text by text: joining could pair a lone high surrogate with the next text's low one.
  const out = new Uint8Array(joined.length * 3);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    at += encoder.encodeInto(texts[i], out.subarray(at)).written;
    offsets[i + 1] = at;
  }
  return { bytes: out.subarray(0, at), offsets };
}
