// How many items the AdaptiveBatcher gathers before it runs a batch, and how
// long it lets the oldest wait. Pure decision logic over observations (no
// timers, no clock), so the policies are tested on a simulated clock.
//
// Every policy sees the same observation per batch: the items it held, the
// time `run` took, and the span from the oldest item's submit to the batch's
// results. items / span is the throughput the batch delivered *including the
// time its items spent gathering*: at a low arrival rate a large batch waits
// for items and its span grows, so size 1 wins; under load items are already
// queued, the span is the service time, and a kernel that amortises (a
// memory-bound scan over a shared matrix) wins with larger batches.

/** What the batcher reports to its policy after each batch. */
export interface BatchObservation {
  /** The size the policy asked for when the batch began to gather. */
  readonly size: number;
  /** Items the batch held (fewer than `size` when the wait ran out). */
  readonly items: number;
  /** Milliseconds `run` took for the batch. */
  readonly serviceMs: number;
  /**
   * Milliseconds from the oldest item's submit to the batch's results (that
   * item's latency), plus, for a queued batch, an allowance per item for the
   * queue's costs no clock inside the batcher sees.
   */
  readonly spanMs: number;
  /** Items of the batch whose latency exceeded the target. */
  readonly overTarget: number;
}

/** One arm of a policy, as {@link AdaptiveBatcher.stats} reports it. */
export interface BatchArmStats {
  /** Batch size of the arm. */
  size: number;
  /** Batches run at this size. */
  pulls: number;
  /** Predicted service time of a full batch (EWMA), in ms; NaN before the first pull. */
  meanMs: number;
  /** Items per ms the arm delivered (EWMA of items / span); NaN before the first pull. */
  throughput: number;
}

/** A batch-size policy: `next()` before a batch gathers, `observe()` after it ran. */
export interface BatchPolicy {
  /** The size to gather for the next batch, 1..maxBatch. */
  next(): number;
  /** How long the oldest item of a batch of `size` may wait before the batch runs anyway, in ms. */
  waitMs(size: number): number;
  /** Feeds back one batch. */
  observe(o: BatchObservation): void;
  /** The arms (sizes) with their statistics. */
  arms(): BatchArmStats[];
}

/** Weight of the newest observation in the EWMAs: about the last 5 batches carry the estimate. */
const ALPHA = 0.2;
/** Share of items over the target above which an arm's p99 exceeds the target. */
const P99_SHARE = 0.01;
/**
 * The share is over/(items + SHARE_PRIOR), counts decayed by SHARE_DECAY per
 * batch: one slow sample among few (a GC pause in a timed size-1 run) is not
 * yet evidence that the arm's p99 is over the target, many are.
 */
const SHARE_DECAY = 0.99;
const SHARE_PRIOR = 20;
/** Fraction of the target a batch may spend gathering; the rest is left for `run` and jitter. */
const WAIT_SHARE = 0.5;

function ewma(old: number, x: number): number {
  return old !== old ? x : old + ALPHA * (x - old);
}

/** Sizes 1, 2, 4, … up to maxBatch (maxBatch itself last when it is not a power of two). */
export function armSizes(maxBatch: number): number[] {
  const sizes: number[] = [];
  for (let s = 1; s < maxBatch; s *= 2) sizes.push(s);
  sizes.push(maxBatch);
  return sizes;
}

/**
 * Service time per item, as an EWMA per power-of-two bucket of batch sizes,
 * keyed by the items a batch actually held. A size never run is predicted
 * from the nearest bucket seen: batching a kernel costs less per item, not
 * more, so a prediction from below is an upper bound (the safe side for the
 * latency target).
 */
