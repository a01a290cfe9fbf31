// Every register the STM32F411 models declare must sit at the address, with the reset value, that
// our bundled SVD (written from RM0383) gives it; the two are typed separately, so a typo in
// either shows up here.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips';
import { RegisterBlock } from '../../../src/emulator/peripherals/register-block';
import { findPeripheral, parseSvd } from '../../../src/debuginfo/svd';

describe('STM32F411 models against the bundled SVD', () => {
  const svd = parseSvd(readFileSync(join(__dirname, '../../../media/svd/STM32F411.svd'), 'utf8'), 'STM32F411.svd');
  const machine = new Machine(chipById('stm32f411re'));
  const models = machine.peripherals.filter((p): p is RegisterBlock => p instanceof RegisterBlock);

  it('covers every modelled peripheral at its base address', () => {
    assert.ok(models.length >= 20);
    for (const model of models) {
      const p = findPeripheral(svd, model.description.name);
      assert.ok(p, `${model.description.name} missing from the SVD`);
      assert.equal(p.baseAddress, model.description.base, `${p.name} base`);
    }
  });

  it('every modelled register: same address, same reset value; the SVD has no register the model lacks', () => {
    let checked = 0;
    for (const model of models) {
      const p = findPeripheral(svd, model.description.name)!;
      for (const reg of model.registers) {
        const s = p.allRegisters.find((r) => r.name === reg.name);
        assert.ok(s, `${p.name}.${reg.name} missing from the SVD`);
        assert.equal(s.address, model.description.base + reg.offset, `${p.name}.${reg.name} address`);
        assert.equal(s.resetValue >>> 0, reg.reset >>> 0, `${p.name}.${reg.name} reset value`);
        checked++;
      }
      for (const s of p.allRegisters) assert.ok(model.registerAt(s.offset)?.name === s.name, `${p.name}.${s.name} in the SVD but not modelled`);
    }
    assert.ok(checked > 200, `${checked} registers`);
  });

  it('after reset the models read their documented reset values (except computed registers)', () => {
    const computed = new Set(['GPIOA.IDR', 'GPIOB.IDR', 'RCC.CR', 'PWR.CSR', 'RCC.CSR']);
    for (const model of models) {
      const p = findPeripheral(svd, model.description.name)!;
      for (const s of p.allRegisters) {
        if (computed.has(`${p.name}.${s.name}`)) continue;
        assert.equal(machine.peek(s.address), s.resetValue >>> 0, `${p.name}.${s.name}`);
      }
    }
  });
});
