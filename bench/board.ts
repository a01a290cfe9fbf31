// Cost of the virtual board's pin observers on emulator speed, for `npm run bench`: the same guest
// code with and without a BoardRuntime (LED brightness accounting + pin timeline) attached, best of
// seven runs each (CPU time), interleaved so that machine load affects both sides alike. Guest: a
// delay loop that toggles LD2 (PA5) through BSRR every `delay` iterations, from a toggle every ~4
// instructions (worst case) to one every few hundred (a blink or slow PWM).
//
//   node --import tsx bench/board.ts        (also run at the end of bench/run.ts)

import { BoardRuntime } from '../src/emulator/boards/board-runtime';
import { bundledBoard } from '../src/emulator/boards/index';
import { chipById } from '../src/emulator/chips/index';
import { Machine } from '../src/emulator/machine';

const FLASH = 0x08000000;

/** Vector table + loop: r0 = &GPIOA_BSRR, r1 = set PA5, r2 = reset PA5, r3 = delay count. */
function toggleProgram(delay: number): Uint8Array {
  const code: number[] = [];
  const h = (v: number) => code.push(v & 0xff, (v >>> 8) & 0xff);
  // ldr r0, [pc, #lit]; movs r1, #0x20; lsls r2, r1, #16
  h(0x4805); h(0x2120); h(0x040a);
  // loop: str r1,[r0]; movs r3,#delay; d1: subs r3,#1; bne d1; str r2,[r0]; movs r3,#delay; d2: subs r3,#1; bne d2; b loop
  h(0x6001); h(0x2300 | delay); h(0x3b01); h(0xd1fd); h(0x6002); h(0x2300 | delay); h(0x3b01); h(0xd1fd); h(0xe7f6);
  code.push(0x18, 0x00, 0x02, 0x40); // 0x40020018 GPIOA_BSRR
  const image = new Uint8Array(0x100 + code.length);
  const dv = new DataView(image.buffer);
  dv.setUint32(0, 0x20001000, true);
  dv.setUint32(4, (FLASH + 0x100) | 1, true);
  image.set(code, 0x100);
  return image;
}

function mips(delay: number, withBoard: boolean, instructions: number): number {
  const m = new Machine(chipById('stm32f411re'));
  m.loadBytes(FLASH, toggleProgram(delay));
  m.reset();
  m.peripheral('GPIOA')!.write(0x00, 4, 0xa8000400); // PA5 output (debug pins kept)
  const runtime = withBoard ? new BoardRuntime(m, bundledBoard('nucleo-f411re')!) : null;
  m.run({ maxInstructions: 200_000 }); // warm up: compile blocks
  const c0 = process.cpuUsage();
  const r = m.run({ maxInstructions: instructions });
  const used = process.cpuUsage(c0);
  if (r.reason !== 'limit') throw new Error(`toggle program stopped early: ${r.reason}`);
  if (runtime && runtime.timeline.size === 0) throw new Error('the board saw no pin changes');
  return r.instructions / ((used.user + used.system) / 1000) / 1000;
}

export function printBoardBench(): void {
  console.log('\nBoard pin observers (nucleo-f411re, LD2 toggled through BSRR; CPU-time MIPS, best of 7):');
  for (const delay of [1, 20, 200]) {
    const best = { off: 0, on: 0 };
    for (let i = 0; i < 7; i++) {
      best.off = Math.max(best.off, mips(delay, false, 10_000_000));
      best.on = Math.max(best.on, mips(delay, true, 10_000_000));
    }
    const change = (best.on / best.off - 1) * 100;
    console.log(`  toggle every ~${String(2 * delay + 2).padEnd(4)} instructions: ${best.off.toFixed(1).padStart(7)} MIPS without the board, ${best.on.toFixed(1).padStart(7)} with it (${change >= 0 ? '+' : ''}${change.toFixed(1)} %)`);
  }
}

if (require.main === module) printBoardBench();