class ServiceModel {
  readonly #perItem: number[];
  constructor(buckets: number) {
    this.#perItem = new Array<number>(buckets).fill(NaN);
  }
  static bucket(size: number): number {
    return 31 - Math.clz32(size);
  }
  observe(items: number, ms: number): void {
    if (items < 1) return;
    const b = Math.min(ServiceModel.bucket(items), this.#perItem.length - 1);
    this.#perItem[b] = ewma(this.#perItem[b]!, ms / items);
  }
  /** Service time of a batch of `size` in ms; NaN when that bucket was never run. */
  seen(size: number): number {
    return this.#perItem[ServiceModel.bucket(size)]! * size;
  }
  predict(size: number): number {
    const b = ServiceModel.bucket(size);
    for (let d = 0; d < this.#perItem.length; d++) {
      for (const j of d === 0 ? [b] : [b - d, b + d]) {
        const c = this.#perItem[j];
        if (c !== undefined && c === c) return c * size;
      }
    }
    return 0;
  }
}

/** Shared by the three policies: the service model and the wait rule. */
abstract class PolicyBase implements BatchPolicy {
  protected readonly service: ServiceModel;
  constructor(
    protected readonly maxBatch: number,
    protected readonly targetMs: number,
  ) {
    this.service = new ServiceModel(ServiceModel.bucket(maxBatch) + 1);
  }
  abstract next(): number;
  abstract arms(): BatchArmStats[];
  /** Half of what the target leaves after the predicted service time. */
  waitMs(size: number): number {
    return size <= 1 ? 0 : Math.max(0, (this.targetMs - this.service.predict(size)) * WAIT_SHARE);
  }
  observe(o: BatchObservation): void {
    this.service.observe(o.items, o.serviceMs);
  }
}

/** Per-arm statistics of the UCB policy. */
interface Arm {
  readonly size: number;
  /** Discounted pull count (the bandit's n_i). */
  n: number;
  pulls: number;
  throughput: number;
  /** Items over the target and items seen, both decayed by SHARE_DECAY per batch. */
  over: number;
  items: number;
}

/**
 * Discounted UCB over batch sizes 1, 2, 4, … maxBatch.
 *
 * - Reward of an arm: its EWMA throughput (items / span), times
 *   P99_SHARE / share when more than 1% of its recent items exceeded the
 *   target (its p99 is above the target; see SHARE_PRIOR), normalised by the
 *   best arm's reward.
 * - Index: reward + C·sqrt(ln N / n_i), with every n_i discounted by GAMMA per
 *   decision, so an arm not pulled for a while is tried again and a change in
 *   load is followed within a few dozen batches.
 * - Only size 1, the best arm, the size below it and the two above it compete, and
 *   only sizes whose predicted service time fits the target: exploring a jump
 *   from 1 to 256 on a 20 ms kernel would cost seconds of latency, while a
 *   step of 4× crosses the flat start of a curve where 2 items gain little.
 */
export class UcbPolicy extends PolicyBase {
  static readonly C = 0.25;
  static readonly GAMMA = 0.95;
  /** Pulls an arm gets before UCB judges it; its first is a warm-up (JIT, caches) and does not count. */
  static readonly MIN_PULLS = 3;
  readonly #arms: Arm[];
  #best = 0;

  constructor(maxBatch: number, targetMs: number) {
    super(maxBatch, targetMs);
    this.#arms = armSizes(maxBatch).map((size) => ({ size, n: 0, pulls: 0, throughput: NaN, over: 0, items: 0 }));
  }

  #reward(a: Arm): number {
    if (a.throughput !== a.throughput) return NaN;
    const share = a.over / (a.items + SHARE_PRIOR);
    return share > P99_SHARE ? (a.throughput * P99_SHARE) / share : a.throughput;
  }

