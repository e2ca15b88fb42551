// A horizontal grouped bar chart as inline SVG: per kernel, one bar per
// contender, each bar's length relative to the slowest contender of that
// kernel (kernels differ by orders of magnitude, a shared axis would hide most).
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** rows: [{ label, bars: [{ name, ms, cls }] }] -> an <svg> element. */
export function barChart(rows) {
  const labelW = 110, barMax = 480, barH = 16, gap = 4, groupGap = 14, width = labelW + barMax + 110;
  const height = rows.reduce((h, r) => h + r.bars.length * (barH + gap) + groupGap, 10);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  let y = 5;
  for (const row of rows) {
    const slowest = Math.max(...row.bars.map((b) => b.ms));
    svg.append(el('text', { x: 0, y: y + barH - 3, 'font-size': 13 }, row.label));
    for (const b of row.bars) {
      const w = Math.max(1, (b.ms / slowest) * barMax);
      svg.append(el('rect', { x: labelW, y, width: w.toFixed(1), height: barH, rx: 3, class: b.cls }));
      svg.append(el('text', { x: labelW + w + 6, y: y + barH - 3, 'font-size': 12, fill: '#333' }, `${b.name} ${formatMs(b.ms)}`));
      y += barH + gap;
    }
    y += groupGap;
  }
  return svg;
}

/** Milliseconds with about three significant digits. */
export function formatMs(ms) {
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}
