// Bit-banding (ARMv7-M ARM B3.1, Cortex-M3/M4 TRM 3.7): each bit of the first 1 MiB of SRAM
// (0x20000000) and of the peripheral region (0x40000000) is also a word in a 32 MiB alias region
// (0x22000000 / 0x42000000). Reading the alias word gives the bit; writing bit 0 of it sets or
// clears the bit with a read-modify-write of the target.
//
//   alias = aliasBase + (byteOffset * 32) + (bitNumber * 4)

import type { AccessSize, Bus, MemoryDevice } from './bus';

export class BitBandAlias implements MemoryDevice {
  constructor(
    private readonly bus: Bus,
    /** Base of the region whose bits are aliased (0x20000000 or 0x40000000). */
    readonly targetBase: number,
  ) {}

  private targetByte(offset: number): number {
    return (this.targetBase + (offset >>> 5)) >>> 0;
  }

  read(offset: number, _size: AccessSize): number {
    const bit = (offset >>> 2) & 7;
    return (this.bus.read8(this.targetByte(offset)) >>> bit) & 1;
  }

  peek(offset: number, _size: AccessSize): number {
    const bit = (offset >>> 2) & 7;
    const byte = this.bus.peek(this.targetByte(offset), 1);
    return byte === null ? 0 : (byte >>> bit) & 1;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const address = this.targetByte(offset);
    const bit = (offset >>> 2) & 7;
    // Peripheral registers are usually word-only, so the read-modify-write uses the whole word
    // there; SRAM is byte-addressable and a byte access keeps neighbouring bytes untouched.
    if (this.targetBase === 0x40000000) {
      const word = address & ~3;
      const shift = (address & 3) * 8 + bit;
      const old = this.bus.read32(word);
      this.bus.write32(word, (value & 1) !== 0 ? (old | (1 << shift)) >>> 0 : (old & ~(1 << shift)) >>> 0);
    } else {
      const old = this.bus.read8(address);
      this.bus.write8(address, (value & 1) !== 0 ? old | (1 << bit) : old & ~(1 << bit));
    }
  }
}

/** Map the SRAM and peripheral bit-band aliases onto a bus. */
export function addBitBandAliases(bus: Bus): void {
  bus.addDevice('SRAM bit-band alias', 0x22000000, 0x02000000, new BitBandAlias(bus, 0x20000000));
  bus.addDevice('peripheral bit-band alias', 0x42000000, 0x02000000, new BitBandAlias(bus, 0x40000000));
}
