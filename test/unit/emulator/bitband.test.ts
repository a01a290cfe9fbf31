import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';

describe('bit-banding', () => {
  it('maps each SRAM bit to a word at 0x22000000', () => {
    const m = new Machine(chipById('cortex-m3'));
    const bus = m.bus;
    bus.write8(0x20000010, 0b0100_0001);
    // alias = 0x22000000 + byteOffset*32 + bit*4
    assert.equal(bus.read32(0x22000000 + 0x10 * 32 + 0 * 4), 1);
    assert.equal(bus.read32(0x22000000 + 0x10 * 32 + 1 * 4), 0);
    assert.equal(bus.read32(0x22000000 + 0x10 * 32 + 6 * 4), 1);
    bus.write32(0x22000000 + 0x10 * 32 + 7 * 4, 1);
    bus.write32(0x22000000 + 0x10 * 32 + 0 * 4, 0);
    assert.equal(bus.read8(0x20000010), 0b1100_0000);
    assert.equal(bus.read8(0x20000011), 0, 'neighbours untouched');
    assert.equal(m.peek(0x22000000 + 0x10 * 32 + 7 * 4, 4), 1);
  });

  it('maps peripheral bits to 0x42000000 (word read-modify-write)', () => {
    const m = new Machine(chipById('stm32f411re'));
    const GPIOA_ODR = 0x40020014;
    const alias = (address: number, bit: number) => 0x42000000 + (address - 0x40000000) * 32 + bit * 4;
    m.bus.write32(alias(GPIOA_ODR, 5), 1);
    assert.equal(m.bus.read32(GPIOA_ODR), 1 << 5);
    m.bus.write32(alias(GPIOA_ODR + 1, 0), 1); // bit 8 of the word
    assert.equal(m.bus.read32(GPIOA_ODR), (1 << 5) | (1 << 8));
    assert.equal(m.bus.read32(alias(GPIOA_ODR, 8)), 1);
  });

  it('is absent on the Cortex-M0', () => {
    const m = new Machine(chipById('cortex-m0'));
    assert.equal(m.peek(0x22000000, 4), null);
  });
});
