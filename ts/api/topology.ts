import { hostProbe } from '../dispatch/dispatch.js';
import type { Topology } from '../contract/topology.js';

// Who answers when the addon is not loaded: Node's os module (the Node
// entry) or navigator (the browser entry); each entry installs its own so the
// other's globals never enter its module graph.
let hostTopology: (() => Topology) | null = null;

/** Sets the answer {@link topology} gives without the native addon. @internal */
export function setHostTopology(probe: () => Topology): void {
  hostTopology = probe;
}

/**
 * The machine's topology. Probed natively (sysfs, affinity mask, cgroup quota,
 * CPUID) when the addon is loaded; otherwise a best-effort answer from
 * Node's `os` module with `source: 'os'`, or in a browser from
 * `navigator.hardwareConcurrency` with `source: 'browser'`.
 */
export function topology(): Topology {
  const probe = hostProbe();
  if (probe !== null) return probe.topology();
  if (hostTopology === null) throw new Error('hotpath.topology: no platform entry loaded (import hotpath, not its internal modules)');
  return hostTopology();
}

