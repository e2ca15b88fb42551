// Fuzz failures that are known and out of scope of the current work. Each
// entry still runs and is printed by test/fuzz.test.ts, but does not fail it.
// An entry matches a failure when `fn` equals the call's function and
// `label` (a RegExp) matches the call's label; `defect` names the defect.
// Keep this list short: everything not listed here asserts.
export const KNOWN_FAILURES = [];
