// The memory bus: plain memory regions (flash, SRAM) served straight from typed arrays, and
// memory-mapped devices (peripherals, the system control space) served through read/write calls.
// Alignment rules are the CPU's business (cpu/cpu.ts); the bus only moves bytes and reports
// accesses to nothing with a precise BusFault, as silicon does.

import { FaultKind, GuestFault } from './cpu/fault';

export type AccessSize = 1 | 2 | 4;

/** A memory-mapped device. Offsets are relative to the device's base address. */
export interface MemoryDevice {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /** Side-effect-free read for debuggers and panels (a peek at DR must not clear RXNE). */
  peek?(offset: number, size: AccessSize): number;
}

export interface RamRegionOptions {
  /** CPU writes allowed (flash is read-only to the CPU; debugger pokes still work). */
  writable: boolean;
  /** Instructions may be fetched from it. */
  executable: boolean;
}

export class RamRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Halfword and word views of the same bytes, for aligned accesses (much cheaper than the
   *  DataView in the hot path; the host is little-endian like the guest, checked below). */
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly end: number;
  /** options.writable, read on every store. */
  readonly writable: boolean;
  /** Decoded-instruction cache, one slot per halfword; owned by the executor. */
  decoded: unknown[] | null = null;
  /** Compiled blocks by start halfword (cpu/blocks.ts); dropped whenever code here changes. */
  blocks: unknown[] | null = null;
  /** How often the executor reached each halfword without a block there (it compiles one once
   *  the count passes a threshold, so code that runs a few times is never compiled). */
  blockHeat: Uint8Array | null = null;
  /** Data-breakpoint granules (16 bytes each; non-zero = some watch overlaps it): the fast paths
   *  only test the granule, so watched memory only slows the accesses near the watched bytes.
   *  Always allocated (all zero when nothing is watched) so that setting the first data
   *  breakpoint changes no types the JIT-compiled hot paths were specialised for. */
  readonly watched: Uint8Array;
  /** 1 while some granule here is watched, else 0: the fast paths test this one field and only
   *  look at the granule map when it is set. */
  watching = 0;
  /** Regions showing the same bytes at another address (boot aliases); kept coherent on writes. */
  readonly mirrors: RamRegion[] = [];
  /** Called after decoded instructions in [address, address+size) were forgotten (the machine
   *  re-installs breakpoint traps there). */
  onInvalidate: ((address: number, size: number) => void) | null = null;
  constructor(
    readonly name: string,
    readonly base: number,
    readonly size: number,
    readonly options: RamRegionOptions,
    /** Share another region's storage (an alias) instead of allocating. */
    backing?: Uint8Array,
  ) {
    this.bytes = backing ?? new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
    this.u16 = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, size >>> 1);
    this.u32 = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, size >>> 2);
    this.end = base + size;
    this.writable = options.writable;
    this.watched = new Uint8Array(size === 0 ? 0 : ((size - 1) >>> WATCH_SHIFT) + 1);
  }
  contains(address: number, size = 1): boolean {
    return address >= this.base && address + size <= this.end;
  }
  /** Forget every compiled block here (a decoded slot was replaced, e.g. by a breakpoint trap). */
  forgetBlocks(): void {
    this.blocks = null;
  }
  /** Forget decoded instructions overlapping [address, address+size) after a write to code. */
  invalidate(address: number, size: number): void {
    this.invalidateOwn(address, size);
    for (const m of this.mirrors) m.invalidateOwn(address - this.base + m.base, size);
  }
  private invalidateOwn(address: number, size: number): void {
    const cache = this.decoded;
    if (!cache) return;
    // A 32-bit instruction starting one halfword earlier also covers this address.
    const first = Math.max(0, ((address - this.base) >> 1) - 1);
    const last = (address + size - 1 - this.base) >> 1;
    // Data writes to code-holding RAM (a stack next to code) mostly hit slots that hold nothing:
    // then there is nothing to forget and no breakpoint trap to put back.
    let any = false;
    for (let i = first; i <= last; i++) {
      if (cache[i] !== undefined) {
        cache[i] = undefined;
        any = true;
      }
    }
    if (!any) return;
    this.blocks = null;
    if (this.onInvalidate !== null) this.onInvalidate(address, size);
  }
}

