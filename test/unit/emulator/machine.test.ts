// The Machine API: ELF loading, reset checks, running, breakpoints, registers, memory, chips and
// boards, observers — on the committed firmware fixtures and small hand-made images.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, MachineError } from '../../../src/emulator/machine';
import { boardById, chipById, chipForBoard } from '../../../src/emulator/chips/index';
import { registerNames } from '../../../src/emulator/index';

const FIXTURES = path.join(__dirname, '../../fixtures/firmware');

function fixture(name: string): Uint8Array {
  return fs.readFileSync(path.join(FIXTURES, name));
}

function boot(chipId: string, elf: string, options = {}): { m: Machine; out: () => string } {
  const m = new Machine(chipById(chipId), options);
  let text = '';
  m.onSemihostingOutput((t) => { text += t; });
  m.loadElf(fixture(elf), elf);
  m.reset();
  return { m, out: () => text };
}

/** A machine with a hand-made vector table in flash. */
function withVectors(chipId: string, sp: number, entry: number): Machine {
  const m = new Machine(chipById(chipId));
  const base = m.chip.flash.base;
  m.poke(base, 4, sp);
  m.poke(base + 4, 4, entry);
  return m;
}

describe('Machine', () => {
  it('runs a C fixture on the generic Cortex-M3 to its semihosting exit', () => {
    const { m, out } = boot('cortex-m3', 'c/m3/hello.elf');
    const r = m.run({ maxInstructions: 1_000_000 });
    assert.equal(r.reason, 'exit');
    assert.equal(r.exitCode, 0);
    assert.ok(out().startsWith('Hello, world!\n'));
    assert.ok(r.instructions > 1000);
  });

  it('runs a Rust fixture on the NUCLEO-F411RE (flash aliased at 0)', () => {
    const chip = chipForBoard('nucleo-f411re');
    assert.equal(chip.id, 'stm32f411re');
    const m = new Machine(chip);
    m.loadElf(fixture('rust/hello.elf'), 'hello.elf');
    assert.equal(m.peek(0, 4), m.peek(0x08000000, 4), 'boot alias');
    m.reset();
    assert.equal(m.getRegister('pc') >>> 24, 0x08);
    assert.equal(m.run({ maxInstructions: 1_000_000 }).reason, 'exit');
  });

  it('warns once per unmodelled peripheral block, and RCC ready bits follow their enables', () => {
    const warnings: string[] = [];
    const m = new Machine(chipById('stm32f411re'));
    m.onWarning((w) => warnings.push(w));
    m.loadElf(fixture('rust/blinky.elf'), 'blinky.elf');
    m.reset();
    assert.equal(m.run({ maxInstructions: 5_000_000 }).exitCode, 0);
    const blocks = warnings.map((w) => w.split(' ')[0]).sort();
    assert.deepEqual(blocks, [...new Set(blocks)], 'one warning per block');
    assert.ok(!blocks.includes('GPIOA') && !blocks.includes('RCC'), 'GPIOA and RCC are modelled (peripherals/stm32f4)');

    const RCC_CR = 0x40023800;
    assert.equal(m.peek(RCC_CR, 4)! & 3, 3, 'HSION | HSIRDY after reset');
    m.poke(RCC_CR, 4, (1 << 16) | (1 << 24) | 1);
    assert.equal(m.peek(RCC_CR, 4), (1 << 16) | (1 << 17) | (1 << 24) | (1 << 25) | 3);
    m.poke(0x40023808, 4, 2); // CFGR.SW = PLL
    assert.equal((m.peek(0x40023808, 4)! >>> 2) & 3, 2, 'SWS follows SW');
    assert.equal(m.peek(0x40030000, 4), null, 'gaps in the peripheral map stay unmapped');
  });

  it('refuses an ELF linked for another memory map, naming the file', () => {
    const m = new Machine(chipById('stm32f411re'));
    const m0 = new Machine(chipById('cortex-m0'));
    assert.throws(() => m0.loadElf(fixture('rust/hello.elf'), 'f4-hello.elf'), (e: Error) =>
      e instanceof MachineError && /f4-hello\.elf/.test(e.message) && /does not fit/.test(e.message) && /0x08000000/.test(e.message));
    assert.throws(() => m.loadElf(new Uint8Array([1, 2, 3]), 'junk.bin'), /junk\.bin/);
  });

  it('reset checks the vector table', () => {
    assert.throws(() => new Machine(chipById('cortex-m3')).reset(), /empty/);
    assert.throws(() => withVectors('cortex-m3', 0x30000000, 0x101).reset(), /outside RAM/);
    assert.throws(() => withVectors('cortex-m3', 0x20001000, 0x100).reset(), /bit 0 clear/);
    assert.throws(() => withVectors('cortex-m3', 0x20001000, 0x40000001).reset(), /outside executable memory/);
    assert.throws(() => new Machine(chipById('stm32f411re')).reset(), /empty/);
    const ok = withVectors('cortex-m3', 0x20001000, 0x101);
    ok.reset();
    assert.equal(ok.getRegister('msp'), 0x20001000);
    assert.equal(ok.getRegister('pc'), 0x100);
    assert.equal(ok.getRegister('lr'), 0xffffffff);
  });

  it('breakpoints stop before the instruction, resume past it, and can be removed', () => {
    const { m } = boot('cortex-m3', 'c/m3/hello.elf');
    const main = m.elf!.symbolByName('main')!.address;
    m.addBreakpoint(main);
    const r = m.run({ maxInstructions: 1_000_000 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), main);
    const step = m.step();
    assert.equal(step.reason, 'limit');
    assert.equal(step.instructions, 1);
    assert.notEqual(m.getRegister('pc'), main);
    m.removeBreakpoint(main);
    assert.equal(m.hasBreakpoint(main), false);
    assert.equal(m.run({ maxInstructions: 1_000_000 }).reason, 'exit');
  });

  it('a breakpoint in RAM code survives the code being rewritten', () => {
    const m = withVectors('cortex-m3', 0x20001000, 0x20000101);
    m.poke(0x20000100, 2, 0xbf00); // nop
    m.poke(0x20000102, 2, 0xbf00); // nop
    m.poke(0x20000104, 2, 0xe7fe); // b .
    m.reset();
    m.addBreakpoint(0x20000102);
    assert.equal(m.run({ maxInstructions: 10 }).reason, 'breakpoint');
    m.cpu.bus.write16(0x20000102, 0x2001); // movs r0, #1 (a CPU write invalidates the decoded code)
    m.setRegister('pc', 0x20000100);
    assert.equal(m.run({ maxInstructions: 10 }).reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), 0x20000102);
    m.run({ maxInstructions: 1 });
    assert.equal(m.getRegister('r0'), 1, 'the new instruction runs after resuming');
  });

  it('registers by name', () => {
    const m = withVectors('cortex-m4', 0x20001000, 0x101);
    m.reset();
    for (const [i, name] of registerNames.slice(0, 13).entries()) m.setRegister(name, 0x100 + i);
    assert.equal(m.getRegister('r12'), 0x10c);
    m.setRegister('psp', 0x20000800);
    m.setRegister('control', 2);
    assert.equal(m.getRegister('sp'), 0x20000800, 'SPSEL selects the PSP in Thread mode');
    assert.equal(m.getRegister('msp'), 0x20001000);
    m.setRegister('basepri', 0xff);
    assert.equal(m.getRegister('basepri'), 0xf0, 'masked to 4 priority bits');
    m.setRegister('xpsr', 0xf1000000);
    assert.equal(m.getRegister('xpsr'), 0xf1000000);
    assert.throws(() => m.getRegister('r13' as never), /unknown register/);
  });

  it('run() stops at the instruction limit and on an until() condition', () => {
    const { m } = boot('cortex-m3', 'c/m3/hello.elf');
    const limited = m.run({ maxInstructions: 5 });
    assert.equal(limited.reason, 'limit');
    assert.equal(limited.instructions, 5);
    const main = m.elf!.symbolByName('main')!.address;
    const r = m.run({ until: () => m.getRegister('pc') === main });
    assert.equal(r.reason, 'until');
    assert.equal(m.getRegister('pc'), main);
  });

  it('stopOnFault stops in the fault handler and onFault explains it', () => {
    const explanations: string[] = [];
    const { m } = boot('cortex-m3', 'c/m3/hardfault.elf', { stopOnFault: true });
    m.onFault((e) => explanations.push(e.text));
    const r = m.run({ maxInstructions: 1_000_000 });
    assert.equal(r.reason, 'fault');
    assert.equal(explanations.length, 1);
    assert.match(explanations[0], /UNALIGNED/);
    assert.equal(m.run({ maxInstructions: 1_000_000 }).exitCode, 3, 'the firmware handler then reports and exits');
  });

  it('memory access for debuggers: peek/poke, readMemory/writeMemory, isMapped', () => {
    const m = new Machine(chipById('cortex-m0'));
    assert.equal(m.poke(0x100, 4, 0x12345678), true, 'poke writes flash');
    assert.equal(m.peek(0x100, 4), 0x12345678);
    assert.equal(m.peek(0x10000000, 4), null);
    assert.equal(m.poke(0x10000000, 4, 1), false);
    assert.ok(m.writeMemory(0x20000000, Uint8Array.of(1, 2, 3)));
    assert.deepEqual([...m.readMemory(0x20000000, 4)], [1, 2, 3, 0]);
    assert.equal(m.isMapped(0x20003fff), true);
    assert.equal(m.isMapped(0x20004000), false, '16 KiB of RAM on the M0');
  });

  it('chip and board lookups list the known ids in their errors', () => {
    assert.equal(chipById('STM32F411RE').irqCount, 86);
    assert.equal(boardById('nucleo-f411re').chip, 'stm32f411re');
    assert.throws(() => chipById('esp32'), /unknown chip 'esp32'; known chips: stm32f411re, cortex-m0, cortex-m3, cortex-m4/);
    assert.throws(() => boardById('bluepill'), /unknown board 'bluepill'; known boards: nucleo-f411re/);
  });
});
