// The peripheral view's pure parts: value parsing, field write planning under each
// modifiedWriteValues, neutral bits for the other fields, formatting; and the bundled SVD lookup.

import * as assert from 'node:assert/strict';
import {
  bundledSvdPath, fieldWriteBits, formatField, formatRegister, loadSvd, neutralFieldBits, parseValue, planFieldWrite,
  type FieldInfo, type RegisterInfo,
} from '../../../src/adapter/peripherals';
import * as fs from 'node:fs';
import { chipById, chips } from '../../../src/emulator/chips/index';

function field(name: string, lsb: number, width: number, extra: Partial<FieldInfo> = {}): FieldInfo {
  return { name, lsb, width, access: 'read-write', enums: [], ...extra };
}

function register(fields: FieldInfo[], extra: Partial<RegisterInfo> = {}): RegisterInfo {
  return { id: 0, name: 'R', qualifiedName: 'P.R', address: 0x40000000, size: 32, access: 'read-write', resetValue: 0, fields, ...extra };
}

describe('adapter/peripherals: values and writes', () => {
  it('parses decimal, hex, binary (with _), and enum names', () => {
    const f = field('MODE', 0, 2, { enums: [{ name: 'Output', value: 1, usage: 'read-write' }, { name: 'Analog', value: 3, usage: 'read-write' }] });
    assert.equal(parseValue('10'), 10);
    assert.equal(parseValue('0x1F'), 31);
    assert.equal(parseValue('0b1010_0101'), 0xa5);
    assert.equal(parseValue('output', f), 1);
    assert.equal(parseValue(7), 7);
    assert.throws(() => parseValue('bogus', f), /Output, Analog/);
    assert.throws(() => parseValue('1.5'), /not a number/);
  });

  it('field write bits for each modifiedWriteValues', () => {
    assert.equal(fieldWriteBits(undefined, 0b01, 0b10, 2, 'F'), 0b10);
    assert.equal(fieldWriteBits('oneToClear', 1, 0, 1, 'F'), 1);
    assert.equal(fieldWriteBits('oneToClear', 0, 0, 1, 'F'), 0);
    assert.throws(() => fieldWriteBits('oneToClear', 0, 1, 1, 'F'), /oneToClear/);
    assert.equal(fieldWriteBits('zeroToClear', 1, 0, 1, 'F'), 0);
    assert.equal(fieldWriteBits('zeroToClear', 1, 1, 1, 'F'), 1);
    assert.throws(() => fieldWriteBits('zeroToClear', 0, 1, 1, 'F'), /zeroToClear/);
    assert.equal(fieldWriteBits('oneToSet', 0, 1, 1, 'F'), 1);
    assert.throws(() => fieldWriteBits('oneToSet', 1, 0, 1, 'F'), /oneToSet/);
    assert.equal(fieldWriteBits('zeroToSet', 0, 1, 1, 'F'), 0);
    assert.equal(fieldWriteBits('oneToToggle', 0b01, 0b10, 2, 'F'), 0b11);
    assert.equal(fieldWriteBits('zeroToToggle', 0b01, 0b01, 2, 'F'), 0b11);
  });

  it('neutral bits leave other fields alone', () => {
    assert.equal(neutralFieldBits('oneToClear', 'read-write', 1, 1), 0);
    assert.equal(neutralFieldBits('zeroToClear', 'read-write', 0, 1), 1);
    assert.equal(neutralFieldBits(undefined, 'read-write', 0b10, 2), 0b10);
    assert.equal(neutralFieldBits(undefined, 'write-only', 0b10, 2), 0);
  });

  it('plans a field write: read-modify-write of plain fields, 1s for zeroToClear flags', () => {
    // A timer SR: UIF, CC1IF both zeroToClear; clearing UIF must not clear CC1IF.
    const uif = field('UIF', 0, 1, { modifiedWriteValues: 'zeroToClear' });
    const cc1 = field('CC1IF', 1, 1, { modifiedWriteValues: 'zeroToClear' });
    const sr = register([cc1, uif]);
    assert.equal(planFieldWrite(sr, 0b11, uif, 0, false) & 0b11, 0b10);
    // A mode register: one 2-bit field changed, the others kept.
    const m0 = field('M0', 0, 2);
    const m1 = field('M1', 2, 2);
    const moder = register([m1, m0]);
    assert.equal(planFieldWrite(moder, 0b1110, m0, 0b01, false), 0b1101);
    assert.throws(() => planFieldWrite(moder, 0, m0, 4, false), /2 bits wide/);
    // Raw: the bits as given.
    const w1c = field('PR', 0, 1, { modifiedWriteValues: 'oneToClear' });
    assert.equal(planFieldWrite(register([w1c]), 0, w1c, 1, true), 1);
  });

  it('formats registers and fields with enum names', () => {
    assert.equal(formatRegister(0x1b2, 32, 'read-write'), '0x000001b2');
    assert.equal(formatRegister(0x12, 16, 'read-write'), '0x0012');
    assert.equal(formatRegister(null, 32, 'write-only'), '<write-only>');
    const f = field('SW', 0, 2, { enums: [{ name: 'PLL', value: 2, usage: 'read-write' }] });
    assert.equal(formatField(f, 2, true), '0x2 (PLL)');
    assert.equal(formatField(f, 1, false), '1');
    assert.equal(formatField(field('B', 3, 1), 1, true), '1');
  });

  it('finds and parses the bundled SVD for the STM32F411RE (cached)', () => {
    const file = bundledSvdPath(chipById('stm32f411re'));
    assert.ok(file && file.endsWith('STM32F411.svd'));
    const a = loadSvd(file);
    assert.equal(a.name, 'STM32F411');
    assert.equal(loadSvd(file), a);
    assert.equal(bundledSvdPath(chipById('cortex-m3')), undefined);
  });

  it('the chip description names its bundled SVD (ChipDescription.svd), and every named file is bundled', () => {
    for (const chip of chips) {
      if (chip.svd === undefined) continue;
      const file = bundledSvdPath(chip);
      assert.ok(file !== undefined && fs.existsSync(file), `${chip.id}: media/svd/${chip.svd} is missing`);
    }
    // The mapping comes from the description alone (no table keyed by chip id).
    const variant = { ...chipById('stm32f411re'), id: 'stm32f411ce-variant' };
    assert.ok(bundledSvdPath(variant)?.endsWith('STM32F411.svd'));
    assert.equal(bundledSvdPath({ ...variant, svd: undefined }), undefined);
  });
});
