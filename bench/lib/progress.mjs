// Progress of a matrix run on stderr: on a TTY one bar per kernel, redrawn in
// place and left behind when the kernel is done; otherwise one plain line per
// measured row, so CI logs stay readable.

const WIDTH = 24;

export function progress(stream = process.stderr, { tty = stream.isTTY === true, quiet = false } = {}) {
  let name = '', total = 0, done = 0;
  const bar = (detail) => {
    const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
    return `${name.padEnd(30)} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(done).padStart(3)}/${total} ${detail}`;
  };
  const draw = (detail) => { if (tty && !quiet) stream.write(`\r\x1b[2K${bar(detail)}`); };
  return {
    begin(caseName, steps) { name = caseName; total = steps; done = 0; draw(''); },
    /** What is left now that it is known (peers that did not load, tiers that were skipped): total becomes done + remaining. */
    remaining(steps) { total = done + steps; draw(''); },
    /** One task of the kernel measured; `row` for the plain-line log. */
    step(detail, line) {
      done++;
      if (quiet) return;
      if (tty) draw(detail);
      else if (line) stream.write(`${line}\n`);
    },
    note(text) { if (!quiet) stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`); },
    end() { if (tty && !quiet) stream.write(`\r\x1b[2K${bar('done')}\n`); },
  };
}
