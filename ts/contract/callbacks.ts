// Delivery of queued user callbacks (onEvict, onExpire) once a structure is
// consistent again.

/**
 * Calls `call(i)` for i = 0, step, 2·step, … while `i < queue.length`, so
 * items a callback queues meanwhile (a re-entrant call removing more) are
 * delivered by this same loop, in order. Every call runs even if one throws;
 * the queue is emptied and the first error rethrown at the end.
 */
export function drainQueue(queue: unknown[], step: number, call: (i: number) => void): void {
  let failed = false;
  let error: unknown;
  try {
    for (let i = 0; i < queue.length; i += step) {
      try {
        call(i);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
  } finally {
    queue.length = 0;
  }
  if (failed) throw error;
}
