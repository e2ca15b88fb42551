/// <reference types="@webgpu/types" />
// Buffers kept between calls. A repeated call shape (same sizes and usages)
// reuses last call's buffers instead of allocating; the pool is bounded so a
// burst of odd shapes cannot pin GPU memory.

/** Idle buffers by exact (usage, size), least recently returned first. */
export class BufferPool {
  private readonly idle = new Map<string, GPUBuffer[]>();
  private idleBytes = 0;

  constructor(private readonly device: GPUDevice, private readonly maxIdleBytes: number) {}

  /** A buffer of exactly `size` bytes with `usage`, reused when one is idle. */
  acquire(size: number, usage: number, label: string): GPUBuffer {
    const key = `${usage}:${size}`;
    const list = this.idle.get(key);
    const hit = list?.pop();
    if (hit !== undefined) {
      if (list!.length === 0) this.idle.delete(key);
      this.idleBytes -= size;
      return hit;
    }
    return this.device.createBuffer({ size, usage, label });
  }

  /** Returns buffers after a call; the oldest idle ones are destroyed past the byte bound. */
  release(buffers: readonly GPUBuffer[]): void {
    for (const b of buffers) {
      const key = `${b.usage}:${b.size}`;
      // Re-inserting moves the key to the end of the Map: eviction below walks oldest first.
      const list = this.idle.get(key) ?? [];
      this.idle.delete(key);
      list.push(b);
      this.idle.set(key, list);
      this.idleBytes += b.size;
    }
    for (const [key, list] of this.idle) {
      if (this.idleBytes <= this.maxIdleBytes) break;
      while (list.length > 0 && this.idleBytes > this.maxIdleBytes) {
        const b = list.shift()!;
        this.idleBytes -= b.size;
        b.destroy();
      }
      if (list.length === 0) this.idle.delete(key);
    }
  }

  /** Bytes held by idle buffers. */
  get bytes(): number {
    return this.idleBytes;
  }

  /** Destroys every idle buffer. */
  clear(): void {
    for (const list of this.idle.values()) for (const b of list) b.destroy();
    this.idle.clear();
    this.idleBytes = 0;
  }
}
