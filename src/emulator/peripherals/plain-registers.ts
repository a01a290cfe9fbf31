// A peripheral block with no behaviour model yet: its registers read back what was written,
// starting from their reset values. The first access warns once, naming the block, so users know
// that the firmware touches something the simulator does not really emulate.

import type { AccessSize, MemoryDevice } from '../bus';
import type { PeripheralBlockDescription } from '../chips/chip';

export class PlainRegisterBlock implements MemoryDevice {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private warned = false;

  constructor(
    readonly description: PeripheralBlockDescription,
    /** Receives the one-per-block "not modelled" warning. */
    private readonly warn: (message: string) => void,
  ) {
    this.bytes = new Uint8Array(description.size);
    this.view = new DataView(this.bytes.buffer);
    this.reset();
  }

  reset(): void {
    this.bytes.fill(0);
    const values = this.description.resetValues;
    if (values) for (const [offset, value] of Object.entries(values)) this.view.setUint32(Number(offset), value >>> 0, true);
  }

  private noteAccess(): void {
    if (this.warned) return;
    this.warned = true;
    const d = this.description;
    this.warn(`${d.name} (0x${(d.base >>> 0).toString(16).padStart(8, '0')}) is not modelled yet: its registers behave as plain memory`);
  }

  read(offset: number, size: AccessSize): number {
    this.noteAccess();
    return this.peek(offset, size);
  }

  peek(offset: number, size: AccessSize): number {
    const fixup = this.description.readFixup;
    if (fixup === undefined) return this.raw(offset, size);
    const word = offset & ~3;
    const value = fixup(word, this.view.getUint32(word, true)) >>> 0;
    const shift = (offset & 3) * 8;
    return size === 4 ? value : (value >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  private raw(offset: number, size: AccessSize): number {
    return size === 1 ? this.bytes[offset] : size === 2 ? this.view.getUint16(offset, true) : this.view.getUint32(offset, true);
  }

  write(offset: number, size: AccessSize, value: number): void {
    this.noteAccess();
    if (size === 1) this.bytes[offset] = value;
    else if (size === 2) this.view.setUint16(offset, value, true);
    else this.view.setUint32(offset, value >>> 0, true);
  }
}
