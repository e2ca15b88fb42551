// The two Buffer calls the B+ tree model makes (UTF-8 bytes and their
// unsigned lexicographic order), for the page where Node's Buffer is absent.
// Injected by esbuild for the free identifier `Buffer`; a plain byte loop,
// independent of the trees' own comparators.
const utf8 = new TextEncoder();

export const Buffer = {
  from(s: string): Uint8Array {
    return utf8.encode(s);
  },
  compare(a: Uint8Array, b: Uint8Array): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  },
};
