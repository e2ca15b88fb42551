// Settling a call's promise when its AbortSignal fires, shared by the api
// layer's off-thread paths and the native tier's async kernels.

/**
 * `p`, or a rejection with `signal.reason` as soon as the signal aborts
 * (already aborted: at once). `onAbort` runs after that rejection, e.g. to
 * cancel queued work; `p` settling later is then unobserved. @internal
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, onAbort?: (reason: unknown) => void): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) {
    p.catch(() => {});
    onAbort?.(signal.reason);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      reject(signal.reason);
      onAbort?.(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}
