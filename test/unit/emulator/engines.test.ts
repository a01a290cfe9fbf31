// The two execution engines (compiled blocks and the reference interpreter) in lockstep on every
// firmware fixture; breakpoints and code rewritten under compiled blocks; data breakpoints; the
// bus fast paths against the slow ones.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, type ExecutionEngine, type RunResult } from '../../../src/emulator/machine';
import { chipById, chipForBoard } from '../../../src/emulator/chips/index';

const FIXTURES = path.join(__dirname, '../../fixtures/firmware');

interface Fixture {
  elf: string;
  chip: () => ReturnType<typeof chipById>;
}

const fixtures: Fixture[] = [
  ...['hello', 'workload', 'interrupts', 'hardfault'].map((n) => ({ elf: `c/m0/${n}.elf`, chip: () => chipById('cortex-m0') })),
  ...['hello', 'workload', 'interrupts', 'hardfault', 'v7m-ops'].map((n) => ({ elf: `c/m3/${n}.elf`, chip: () => chipById('cortex-m3') })),
  ...['hello', 'blinky', 'alloc', 'panic', 'hardfault', 'fpu', 'interrupts', 'dsp']
    .filter((n) => fs.existsSync(path.join(FIXTURES, `rust/${n}.elf`)))
    .map((n) => ({ elf: `rust/${n}.elf`, chip: () => chipForBoard('nucleo-f411re') })),
];

function boot(f: Fixture, engine: ExecutionEngine): Machine {
  const m = new Machine(f.chip(), { engine, stopOnFault: true });
  m.onSemihostingOutput(() => {});
  m.loadElf(fs.readFileSync(path.join(FIXTURES, f.elf)), f.elf);
  m.reset();
  return m;
}

function state(m: Machine, r: RunResult): string {
  const cpu = m.cpu;
  return JSON.stringify({
    reason: r.reason, exitCode: r.exitCode, instructions: r.instructions, cycles: r.cycles,
    pc: cpu.pc, r: Array.from(cpu.r), xpsr: cpu.xpsr, total: cpu.instructions, totalCycles: cpu.cycles,
    primask: cpu.primask, control: cpu.control, s: Array.from(cpu.fpRegs), fpscr: cpu.fpscr,
  });
}

/** A tiny deterministic generator for slice lengths. */
function lengths(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    const pick = s >>> 28;
    return pick < 4 ? 1 + (s & 7) : pick < 10 ? 1 + (s & 0x3ff) : 1 + (s & 0x3ffff);
  };
}