/** The typed-array views assume a little-endian host (every platform Node runs on today). */
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('a little-endian host is required');

/** Size of a page of the bus's region lookup table (64 KiB: 65536 entries cover 4 GiB). */
const PAGE_SHIFT = 16;
/** Data-breakpoint granule: 16 bytes (an aligned word access never spans two). */
const WATCH_SHIFT = 4;

export type WatchAccess = 'read' | 'write' | 'readWrite';

/** A data breakpoint (watchpoint) on [address, address+size). */
export interface Watch {
  readonly address: number;
  readonly size: number;
  readonly access: WatchAccess;
}

/** Called when a CPU access touches a watched range (after the access itself). */
export type WatchListener = (watch: Watch, address: number, size: AccessSize, write: boolean, value: number) => void;

interface DeviceMapping {
  name: string;
  base: number;
  end: number;
  device: MemoryDevice;
}

export class Bus {
  readonly regions: RamRegion[] = [];
  readonly devices: DeviceMapping[] = [];
  private last: RamRegion | null = null;
  /** The one plain-memory region overlapping each 64 KiB page, or null (devices, nothing, or a
   *  page shared by two regions: those take the slow path). Loads and stores look up their page
   *  here and bounds-check against the region, with no search. */
  readonly pages: (RamRegion | null)[] = new Array<RamRegion | null>(1 << (32 - PAGE_SHIFT)).fill(null);
  /** Pages that also overlap a second region (never put back into `pages`). */
  private readonly sharedPages = new Set<number>();
  private readonly watches: Watch[] = [];
  /** Told about data-breakpoint hits (the Machine stops the run after the instruction). */
  onWatch: WatchListener | null = null;

  addRam(name: string, base: number, size: number, options: RamRegionOptions): RamRegion {
    const region = new RamRegion(name, base >>> 0, size, options);
    this.addRegion(region);
    return region;
  }

  private addRegion(region: RamRegion): void {
    this.regions.push(region);
    if (region.size === 0) return;
    const first = region.base >>> PAGE_SHIFT;
    const last = (region.base + region.size - 1) >>> PAGE_SHIFT;
    for (let page = first; page <= last; page++) {
      if (this.sharedPages.has(page)) continue;
      if (this.pages[page] === null) this.pages[page] = region;
      else {
        this.pages[page] = null;
        this.sharedPages.add(page);
      }
    }
  }

  /** Show an existing region's bytes again at another base address (e.g. flash aliased at 0). */
  addAlias(name: string, base: number, target: RamRegion, options: RamRegionOptions = target.options): RamRegion {
    const alias = new RamRegion(name, base >>> 0, target.size, options, target.bytes);
    alias.mirrors.push(target);
    target.mirrors.push(alias);
    this.addRegion(alias);
    return alias;
  }

  addDevice(name: string, base: number, size: number, device: MemoryDevice): void {
    this.devices.push({ name, base: base >>> 0, end: (base >>> 0) + size, device });
  }

  /** The plain-memory region holding [address, address+size), or null. */
  regionAt(address: number, size = 1): RamRegion | null {
    address >>>= 0;
    const last = this.last;
    if (last !== null && address >= last.base && address + size <= last.end) return last;
    for (const r of this.regions) {
      if (address >= r.base && address + size <= r.end) {
        this.last = r;
        return r;
      }
    }
    return null;
  }

  deviceAt(address: number): DeviceMapping | null {
    address >>>= 0;
    for (const d of this.devices) if (address >= d.base && address < d.end) return d;
    return null;
  }

  // Loads and stores: the page table finds plain memory in one indexed load; anything else
  // (devices, unmapped, regions sharing a page, unaligned halfword/word accesses) goes the slow
  // way, which behaves exactly as before.

