// Code point order for well-formed UTF-16 strings (= UTF-8 byte order). JS `<`
// compares code units, which differs only where the first differing units are
// a surrogate (part of an astral character, U+10000 and up) and a unit in
// U+E000–U+FFFF: code unit order puts the surrogate first, code point order
// puts it last.

/** True when `s` holds a code unit ≥ 0xD800 (a surrogate or U+E000–U+FFFF). */
export function hasHighUnit(s: string): boolean {
  for (let i = 0, n = s.length; i < n; i++) {
    if (s.charCodeAt(i) >= 0xd800) return true;
  }
  return false;
}

/**
 * -1, 0 or 1 as `a` orders before, equal to or after `b` by code point.
 *
 * When neither string holds a unit ≥ 0xD800, or only one of them does, JS `<`
 * already agrees with code point order: a differing unit below 0xD800 orders
 * first both ways. Only a first difference between two units ≥ 0xD800 needs
 * the remap (surrogates above U+E000–U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca < 0xe000 ? ca + 0x2000 : ca - 0x800;
        cb = cb < 0xe000 ? cb + 0x2000 : cb - 0x800;
      }
      return ca < cb ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}
