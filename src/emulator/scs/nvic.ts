// The NVIC registers (ARMv7-M ARM B3.4; ARMv6-M ARM B3.4): set/clear enable, set/clear pending,
// active bits, priorities and the software trigger. Offsets are relative to 0xE000E000. State lives
// in the exception model; this is its register view.

import { Exc, type ExceptionModel } from '../exceptions';

export class Nvic {
  constructor(private readonly exceptions: ExceptionModel) {}

  get irqCount(): number {
    return this.exceptions.count - Exc.Irq0;
  }

  /** Bits for IRQ 32*index .. 32*index+31 of one of the per-IRQ arrays. */
  private bits(array: Uint8Array, index: number): number {
    let value = 0;
    const first = Exc.Irq0 + 32 * index;
    const last = Math.min(first + 32, this.exceptions.count);
    for (let n = first; n < last; n++) if (array[n] !== 0) value |= 1 << (n - first);
    return value >>> 0;
  }

  private forEachSetBit(index: number, value: number, action: (n: number) => void): void {
    const first = Exc.Irq0 + 32 * index;
    for (let bit = 0; bit < 32 && value !== 0; bit++) {
      if ((value & (1 << bit)) !== 0 && first + bit < this.exceptions.count) action(first + bit);
    }
  }

  /** True if the offset belongs to the NVIC. */
  static owns(offset: number): boolean {
    return (offset >= 0x100 && offset < 0x600) || offset === 0xf00;
  }

  readWord(offset: number): number {
    const e = this.exceptions;
    const index = (offset & 0x7f) >> 2;
    if (offset >= 0x100 && offset < 0x180) return this.bits(e.enabled, index); // ISER
    if (offset >= 0x180 && offset < 0x200) return this.bits(e.enabled, index); // ICER
    if (offset >= 0x200 && offset < 0x280) return this.bits(e.pending, index); // ISPR
    if (offset >= 0x280 && offset < 0x300) return this.bits(e.pending, index); // ICPR
    if (offset >= 0x300 && offset < 0x380) return this.bits(e.active, index); // IABR
    if (offset >= 0x400 && offset < 0x5f0) {
      // IPR: one byte per IRQ
      let value = 0;
      for (let i = 0; i < 4; i++) {
        const n = Exc.Irq0 + (offset - 0x400) + i;
        if (n < e.count) value |= (e.priority[n] & 0xff) << (8 * i);
      }
      return value >>> 0;
    }
    return 0; // STIR is write-only
  }

  /** Write the bytes of `value` selected by `mask` (lanes outside the access are zero). */
  writeWord(offset: number, value: number, mask: number): void {
    const e = this.exceptions;
    const index = (offset & 0x7f) >> 2;
    value &= mask;
    if (offset >= 0x100 && offset < 0x180) this.forEachSetBit(index, value, (n) => e.setEnabled(n, true));
    else if (offset >= 0x180 && offset < 0x200) this.forEachSetBit(index, value, (n) => e.setEnabled(n, false));
    else if (offset >= 0x200 && offset < 0x280) this.forEachSetBit(index, value, (n) => e.setPending(n));
    else if (offset >= 0x280 && offset < 0x300) this.forEachSetBit(index, value, (n) => e.clearPending(n));
    else if (offset >= 0x400 && offset < 0x5f0) {
      for (let i = 0; i < 4; i++) {
        if (((mask >>> (8 * i)) & 0xff) === 0) continue;
        const n = Exc.Irq0 + (offset - 0x400) + i;
        if (n < e.count) e.setPriority(n, (value >>> (8 * i)) & 0xff);
      }
    } else if (offset === 0xf00) {
      // STIR (B3.4.3): INTID pends that interrupt.
      const irq = value & 0x1ff;
      if (Exc.Irq0 + irq < e.count) e.setPending(Exc.Irq0 + irq);
    }
  }
}