  read8(address: number): number {
    address >>>= 0;
    const r = this.pages[address >>> PAGE_SHIFT];
    if (r !== null) {
      const o = address - r.base;
      if (o >= 0 && o < r.size && (r.watching === 0 || r.watched[o >>> WATCH_SHIFT] === 0)) return r.bytes[o];
    }
    return this.read8Slow(address);
  }
  read16(address: number): number {
    address >>>= 0;
    const r = this.pages[address >>> PAGE_SHIFT];
    if (r !== null && (address & 1) === 0) {
      const o = address - r.base;
      if (o >= 0 && o + 2 <= r.size && (r.watching === 0 || r.watched[o >>> WATCH_SHIFT] === 0)) return r.u16[o >>> 1];
    }
    return this.read16Slow(address);
  }
  read32(address: number): number {
    address >>>= 0;
    const r = this.pages[address >>> PAGE_SHIFT];
    if (r !== null && (address & 3) === 0) {
      const o = address - r.base;
      if (o >= 0 && o + 4 <= r.size && (r.watching === 0 || r.watched[o >>> WATCH_SHIFT] === 0)) return r.u32[o >>> 2];
    }
    return this.read32Slow(address);
  }
  write8(address: number, value: number): void {
    address >>>= 0;
    const r = this.pages[address >>> PAGE_SHIFT];
    if (r !== null && r.writable) {
      const o = address - r.base;
      if (o >= 0 && o + 1 <= r.size && (r.watching === 0 || r.watched[o >>> WATCH_SHIFT] === 0)) {
        r.bytes[o] = value;
        if (r.decoded !== null) r.invalidate(address, 1);
        return;
      }
    }
    this.write8Slow(address, value);
  }

  write16(address: number, value: number): void {
    address >>>= 0;
    const r = this.pages[address >>> PAGE_SHIFT];
    if (r !== null && r.writable && (address & 1) === 0) {
      const o = address - r.base;
      if (o >= 0 && o + 2 <= r.size && (r.watching === 0 || r.watched[o >>> WATCH_SHIFT] === 0)) {
        r.u16[o >>> 1] = value;
        if (r.decoded !== null) r.invalidate(address, 2);
        return;
      }
    }
    this.write16Slow(address, value);
  }

  write32(address: number, value: number): void {
    address >>>= 0;
    const r = this.pages[address >>> PAGE_SHIFT];
    if (r !== null && r.writable && (address & 3) === 0) {
      const o = address - r.base;
      if (o >= 0 && o + 4 <= r.size && (r.watching === 0 || r.watched[o >>> WATCH_SHIFT] === 0)) {
        r.u32[o >>> 2] = value;
        if (r.decoded !== null) r.invalidate(address, 4);
        return;
      }
    }
    this.write32Slow(address, value);
  }

  private read8Slow(address: number): number {
    const r = this.regionAt(address, 1);
    const value = r !== null ? r.bytes[address - r.base] : this.readDevice(address, 1);
    if (this.watches.length !== 0) this.checkWatches(address, 1, false, value);
    return value;
  }
  private read16Slow(address: number): number {
    const r = this.regionAt(address, 2);
    const value = r !== null ? r.view.getUint16(address - r.base, true) : this.readDevice(address, 2);
    if (this.watches.length !== 0) this.checkWatches(address, 2, false, value);
    return value;
  }
  private read32Slow(address: number): number {
    const r = this.regionAt(address, 4);
    const value = r !== null ? r.view.getUint32(address - r.base, true) : this.readDevice(address, 4);
    if (this.watches.length !== 0) this.checkWatches(address, 4, false, value);
    return value;
  }
  private write8Slow(address: number, value: number): void {
    if (this.watches.length !== 0) this.checkWatches(address, 1, true, value & 0xff);
    const r = this.regionAt(address, 1);
    if (r !== null) {
      if (!r.options.writable) return;
      r.bytes[address - r.base] = value;
      if (r.decoded !== null) r.invalidate(address, 1);
      return;
    }
    this.writeDevice(address, 1, value & 0xff);
  }
  private write16Slow(address: number, value: number): void {
    if (this.watches.length !== 0) this.checkWatches(address, 2, true, value & 0xffff);
    const r = this.regionAt(address, 2);
    if (r !== null) {
      if (!r.options.writable) return;
      r.view.setUint16(address - r.base, value, true);
      if (r.decoded !== null) r.invalidate(address, 2);
      return;
    }
    this.writeDevice(address, 2, value & 0xffff);
  }
  private write32Slow(address: number, value: number): void {
    if (this.watches.length !== 0) this.checkWatches(address, 4, true, value >>> 0);
    const r = this.regionAt(address, 4);
    if (r !== null) {
      if (!r.options.writable) return;
      r.view.setUint32(address - r.base, value >>> 0, true);
      if (r.decoded !== null) r.invalidate(address, 4);
      return;
    }
    this.writeDevice(address, 4, value >>> 0);
  }

