// Writers for a matrix run: the JSON as measured, a markdown pivot (one line
// per kernel and size, one column per tier and peer) and an SVG bar chart of
// speed-up over the plain-JS baseline at the large size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fmtNs } from './format.mjs';

const TIER_COLUMNS = ['js', 'wasm', 'native', 'auto'];

const x = (v) => (v === null || v === undefined ? '' : `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`);

/** Rows grouped by case and size, in run order. */
function groups(report) {
  const out = new Map();
  for (const r of report.rows) {
    const key = `${r.case}\u0000${r.size}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key).push(r);
  }
  return [...out.values()];
}

function cell(r) {
  if (!r) return '–';
  return `${fmtNs(r.nsPerOp)} ±${r.rmePct.toFixed(0)}%${r.taskKind === 'baseline' ? '' : ` **${x(r.speedup)}**`}`;
}

/** Markdown: the machine line, then the pivot. Speed-ups are against the row's baseline. */
export function markdown(report) {
  const peers = [...new Set(report.rows.filter((r) => r.taskKind === 'peer').map((r) => r.task))];
  const head = ['operation', 'size', 'baseline', 'time/op', ...TIER_COLUMNS, ...peers, 'memory / compute'];
  const lines = [
    `Machine: ${report.machine.summary}. Memory bandwidth (STREAM triad, ${report.bandwidth.source}, ${report.bandwidth.threads} threads): ${report.bandwidth.gbPerSec.toFixed(1)} GB/s. Profile: ${report.profile}, ${report.date.slice(0, 10)}.`,
    '',
    ...(report.profile === 'quick' ? ['Quick profile (`--quick`): short samples, so ratios are rough; data structures at the small and medium sizes only.', ''] : []),
    'Each cell: time per operation ± relative margin of error, and **speed-up over the baseline** (higher is better). `auto` is the dispatcher\'s own choice; its tier is in brackets.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`,
  ];
  const l3 = report.machine.caches?.l3 ?? 0;
  for (const g of groups(report)) {
    const base = g.find((r) => r.taskKind === 'baseline') ?? g.find((r) => r.task === r.baseline);
    const by = (t) => g.find((r) => r.task === t);
    const auto = by('auto');
    const extra = g.filter((r) => r.taskKind === 'tier' && (r.bandwidthFraction !== null || r.gflops !== null))
      .map((r) => (r.gflops !== null ? `${r.tier} ${r.gflops.toFixed(1)} GFLOP/s`
        : `${r.tier} ${r.gbPerSec.toFixed(1)} GB/s (${(100 * r.bandwidthFraction).toFixed(0)}%${r.bytes < l3 ? '*' : ''})`)).join(', ');
    lines.push(`| ${g[0].case} | ${g[0].size}: ${g[0].params} | ${base?.task ?? '–'} | ${base ? fmtNs(base.nsPerOp) : '–'} | ${[
      ...TIER_COLUMNS.map((t) => (t === 'auto' && auto ? `${cell(auto)} [${auto.tier}]` : cell(by(t)))),
      ...peers.map((p) => cell(by(p))),
    ].join(' | ')} | ${extra} |`);
  }
  lines.push('', `Memory / compute: input bytes streamed per call divided by time, and that as a percentage of the STREAM triad (${report.bandwidth.gbPerSec.toFixed(1)} GB/s), at the large size; matmul in GFLOP/s (2·m·k·n per call).${report.rows.some((r) => r.bandwidthFraction !== null && r.bytes < l3) ? ` * working set smaller than the L3 the CPU reports (${(l3 / 2 ** 20).toFixed(0)} MiB, shared with other tenants on a VM), so part of it may come from cache.` : ''}`);
  if (report.skipped.length > 0) {
    lines.push('', 'Skipped peers:', '');
    const seen = new Set();
    for (const s of report.skipped) {
      if (seen.has(s.module)) continue;
      seen.add(s.module);
      lines.push(`- \`${s.module}\`: ${s.reason}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const COLORS = { native: '#d9480f', wasm: '#5f3dc4', js: '#2b8a3e', auto: '#1971c2' };
const PEER_COLOR = '#868e96';
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bars, log-scaled, one block per operation at its large size:
 * speed-up of each tier and peer over the plain-JS baseline (1x line).
 */
export function svg(report, size = 'large') {
  const blocks = groups(report).filter((g) => g[0].size === size)
    .map((g) => ({ name: g[0].case, params: g[0].params, baseline: g[0].baseline, bars: g.filter((r) => r.taskKind !== 'baseline' && r.speedup !== null) }))
    .filter((b) => b.bars.length > 0);
  const barH = 11, gap = 3, blockGap = 12, left = 300, plotW = 520, top = 56;
  const all = blocks.flatMap((b) => b.bars.map((r) => r.speedup));
  const lo = Math.min(0.1, ...all.map((v) => 10 ** Math.floor(Math.log10(v)))), hi = Math.max(10, ...all.map((v) => 10 ** Math.ceil(Math.log10(v))));
  const px = (v) => left + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  let y = top;
  const parts = [];
  for (const b of blocks) {
    const h = b.bars.length * (barH + gap);
    parts.push(`<text x="${left - 8}" y="${y + 10}" text-anchor="end" font-weight="600">${esc(b.name)}</text>`);
    parts.push(`<text x="${left - 8}" y="${y + 22}" text-anchor="end" fill="#666" font-size="9">${esc(b.params)} · vs ${esc(b.baseline)}</text>`);
    b.bars.forEach((r, i) => {
      const by = y + i * (barH + gap), x0 = px(1), x1 = px(r.speedup);
      const color = COLORS[r.task] ?? PEER_COLOR;
      parts.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${by}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${barH}" fill="${color}"><title>${esc(`${b.name} ${r.task}: ${r.speedup.toFixed(2)}x (${fmtNs(r.nsPerOp)}/op)`)}</title></rect>`);
      parts.push(`<text x="${(Math.max(x0, x1) + 4).toFixed(1)}" y="${by + 9}" font-size="9">${esc(r.task === 'auto' ? `auto→${r.tier}` : r.task)} ${r.speedup.toFixed(r.speedup >= 10 ? 0 : 2)}x</text>`);
    });
    y += Math.max(h, 26) + blockGap;
  }
  const grid = [];
  for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e++) {
    const v = 10 ** e, gx = px(v).toFixed(1);
    grid.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${y}" stroke="${v === 1 ? '#000' : '#ddd'}"/><text x="${gx}" y="${top - 10}" text-anchor="middle" font-size="9">${v >= 1 ? v : v.toFixed(Math.round(-e))}x</text>`);
  }
  const legend = Object.entries(COLORS).map(([k, c], i) => `<rect x="${left + i * 80}" y="${y + 4}" width="10" height="10" fill="${c}"/><text x="${left + i * 80 + 14}" y="${y + 13}">${k}</text>`).join('')
    + `<rect x="${left + 320}" y="${y + 4}" width="10" height="10" fill="${PEER_COLOR}"/><text x="${left + 334}" y="${y + 13}">npm peers</text>`;
  const width = left + plotW + 110, height = y + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" font-size="13" font-weight="600">hotpath: speed-up over the plain-JS baseline (${esc(size)} inputs, log scale)</text>
<text x="10" y="34" font-size="9" fill="#444">${esc(report.machine.summary)}</text>
${grid.join('\n')}
${parts.join('\n')}
${legend}
</svg>
`;
}

/** Writes `<stem>.json`, `<stem>.md` and `<stem>.svg` for a JSON path. */
export function writeReport(report, jsonPath) {
  mkdirSync(dirname(jsonPath), { recursive: true });
  const stem = jsonPath.replace(/\.json$/, '');
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(`${stem}.md`, markdown(report));
  writeFileSync(`${stem}.svg`, svg(report));
  return { json: `${stem}.json`, md: `${stem}.md`, svg: `${stem}.svg` };
}
