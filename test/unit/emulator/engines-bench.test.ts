// Compiled blocks against the interpreter on the benchmark programs (bench/workloads): tight
// loops, nested loops inside one block, calls, memory-heavy kernels and SysTick interrupting at
// 10 kHz, compared in lockstep over slices of random length (so blocks are cut by the instruction
// budget, by timer deadlines and by interrupts at every possible point).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, type ExecutionEngine, type RunResult } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';

const WORKLOADS = path.join(__dirname, '../../../bench/workloads');

function bootElf(chip: string, file: string, engine: ExecutionEngine): Machine {
  const m = new Machine(chipById(chip), { engine, semihosting: true });
  m.loadElf(fs.readFileSync(file), file);
  m.reset();
  return m;
}

function bootRaw(engine: ExecutionEngine): Machine {
  const m = new Machine(chipById('cortex-m0'), { engine, semihosting: false });
  m.poke(0, 4, 0x20004000);
  m.poke(4, 4, 0x20000000 | 1);
  assert.ok(m.bus.load(0x20000000, fs.readFileSync(path.join(WORKLOADS, 'm0plus', 'bench.bin'))));
  m.reset();
  return m;
}

function state(m: Machine, r: RunResult): string {
  const cpu = m.cpu;
  return JSON.stringify({
    reason: r.reason, instructions: r.instructions, cycles: r.cycles, pc: cpu.pc, r: Array.from(cpu.r),
    xpsr: cpu.xpsr, total: cpu.instructions, totalCycles: cpu.cycles, ipsr: cpu.ipsr,
  });
}

function lockstep(blocks: Machine, interp: Machine, seed: number, budget: number): void {
  let s = seed;
  let done = 0;
  for (let slice = 0; done < budget; slice++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const pick = s >>> 28;
    const n = pick < 4 ? 1 + (s & 7) : pick < 10 ? 1 + (s & 0x3ff) : 1 + (s & 0x3ffff);
    const a = blocks.run({ maxInstructions: n });
    const b = interp.run({ maxInstructions: n });
    assert.equal(state(blocks, a), state(interp, b), `after slice ${slice} (${done} instructions)`);
    done += a.instructions;
    if (a.reason !== 'limit') break;
  }
  // The same memory afterwards (the stack and the kernels' data).
  for (const region of blocks.bus.regions) {
    const other = interp.bus.regions.find((r) => r.name === region.name)!;
    assert.ok(Buffer.from(region.bytes).equals(Buffer.from(other.bytes)), `memory of ${region.name}`);
  }
}

describe('execution engines on the benchmark programs', () => {
  const kernels = ['crc32', 'sort', 'list', 'calls', 'loop'];
  for (const core of ['m3', 'm4']) {
    for (const kernel of [...kernels, ...(core === 'm4' ? ['crc32-systick'] : [])]) {
      it(`${core}/${kernel}: blocks and interpreter agree after every slice`, function () {
        this.timeout(120_000);
        const file = path.join(WORKLOADS, core, `${kernel}.elf`);
        const chip = core === 'm3' ? 'cortex-m3' : 'cortex-m4';
        lockstep(bootElf(chip, file, 'blocks'), bootElf(chip, file, 'interpreter'), kernel.length * 7 + core.length, 3_000_000);
      });
    }
  }

  it('m0plus/bench.bin (image in SRAM): blocks and interpreter agree after every slice', function () {
    this.timeout(120_000);
    lockstep(bootRaw('blocks'), bootRaw('interpreter'), 99, 3_000_000);
  });
});
