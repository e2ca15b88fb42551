// What the addon throws, as the API throws it: `hotpath.<fn>: <arg> ...`.
// The Rust side reports a bad value as "<arg>: <what>" (napi status
// InvalidArg), a wrong kind of argument with a `*Expected` status, a state
// error (a disposed structure) as a sentence with status ObjectExpected, and
// a caught panic as GenericFailure; napi's own conversion failures (a BigInt
// for a number) come in napi's words, which name no argument.
// Telling them apart costs nothing on the hot path: only a catch calls this.
import { describe, typeError } from '../../contract/errors.js';

/** Rust's `ArgError` display: the argument (`keys`, `wheels[2]`), a colon, what is wrong. */
const ARG_MESSAGE = /^([A-Za-z_$][\w$]*(?:\[\d+\])?): ([\s\S]*)$/;

function isDetached(x: ArrayBufferView): boolean {
  const b = x.buffer as ArrayBufferLike & { detached?: boolean };
  if (typeof b.detached === 'boolean') return b.detached;
  if (x.byteLength !== 0) return false;
  try {
    new Uint8Array(b, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Rethrows `e`, thrown by the addon while running `hotpath.<fn>` with
 * `args` (named by `names`), as a named TypeError or RangeError. An argument
 * napi cannot have converted is blamed first: a BigInt where a number goes, or
 * a view of a detached ArrayBuffer (the addon sees it as empty, so its own
 * message would be about a length).
 * @internal
 */
export function rethrowNative(fn: string, e: unknown, names: readonly string[], args: readonly unknown[]): never {
  if ((e instanceof TypeError || e instanceof RangeError) && e.message.startsWith('hotpath.')) throw e;
  for (let i = 0; i < args.length; i++) {
    const x = args[i];
    const name = names[i] ?? `argument ${i}`;
    if (typeof x === 'bigint') typeError(fn, name, `must be a number; got ${describe(x)}`);
    if (ArrayBuffer.isView(x) && isDetached(x)) typeError(fn, name, 'is a view of a detached ArrayBuffer');
  }
  if (!(e instanceof Error)) throw e;
  const code = (e as Error & { code?: unknown }).code;
  const m = ARG_MESSAGE.exec(e.message);
  if (m !== null) {
    // Rust names an argument as the addon takes it ("maxSeverity"); the
    // caller's name may be longer ("options.maxSeverity").
    const base = m[1].replace(/\[\d+\]$/, '');
    const named = names.find((n) => n === base || n.endsWith(`.${base}`)) ?? base;
    const arg = named + m[1].slice(base.length);
    // "keys: keys[3] is NaN" reads "keys[3] is NaN".
    const text = m[2].startsWith(`${base}[`) ? named + m[2].slice(base.length) : `${arg} ${m[2]}`;
    throw code === 'InvalidArg' ? new RangeError(`hotpath.${fn}: ${text}`, { cause: e }) : new TypeError(`hotpath.${fn}: ${text}`, { cause: e });
  }
  // A panic caught at the boundary (GenericFailure with the panic's text)
  // is a defect of the addon, not of the input: an Error, still named.
  if (code === 'GenericFailure') throw new Error(`hotpath.${fn}: the native tier failed: ${e.message}`, { cause: e });
  throw new TypeError(`hotpath.${fn}: ${e.message}`, { cause: e });
}
