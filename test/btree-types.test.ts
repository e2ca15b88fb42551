// BPlusTree's type parameters: the key type first (`BPlusTree<K, V>`) and tied
// to keyType. The fixture is the one test:pack compiles against the packed
// .d.ts; here it compiles against the sources, so a type regression fails the
// unit suite too. Its imports from 'hotpath' (BPlusTree, BPlusTreeOptions) all
// come from ts/api/btree.ts, which keeps this program small.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

describe('BPlusTree types', () => {
  it('the fixture compiles and each of its @ts-expect-error lines is an error', () => {
    const fixture = fileURLToPath(new URL('./fixtures/pack-consumer/btree-types.ts', import.meta.url));
    const program = ts.createProgram([fixture], {
      strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.es2024.string.d.ts', 'lib.esnext.disposable.d.ts'],
      paths: { hotpath: [fileURLToPath(new URL('../ts/api/btree.ts', import.meta.url))] },
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
      return `${d.file?.fileName ?? ''}${at ? `:${at.line + 1}` : ''} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(errors).toEqual([]); // an @ts-expect-error line that compiles is TS2578
    expect(readFileSync(fixture, 'utf8').match(/@ts-expect-error/g)?.length).toBeGreaterThanOrEqual(12);
  });
});
