// WebGPU's numeric flags, fixed by the specification. Spelled out here because
// Dawn in Node does not define the GPUBufferUsage / GPUMapMode globals.

/** GPUBufferUsage bits. */
export const Usage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
/** GPUMapMode.READ. */
export const MAP_READ = 0x1;
