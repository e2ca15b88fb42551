// Import rules for ts/ (checked by test/architecture.test.ts and
// `npx depcruise ts --config .dependency-cruiser.cjs`). The layers, lowest
// first: contract <- dispatch <- tiers <- api <- platform <- entries; each
// imports only from below itself. Type-only imports count.
const layer = (name, path, mayImport) => ({
  name: `layer-${name}`,
  comment: `${name} imports only ${mayImport.join(', ') || 'itself'}`,
  severity: 'error',
  from: { path: `^ts/${path}/` },
  to: { path: '^ts/', pathNot: [`^ts/${path}/`, ...mayImport.map((p) => (p.endsWith('.ts') ? `^ts/${p}$` : `^ts/${p}/`))] },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycle, type-only ones included', severity: 'error', from: {}, to: { circular: true } },
    layer('contract', 'contract', []),
    layer('dispatch', 'dispatch', ['contract']),
    // Tiers are peers of one another except through tiers/shared.
    layer('tiers', 'tiers', ['contract', 'dispatch']),
    {
      name: 'tiers-independent',
      comment: 'a tier imports no other tier (shared helpers live in tiers/shared)',
      severity: 'error',
      from: { path: '^ts/tiers/(js|wasm|native|webgpu)/' },
      to: { path: '^ts/tiers/(js|wasm|native|webgpu)/', pathNot: ['^ts/tiers/$1/'] },
    },
    // tiers/shared holds tier-free helpers (the top-k heap the batchers select with).
    layer('api', 'api', ['contract', 'dispatch', 'tiers/webgpu', 'tiers/shared']),
    // wasm-urls.ts sits at the root so its URLs resolve beside dist/*.wasm.
    layer('platform', 'platform', ['contract', 'dispatch', 'tiers', 'api', 'wasm-urls.ts']),
    {
      name: 'browser-graph-node-free',
      comment: 'the browser entries\' graphs reach no Node built-in and no Node-only loader (native glue without a loader is fine)',
      severity: 'error',
      from: { path: '^ts/index(\\.inline)?\\.browser\\.ts$' },
      to: { path: '^(node:|fs$|os$|path$|url$|module$)|^ts/tiers/(native/(loader|platform|index)|wasm/loader|shared/paths)\\.ts$|^ts/platform/node\\.ts$', reachable: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.generated\\.ts$|binding\\.d\\.ts$' },
  },
};
