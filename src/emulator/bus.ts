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
  readonly end: number;
  /** Decoded-instruction cache, one slot per halfword; owned by the executor. */
  decoded: unknown[] | null = null;
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
    this.end = base + size;
  }
  contains(address: number, size = 1): boolean {
    return address >= this.base && address + size <= this.end;
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
    for (let i = first; i <= last; i++) cache[i] = undefined;
    if (this.onInvalidate !== null) this.onInvalidate(address, size);
  }
}

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

  addRam(name: string, base: number, size: number, options: RamRegionOptions): RamRegion {
    const region = new RamRegion(name, base >>> 0, size, options);
    this.regions.push(region);
    return region;
  }

  /** Show an existing region's bytes again at another base address (e.g. flash aliased at 0). */
  addAlias(name: string, base: number, target: RamRegion, options: RamRegionOptions = target.options): RamRegion {
    const alias = new RamRegion(name, base >>> 0, target.size, options, target.bytes);
    alias.mirrors.push(target);
    target.mirrors.push(alias);
    this.regions.push(alias);
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

  read8(address: number): number {
    const r = this.regionAt(address, 1);
    if (r !== null) return r.bytes[address - r.base];
    return this.readDevice(address, 1);
  }
  read16(address: number): number {
    const r = this.regionAt(address, 2);
    if (r !== null) return r.view.getUint16(address - r.base, true);
    return this.readDevice(address, 2);
  }
  read32(address: number): number {
    const r = this.regionAt(address, 4);
    if (r !== null) return r.view.getUint32(address - r.base, true);
    return this.readDevice(address, 4);
  }
  write8(address: number, value: number): void {
    const r = this.regionAt(address, 1);
    if (r !== null) {
      if (!r.options.writable) return;
      r.bytes[address - r.base] = value;
      if (r.decoded !== null) r.invalidate(address, 1);
      return;
    }
    this.writeDevice(address, 1, value & 0xff);
  }
  write16(address: number, value: number): void {
    const r = this.regionAt(address, 2);
    if (r !== null) {
      if (!r.options.writable) return;
      r.view.setUint16(address - r.base, value, true);
      if (r.decoded !== null) r.invalidate(address, 2);
      return;
    }
    this.writeDevice(address, 2, value & 0xffff);
  }
  write32(address: number, value: number): void {
    const r = this.regionAt(address, 4);
    if (r !== null) {
      if (!r.options.writable) return;
      r.view.setUint32(address - r.base, value >>> 0, true);
      if (r.decoded !== null) r.invalidate(address, 4);
      return;
    }
    this.writeDevice(address, 4, value >>> 0);
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
