// `hotpath compare old.json new.json`: per-row speed ratios between two
// matrix runs, flagging rows slower beyond what either run's spread explains.
import { fmtNs as ns } from './format.mjs';

const key = (r) => `${r.case}\u0000${r.size}\u0000${r.params}\u0000${r.task}`;

/**
 * A row's time and its 95% interval: the median, ± 1.96 standard errors of a
 * median estimated from the MAD (1.253 · 1.4826 · MAD / √n), where the report
 * has them; else (older reports) the mean ± tinybench's relative margin.
 */
function interval(r) {
  if (Number.isFinite(r.medianNsPerOp) && Number.isFinite(r.madNsPerOp) && r.samples > 0) {
    const h = (1.96 * 1.253 * 1.4826 * r.madNsPerOp) / Math.sqrt(r.samples);
    return [r.medianNsPerOp, r.medianNsPerOp - h, r.medianNsPerOp + h];
  }
  return [r.nsPerOp, r.nsPerOp * (1 - r.rmePct / 100), r.nsPerOp * (1 + r.rmePct / 100)];
}

/**
 * Joins two reports by operation, size, parameters and task. A row regressed
 * when its time grew by more than `thresholdPct` percent AND new time's lower
 * 95% bound lies above old time's upper bound; it improved in the mirror case
 * (time shrank by the same factor, intervals apart); otherwise the change is
 * within noise. Both tests, because a quick run's intervals understate the
 * noise between two runs (another process, turbo, GC), and a bare ratio
 * ignores rows whose own spread is wide.
 */
export function compare(oldReport, newReport, { thresholdPct = 0 } = {}) {
  if (!(Number.isFinite(thresholdPct) && thresholdPct >= 0)) throw new RangeError(`thresholdPct must be a number >= 0; got ${thresholdPct}`);
  const grow = 1 + thresholdPct / 100;
  for (const [name, r] of [['old', oldReport], ['new', newReport]]) {
    if (!r || !Array.isArray(r.rows)) throw new Error(`${name} file is not a hotpath bench report (no rows)`);
  }
  const old = new Map(oldReport.rows.map((r) => [key(r), r]));
  const rows = [], onlyNew = [];
  for (const n of newReport.rows) {
    const o = old.get(key(n));
    if (!o) { onlyNew.push(n); continue; }
    old.delete(key(n));
    const [oc, oLo, oHi] = interval(o), [nc, nLo, nHi] = interval(n);
    const ratio = oc / nc; // > 1: new is faster
    const verdict = nLo > oHi && nc > oc * grow ? 'slower' : nHi < oLo && nc * grow < oc ? 'faster' : 'same';
    rows.push({ case: n.case, size: n.size, params: n.params, task: n.task, oldNs: oc, newNs: nc, oldRme: o.rmePct, newRme: n.rmePct, ratio, verdict });
  }
  return {
    thresholdPct,
    oldMachine: oldReport.machine?.summary ?? '?', newMachine: newReport.machine?.summary ?? '?',
    rows, onlyOld: [...old.values()], onlyNew,
    regressions: rows.filter((r) => r.verdict === 'slower').length,
    improvements: rows.filter((r) => r.verdict === 'faster').length,
  };
}


/** Text table of a comparison: changed rows (or all), then a summary line. */
export function formatComparison(c, { all = false, oldName = 'old', newName = 'new' } = {}) {
  const lines = [`old: ${oldName} (${c.oldMachine})`, `new: ${newName} (${c.newMachine})`];
  if (c.oldMachine !== c.newMachine) lines.push('note: the runs are from different machines; ratios mix machine and code changes');
  lines.push('', `${'operation'.padEnd(30)} ${'size'.padEnd(6)} ${'task'.padEnd(26)} ${'old/op'.padStart(11)} ${'new/op'.padStart(11)} ${'speed'.padStart(7)}  verdict`);
  for (const r of c.rows) {
    if (!all && r.verdict === 'same') continue;
    const flag = r.verdict === 'slower' ? 'SLOWER' : r.verdict === 'faster' ? 'faster' : '';
    lines.push(`${r.case.padEnd(30)} ${r.size.padEnd(6)} ${r.task.padEnd(26)} ${ns(r.oldNs).padStart(11)} ${ns(r.newNs).padStart(11)} ${`${r.ratio.toFixed(2)}x`.padStart(7)}  ${flag}`);
  }
  if (c.onlyOld.length) lines.push('', `${c.onlyOld.length} row(s) only in old (e.g. ${c.onlyOld[0].case} ${c.onlyOld[0].size} ${c.onlyOld[0].task})`);
  if (c.onlyNew.length) lines.push('', `${c.onlyNew.length} row(s) only in new (e.g. ${c.onlyNew[0].case} ${c.onlyNew[0].size} ${c.onlyNew[0].task})`);
  lines.push('', `${c.rows.length} rows compared: ${c.regressions} slower beyond spread and ${c.thresholdPct}%, ${c.improvements} faster beyond spread and ${c.thresholdPct}%, ${c.rows.length - c.regressions - c.improvements} within noise.`);
  return lines.join('\n');
}