describe('execution engines', () => {
  for (const f of fixtures) {
    it(`${f.elf}: blocks and interpreter agree after every slice`, function () {
      this.timeout(120_000);
      const blocks = boot(f, 'blocks');
      const interp = boot(f, 'interpreter');
      const next = lengths(f.elf.length);
      for (let slice = 0; slice < 100_000; slice++) {
        const n = next();
        const a = blocks.run({ maxInstructions: n });
        const b = interp.run({ maxInstructions: n });
        assert.equal(state(blocks, a), state(interp, b), `after slice ${slice}`);
        if (a.reason !== 'limit') break;
      }
    });
  }

  // Jumps inside one block: nested loops and a forward skip become JavaScript loops and labelled
  // blocks; a jump into the middle of a loop cannot, and the block falls back to a switch.
  const loopPrograms: [string, number[]][] = [
    ['nested loops and a forward skip', [
      0x2000, // movs r0, #0
      0x2400, // movs r4, #0
      0x210a, // movs r1, #10
      0x2205, // outer: movs r2, #5
      0x3001, // inner: adds r0, #1
      0x3a01, // subs r2, #1
      0xd1fc, // bne inner
      0x2301, // movs r3, #1
      0x4218, // tst r0, r3
      0xd001, // beq skip
      0x3403, // adds r4, #3
      0x3401, // adds r4, #1
      0x3901, // skip: subs r1, #1
      0xd1f4, // bne outer
      0xe7f0, // b to the start
    ]],
    // Flag results overwritten before anything reads them are dropped from the block; the ones
    // only partly overwritten (movs keeps C and V) must still reach the branch and the exit.
    ['flags written, partly overwritten, then read', [
      0x2005, // movs r0, #5
      0x2107, // movs r1, #7
      0x4288, // loop: cmp r0, r1
      0x2201, // movs r2, #1
      0x3001, // adds r0, #1
      0x4288, // cmp r0, r1
      0x2300, // movs r3, #0
      0xd3f9, // bcc loop
      0x2000, // movs r0, #0
      0x3801, // subs r0, #1
      0xe7f4, // b to the start
    ]],
    // A call the block follows and the `bx lr` back: the block goes on at the return site.
    ['a call and its return inside one block', [
      0x2000, // movs r0, #0
      0xf000, 0xf803, // loop: bl f
      0x3001, // adds r0, #1
      0xe7fb, // b loop
      0xbf00, // nop
      0x3002, // f: adds r0, #2
      0x4770, // bx lr
    ]],
    ['a jump into the middle of a loop', [
      0x2000, // movs r0, #0
      0x2205, // movs r2, #5
      0x2800, // cmp r0, #0
      0xd000, // beq body
      0x3001, // head: adds r0, #1
      0x3002, // body: adds r0, #2
      0x3a01, // subs r2, #1
      0xd1fb, // bne head
      0xe7f6, // b to the start
    ]],
  ];
  for (const [name, code] of loopPrograms) {
    it(`${name}: blocks and interpreter agree after every slice`, () => {
      const boot = (engine: ExecutionEngine): Machine => {
        const m = new Machine(chipById('cortex-m3'), { engine });
        m.poke(0, 4, 0x20001000);
        m.poke(4, 4, 0x20000001);
        assert.ok(m.bus.load(0x20000000, new Uint8Array(new Uint16Array(code).buffer)));
        m.reset();
        return m;
      };
      const blocks = boot('blocks');
      const interp = boot('interpreter');
      const next = lengths(code.length);
      for (let slice = 0; slice < 3_000; slice++) {
        const n = next();
        assert.equal(state(blocks, blocks.run({ maxInstructions: n })), state(interp, interp.run({ maxInstructions: n })), `after slice ${slice}`);
      }
      // One long run: a block that loops inside itself returns to the run loop now and then.
      assert.equal(state(blocks, blocks.run({ maxInstructions: 3_000_000 })), state(interp, interp.run({ maxInstructions: 3_000_000 })));
    });
  }

  it('a breakpoint set inside a block that already ran is hit', () => {
    const f = fixtures.find((x) => x.elf === 'c/m3/workload.elf')!;
    const ref = boot(f, 'interpreter');
    ref.run({ maxInstructions: 200_000 });
    // An address the program will execute again soon: where the reference is now.
    const target = ref.cpu.pc;
    const m = boot(f, 'blocks');
    m.run({ maxInstructions: 200_000 - 1 });
    m.addBreakpoint(target);
    const r = m.run({ maxInstructions: 10_000_000 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.cpu.pc, target);
    // And resuming runs past it to the same place as the reference.
    m.removeBreakpoint(target);
    const a = m.run({ maxInstructions: 12345 });
    const refMachine = boot(f, 'interpreter');
    refMachine.run({ maxInstructions: m.cpu.instructions - a.instructions });
    const b = refMachine.run({ maxInstructions: 12345 });
    assert.equal(state(m, a), state(refMachine, b));
  });

  for (const engine of ['blocks', 'interpreter'] as const) {
    it(`${engine}: code that rewrites the instruction after it runs the new instruction`, () => {
      const m = new Machine(chipById('cortex-m3'), { engine });
      m.poke(0, 4, 0x20001000);
      m.poke(4, 4, 0x20000001);
      const code = [
        0x4a03, // ldr r2, [pc, #12]   (the literal at +0x10: movs r0, #42)
        0xa101, // adr r1, #4          (r1 = +0x08)
        0x800a, // strh r2, [r1]       (rewrite +0x08)
        0x46c0, // nop
        0x2007, // movs r0, #7         (rewritten to movs r0, #42 before it runs)
        0xbe00, // bkpt 0
        0, 0,
        0x202a, 0,
      ];
      const bytes = new Uint8Array(new Uint16Array(code).buffer);
      assert.ok(m.bus.load(0x20000000, bytes));
      m.reset();
      // The block compiled at the top holds the old instruction; the rewrite must still win.
      const r = m.run({ maxInstructions: 100 });
      assert.equal(r.reason, 'breakpoint');
      assert.equal(m.cpu.r[0], 42);
    });

    it(`${engine}: data breakpoints stop after the access, and cost nothing when not hit`, () => {
      const f = fixtures.find((x) => x.elf === 'c/m3/workload.elf')!;
      const plain = boot(f, engine);
      const full = plain.run({ maxInstructions: 50_000_000 });
      assert.equal(full.reason, 'exit');

      const values = plain.elf!.symbolByName('values')!.value;
      // Not hit: a read/write watch on RAM the program never touches.
      const quiet = boot(f, engine);
      quiet.addDataBreakpoint(0x2000f000, 4, 'readWrite');
      const q = quiet.run({ maxInstructions: 50_000_000 });
      assert.equal(q.reason, 'exit');
      assert.equal(q.instructions, full.instructions);

      // Hit: the first write to values[3].
      const m = boot(f, engine);
      m.addDataBreakpoint(values + 12, 4, 'write');
      const r = m.run({ maxInstructions: 50_000_000 });
      assert.equal(r.reason, 'data-breakpoint');
      const hit = m.lastDataBreakpointHit!;
      assert.ok(hit.write);
      assert.equal(hit.accessAddress, values + 12);
      assert.equal(m.peek(values + 12, 4), hit.value, 'the store completed');
      assert.notEqual(m.cpu.pc, hit.pc, 'PC is past the storing instruction');
      // The same point in the reference: as many instructions as the hit run retired.
      const ref = boot(f, 'interpreter');
      ref.run({ maxInstructions: r.instructions });
      assert.equal(ref.cpu.pc, m.cpu.pc);

      // A read watch does not fire on writes; removing it lets the program finish.
      m.clearDataBreakpoints();
      m.addDataBreakpoint(values + 12, 4, 'read');
      const r2 = m.run({ maxInstructions: 50_000_000 });
      assert.equal(r2.reason, 'data-breakpoint');
      assert.equal(m.lastDataBreakpointHit!.write, false);
      m.removeDataBreakpoint(values + 12);
      assert.equal(m.run({ maxInstructions: 50_000_000 }).reason, 'exit');
    });
  }

  it('bus fast paths agree with debugger reads for every size and alignment', () => {
    const m = new Machine(chipById('cortex-m3'));
    const bus = m.bus;
    for (let i = 0; i < 64; i++) bus.write8(0x20000100 + i, (i * 37 + 5) & 0xff);
    for (let a = 0x20000100; a < 0x20000130; a++) {
      assert.equal(bus.read8(a), bus.peek(a, 1));
      assert.equal(bus.read16(a), bus.peek(a, 2), `read16 ${a.toString(16)}`);
      assert.equal(bus.read32(a), bus.peek(a, 4), `read32 ${a.toString(16)}`);
    }
    bus.write32(0x20000102, 0xdeadbeef);
    assert.equal(bus.peek(0x20000102, 4), 0xdeadbeef);
    bus.write16(0x20000107, 0xcafe);
    assert.equal(bus.peek(0x20000107, 2), 0xcafe);
    // Flash stays read-only to CPU stores.
    const before = bus.peek(0x100, 4);
    bus.write32(0x100, 0x12345678);
    assert.equal(bus.peek(0x100, 4), before);
    // The last word of SRAM, and the first byte past it (a bus fault).
    const end = 0x20000000 + 64 * 1024;
    bus.write32(end - 4, 0x01020304);
    assert.equal(bus.read32(end - 4), 0x01020304);
    assert.throws(() => bus.read32(end));
  });
});
