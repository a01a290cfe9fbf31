// The memory-map panel's payload types (custom request `cortex-m-sim/memoryMap`, computed in
// memory-map.ts). Plain JSON types with no Node imports, so the webview (webview-ui/memory-map)
// type-checks against them too.

export type SectionKind = 'code' | 'rodata' | 'data' | 'bss' | 'other';

export interface SourceRef {
  file: string;
  /** 1-based. */
  line: number;
}

export interface MapSymbol {
  name: string;
  address: number;
  size: number;
  kind: 'func' | 'object' | 'other';
  source?: SourceRef;
}

export interface MapSection {
  name: string;
  /** Where it sits in this region: its run address, or its load address for a load image. */
  address: number;
  size: number;
  vma: number;
  lma: number;
  kind: SectionKind;
  /** True for the copy of an initialised section that is stored here and copied elsewhere at boot. */
  loadImage: boolean;
  /** The output section's line in the linker script. */
  source?: SourceRef;
  /** Largest symbols first (at most MAX_SYMBOLS_PER_SECTION). */
  symbols: MapSymbol[];
  symbolCount: number;
}

export interface MapRegion {
  name: string;
  origin: number;
  length: number;
  used: number;
  attributes: string;
  source?: SourceRef;
  sections: MapSection[];
}

export interface StackInfo {
  /** Initial SP (one past the highest stack byte). */
  top: number;
  /** Lowest address the stack may use before it runs into other data (end of .bss / heap). */
  limit: number;
  /** What ends the stack's room: the section or heap just below `limit`. */
  limitName: string;
  sp?: number;
  /** Lowest stack address the firmware has written (deepest use). */
  highWater?: number;
  /** How the high-water mark was measured. */
  method?: 'paint' | 'zero';
  /** The stack reached (or passed) `limit`. */
  collision: boolean;
}

export interface HeapInfo {
  name: string;
  start: number;
  end: number;
  /** Bytes from start to the highest byte written, when the heap memory can be read. */
  used?: number;
}

export interface MemoryMapPayload {
  program: string;
  linkerScript?: string;
  regions: MapRegion[];
  stack?: StackInfo;
  heap?: HeapInfo;
  warnings: string[];
  /** True when built from a running/stopped target (SP and high-water mark are meaningful). */
  live: boolean;
}