  // ---- data breakpoints --------------------------------------------------------------------------

  /** Watch CPU accesses to [address, address+size) (debugger peeks/pokes are not seen). */
  addWatch(address: number, size: number, access: WatchAccess): Watch {
    const watch: Watch = { address: address >>> 0, size: Math.max(1, size), access };
    this.watches.push(watch);
    this.markWatched();
    return watch;
  }

  removeWatch(watch: Watch): boolean {
    const i = this.watches.indexOf(watch);
    if (i < 0) return false;
    this.watches.splice(i, 1);
    this.markWatched();
    return true;
  }

  get watchList(): readonly Watch[] {
    return this.watches;
  }

  /** Rebuild every region's granule map from the watch list. */
  private markWatched(): void {
    for (const r of this.regions) {
      const map = r.watched;
      map.fill(0);
      r.watching = 0;
      for (const w of this.watches) {
        const start = Math.max(w.address, r.base);
        const end = Math.min(w.address + w.size, r.end);
        if (start >= end) continue;
        for (let g = (start - r.base) >>> WATCH_SHIFT; g <= (end - 1 - r.base) >>> WATCH_SHIFT; g++) map[g] = 1;
        r.watching = 1;
      }
    }
  }

  private checkWatches(address: number, size: AccessSize, write: boolean, value: number): void {
    const listener = this.onWatch;
    for (const w of this.watches) {
      if (address + size <= w.address || address >= w.address + w.size) continue;
      if (w.access === (write ? 'read' : 'write')) continue;
      if (listener !== null) listener(w, address, size, write, value);
    }
  }

  private readDevice(address: number, size: AccessSize): number {
    const d = this.deviceAt(address);
    if (d === null) throw new GuestFault(FaultKind.PreciseDataBusError, address >>> 0);
    return d.device.read((address >>> 0) - d.base, size) >>> 0;
  }
  private writeDevice(address: number, size: AccessSize, value: number): void {
    const d = this.deviceAt(address);
    if (d === null) throw new GuestFault(FaultKind.PreciseDataBusError, address >>> 0);
    d.device.write((address >>> 0) - d.base, size, value);
  }

  /** Debugger read: no side effects, no faults; returns null where nothing is mapped. */
  peek(address: number, size: AccessSize): number | null {
    address >>>= 0;
    const r = this.regionAt(address, size);
    if (r !== null) {
      const o = address - r.base;
      return size === 1 ? r.bytes[o] : size === 2 ? r.view.getUint16(o, true) : r.view.getUint32(o, true);
    }
    const d = this.deviceAt(address);
    if (d === null) return null;
    return (d.device.peek ? d.device.peek(address - d.base, size) : 0) >>> 0;
  }

  /** Debugger/loader write: also writes read-only memory (flash), invalidating decoded code. */
  poke(address: number, size: AccessSize, value: number): boolean {
    address >>>= 0;
    const r = this.regionAt(address, size);
    if (r !== null) {
      const o = address - r.base;
      if (size === 1) r.bytes[o] = value;
      else if (size === 2) r.view.setUint16(o, value, true);
      else r.view.setUint32(o, value >>> 0, true);
      r.invalidate(address, size);
      return true;
    }
    const d = this.deviceAt(address);
    if (d === null) return false;
    d.device.write(address - d.base, size, value >>> 0);
    return true;
  }

  /** Copy bytes into plain memory (ELF loading). Returns false if any byte has no RAM/flash. */
  load(address: number, data: Uint8Array): boolean {
    address >>>= 0;
    const r = this.regionAt(address, Math.max(1, data.length));
    if (r === null) return false;
    r.bytes.set(data, address - r.base);
    r.invalidate(address, data.length);
    return true;
  }
}