  next(): number {
    const arms = this.#arms;
    let total = 0;
    for (const a of arms) total += a.n *= UcbPolicy.GAMMA;
    let top = 0;
    for (const a of arms) {
      const r = this.#reward(a);
      if (r > top) top = r;
    }
    const lnN = Math.log(Math.max(total, 1) + 1);
    let pick = -1;
    let pickIndex = -Infinity;
    const from = Math.max(0, this.#best - 1);
    // Size 1 always competes too: it never waits, so re-measuring it is cheap, and a cold first measurement cannot strand it.
    for (let i = from > 0 ? -1 : 0; i <= Math.min(arms.length - 1, this.#best + 2); i = i < 0 ? from : i + 1) {
      const a = arms[i < 0 ? 0 : i]!;
      if (i > 0 && a.n === 0 && this.service.predict(a.size) > this.targetMs) continue;
      const r = this.#reward(a);
      if (r !== r || a.pulls < UcbPolicy.MIN_PULLS) {
        pick = i < 0 ? 0 : i; // a neighbour that fits the target and was not measured enough goes first
        break;
      }
      const index = (top > 0 ? r / top : 0) + UcbPolicy.C * Math.sqrt(lnN / Math.max(a.n, 1e-9));
      if (index > pickIndex) {
        pickIndex = index;
        pick = i < 0 ? 0 : i;
      }
    }
    if (pick < 0) pick = this.#best;
    return arms[pick]!.size;
  }

  override observe(o: BatchObservation): void {
    super.observe(o);
    const i = this.#armOf(o.size);
    const a = this.#arms[i]!;
    a.n += 1;
    a.pulls += 1;
    const x = o.items / Math.max(o.spanMs, 1e-4);
    // Pull 2 replaces the warm-up. After that, good news moves the estimate fast (nothing makes a run
    // look faster than it is; a cold first measurement must not strand an arm) and bad news slowly and
    // at most 4x per sample (a GC pause is one slow sample, not a new cost).
    if (a.pulls <= 2) a.throughput = x;
    else if (x > a.throughput) a.throughput += 0.5 * (x - a.throughput);
    else a.throughput = ewma(a.throughput, Math.max(x, a.throughput / 4));
    a.over = a.over * SHARE_DECAY + o.overTarget;
    a.items = a.items * SHARE_DECAY + o.items;
    let best = 0;
    let bestReward = -1;
    for (let j = 0; j < this.#arms.length; j++) {
      const r = this.#reward(this.#arms[j]!);
      if (r > bestReward) {
        bestReward = r;
        best = j;
      }
    }
    this.#best = best;
  }

  #armOf(size: number): number {
    const i = this.#arms.findIndex((a) => a.size === size);
    return i >= 0 ? i : Math.min(ServiceModel.bucket(size), this.#arms.length - 1);
  }

  arms(): BatchArmStats[] {
    return this.#arms.map((a) => ({ size: a.size, pulls: a.pulls, meanMs: this.service.seen(a.size), throughput: a.throughput }));
  }
}

/**
 * Clipper's additive-increase / multiplicative-decrease: grow the batch by a
 * step while its oldest item meets the target, cut it by 10% when not. Only a
 * full batch is evidence for growing (one cut short by its wait says the load
 * does not fill the current size).
 */
export class AimdPolicy extends PolicyBase {
  static readonly DECREASE = 0.9;
  readonly #step: number;
  #size = 1;
  readonly #stats = new Map<number, { pulls: number; throughput: number }>();

  constructor(maxBatch: number, targetMs: number) {
    super(maxBatch, targetMs);
    this.#step = Math.max(1, Math.round(maxBatch / 32));
  }

  next(): number {
    return Math.max(1, Math.min(this.maxBatch, Math.floor(this.#size)));
  }

  override observe(o: BatchObservation): void {
    super.observe(o);
    if (o.spanMs > this.targetMs) this.#size = Math.max(1, this.#size * AimdPolicy.DECREASE);
    else if (o.items >= o.size) this.#size = Math.min(this.maxBatch, this.#size + this.#step);
    const b = 2 ** ServiceModel.bucket(o.size);
    const s = this.#stats.get(b) ?? { pulls: 0, throughput: NaN };
    s.pulls += 1;
    s.throughput = ewma(s.throughput, o.items / Math.max(o.spanMs, 1e-4));
    this.#stats.set(b, s);
  }

  arms(): BatchArmStats[] {
    return [...this.#stats].sort((x, y) => x[0] - y[0]).map(([size, s]) => ({ size, pulls: s.pulls, meanMs: this.service.seen(size), throughput: s.throughput }));
  }
}

/** Always the same size; the baseline the adaptive policies are compared with. */
export class FixedPolicy extends PolicyBase {
  #pulls = 0;
  #throughput = NaN;
  constructor(
    maxBatch: number,
    targetMs: number,
    readonly size: number,
  ) {
    super(maxBatch, targetMs);
  }
  next(): number {
    return this.size;
  }
  override observe(o: BatchObservation): void {
    super.observe(o);
    this.#pulls += 1;
    this.#throughput = ewma(this.#throughput, o.items / Math.max(o.spanMs, 1e-4));
  }
  arms(): BatchArmStats[] {
    return [{ size: this.size, pulls: this.#pulls, meanMs: this.service.seen(this.size), throughput: this.#throughput }];
  }
}
