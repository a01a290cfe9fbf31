import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { explainFault } from '../../../src/emulator/fault-explanation';

const FIXTURES = path.join(__dirname, '../../fixtures/firmware');

function faulted(chip: string, elf: string): Machine {
  const m = new Machine(chipById(chip), { stopOnFault: true });
  m.loadElf(fs.readFileSync(path.join(FIXTURES, elf)), elf);
  m.reset();
  assert.equal(m.run({ maxInstructions: 1_000_000 }).reason, 'fault');
  return m;
}

describe('fault explanation', () => {
  it('is undefined before any fault', () => {
    const m = new Machine(chipById('cortex-m3'));
    assert.equal(explainFault(m), undefined);
  });

  it('explains an escalated UNALIGNED UsageFault (Cortex-M3 fixture)', () => {
    const e = explainFault(faulted('cortex-m3', 'c/m3/hardfault.elf'))!;
    assert.equal(e.kind, 'HardFault');
    assert.equal(e.forced, true);
    assert.equal(e.lockup, false);
    assert.equal(e.cause, 'UNALIGNED');
    assert.equal(e.pc, 0x446, 'the stacked PC the firmware itself reports');
    assert.equal(e.frame?.pc, 0x446);
    assert.equal(e.cfsr, 0x01000000);
    assert.equal(e.hfsr, 0x40000000);
    assert.deepEqual(e.cfsrBits.map((b) => b.name), ['UNALIGNED']);
    assert.deepEqual(e.hfsrBits.map((b) => b.name), ['FORCED']);
    assert.equal(e.excReturn, 0xfffffff9);
    assert.equal(e.sourceLine, undefined, 'filled in by callers with debug info');
    assert.match(e.text, /^HardFault \(escalated from UsageFault\): unaligned/);
    assert.match(e.text, /at PC 0x00000446/);
    assert.match(e.text, /CFSR 0x01000000: UNALIGNED/);
    assert.match(e.text, /stacked frame at 0x2[0-9a-f]{7}: r0=/);
    assert.match(e.text, /EXC_RETURN 0xfffffff9 \(return to Thread mode, main stack\)/);
  });

  it('explains a precise BusFault with its address (STM32F411 Rust fixture)', () => {
    const e = explainFault(faulted('stm32f411re', 'rust/hardfault.elf'))!;
    assert.equal(e.cause, 'PRECISERR');
    assert.equal(e.address, 0x30000000);
    assert.equal(e.pc, 0x08000248);
    assert.equal(e.cfsr, 0x00008200);
    assert.deepEqual(e.cfsrBits.map((b) => b.name), ['PRECISERR', 'BFARVALID']);
    assert.match(e.text, /address 0x30000000/);
  });

  it('on ARMv6-M (no CFSR) still names the cause', () => {
    const e = explainFault(faulted('cortex-m0', 'c/m0/hardfault.elf'))!;
    assert.equal(e.kind, 'HardFault');
    assert.equal(e.cfsr, 0);
    assert.deepEqual(e.cfsrBits.map((b) => b.name), ['PRECISERR']);
    assert.equal(e.pc, 0x44c);
    assert.equal(e.address, 0x30000000);
  });

  it('explains a lockup', () => {
    const m = new Machine(chipById('cortex-m3'));
    m.poke(0, 4, 0x20001000);
    m.poke(4, 4, 0x101);
    m.poke(12, 4, 0x101); // HardFault handler = the same undefined instruction
    m.poke(0x100, 2, 0xde00); // udf #0
    m.reset();
    assert.equal(m.run({ maxInstructions: 10 }).reason, 'fault-lockup');
    const e = explainFault(m)!;
    assert.equal(e.lockup, true);
    assert.equal(e.pc, 0x100);
    assert.match(e.text, /^Lockup/);
    assert.match(e.text, /in HardFault handler/);
  });
});
