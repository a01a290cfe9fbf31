// Our side of the differential test: the real Cpu over a Bus with the same two windows as
// oracle.py, reset to the batch images before every case.

import { Bus, type RamRegion } from '../../../src/emulator/bus';
import { Cpu } from '../../../src/emulator/cpu/cpu';
import { GuestFault } from '../../../src/emulator/cpu/fault';
import { BLOCK_REFUSED, compileBlock } from '../../../src/emulator/cpu/blocks';
import { CODE_BASE, DATA_BASE, WINDOW, type CoreProfile, type Outcome, type TestCase } from './testcase';

export class LocalCore {
  readonly bus = new Bus();
  readonly cpu: Cpu;
  private readonly codeRegion: RamRegion;
  private readonly dataRegion: RamRegion;
  private codeImage: Uint8Array = new Uint8Array(WINDOW);
  private dataImage: Uint8Array = new Uint8Array(WINDOW);
  /** The code window as the current case starts (image + the case's instructions). */
  private readonly codeStart = new Uint8Array(WINDOW);

  constructor(profile: CoreProfile) {
    // Both windows writable and executable, as unicorn maps them.
    this.codeRegion = this.bus.addRam('code', CODE_BASE, WINDOW, { writable: true, executable: true });
    this.dataRegion = this.bus.addRam('data', DATA_BASE, WINDOW, { writable: true, executable: true });
    this.cpu = new Cpu(this.bus, profile);
  }

  loadImages(code: Uint8Array, data: Uint8Array): void {
    this.codeImage = code;
    this.dataImage = data;
    this.codeRegion.bytes.set(code);
    this.codeRegion.invalidate(CODE_BASE, WINDOW);
    this.dataRegion.bytes.set(data);
  }

  /** Run one case on the interpreter and again through compiled blocks (the default engine):
   *  returns the outcome (with `fault` set if a GuestFault ended it). Errors other than GuestFault
   *  (a bug in a decoder) come back as fault text starting with "crash:"; compiled blocks that do
   *  not end exactly as the interpreter did come back as fault text starting with "engines:". */
  run(c: TestCase): Outcome {
    const interpreted = this.runWith(c, false);
    const compiled = this.runWith(c, true);
    const difference = outcomeDifference(interpreted, compiled);
    if (difference === null) return interpreted;
    return { ...compiled, fault: `engines: compiled blocks differ from the interpreter (${difference})` };
  }

  private runWith(c: TestCase, blocks: boolean): Outcome {
    const cpu = this.cpu;
    const pc = c.regs[15];
    const offset = pc - CODE_BASE;
    const codeBytes = this.codeRegion.bytes;
    for (let i = 0; i < c.code.length; i++) {
      codeBytes[offset + 2 * i] = c.code[i] & 0xff;
      codeBytes[offset + 2 * i + 1] = c.code[i] >>> 8;
    }
    // Sequences are followed by a NOP, as in oracle.py (see there).
    const codeLength = 2 * c.code.length + (c.steps > 1 ? 2 : 0);
    if (c.steps > 1) {
      codeBytes[offset + 2 * c.code.length] = 0x00;
      codeBytes[offset + 2 * c.code.length + 1] = 0xbf;
    }
    this.codeRegion.invalidate(pc, codeLength);
    this.codeStart.set(codeBytes);

    for (let i = 0; i < 15; i++) cpu.r[i] = c.regs[i];
    cpu.ipsr = 0;
    cpu.control = 0;
    cpu.primask = 0;
    cpu.faultmask = 0;
    cpu.basepri = 0;
    cpu.msp = c.regs[13];
    cpu.psp = 0;
    cpu.r[13] = c.regs[13];
    cpu.pc = pc;
    cpu.nextPc = pc;
    cpu.apsr = c.xpsr;
    cpu.ge = 0;
    cpu.thumb = true;
    cpu.itState = 0;
    cpu.exclusiveAddress = -1;
    cpu.pendingExceptionReturn = -1;
    cpu.unalignTrap = false;
    cpu.divZeroTrap = false;

    let fault: string | undefined;
    try {
      if (blocks) this.runBlocks(c.steps);
      else for (let i = 0; i < c.steps; i++) cpu.step();
    } catch (e) {
      if (e instanceof GuestFault) fault = e.kind;
      else fault = `crash: ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 3).join(' | ') : String(e)}`;
    }

    const regs = new Uint32Array(16);
    for (let i = 0; i < 15; i++) regs[i] = cpu.r[i];
    regs[15] = cpu.pc;
    const psr = ((cpu.apsr & 0xf8000000) | (cpu.thumb ? 0x01000000 : 0)) >>> 0;

    const memory: Array<[number, number]> = [];
    let codeWritten = false;
    if (!Buffer.from(codeBytes.buffer, codeBytes.byteOffset, WINDOW).equals(this.codeStart)) {
      codeWritten = true;
      for (let i = 0; i < WINDOW; i++) if (codeBytes[i] !== this.codeStart[i]) memory.push([CODE_BASE + i, codeBytes[i]]);
    }
    const dataBytes = this.dataRegion.bytes;
    if (!Buffer.from(dataBytes.buffer, dataBytes.byteOffset, WINDOW).equals(this.dataImage)) {
      for (let i = 0; i < WINDOW; i++) if (dataBytes[i] !== this.dataImage[i]) memory.push([DATA_BASE + i, dataBytes[i]]);
      dataBytes.set(this.dataImage);
    }

    // Back to the batch image for the next case (the decoded cache for pc is refreshed by the
    // next case that writes code there). The cache array is cleared in place, never replaced:
    // the Cpu keeps a reference to it.
    if (codeWritten) {
      codeBytes.set(this.codeImage);
      this.codeRegion.invalidate(CODE_BASE, WINDOW);
    } else {
      codeBytes.set(this.codeImage.subarray(offset, offset + codeLength), offset);
    }
    return { regs, psr, memory, fault };
  }

  /** Run `steps` instructions through blocks compiled at each PC (no warm-up: every case's code is
   *  compiled), stepping where the block engine would (inside IT blocks, odd or non-Thumb PCs). */
  private runBlocks(steps: number): void {
    const cpu = this.cpu;
    const end = cpu.instructions + steps;
    // As the Machine does: a write to code asks the loop for attention, so the block leaves.
    this.codeRegion.onInvalidate = this.dataRegion.onInvalidate = () => { cpu.sliceEnd = 0; };
    while (cpu.instructions < end) {
      cpu.sliceEnd = Infinity;
      cpu.instructionEnd = end;
      const pc = cpu.pc;
      if (cpu.itState === 0 && cpu.thumb && (pc & 1) === 0 && this.codeRegion.contains(pc, 2)) {
        const block = compileBlock(cpu, this.codeRegion, pc, end - cpu.instructions);
        if (block !== null && block.run(cpu) !== BLOCK_REFUSED) continue;
      }
      cpu.step();
    }
  }

  /** Our disassembly of the case's instructions, one per line (never throws). */
  disassemble(c: TestCase): string {
    const pc = c.regs[15];
    const offset = pc - CODE_BASE;
    const codeBytes = this.codeRegion.bytes;
    for (let i = 0; i < c.code.length; i++) {
      codeBytes[offset + 2 * i] = c.code[i] & 0xff;
      codeBytes[offset + 2 * i + 1] = c.code[i] >>> 8;
    }
    this.codeRegion.invalidate(pc, 2 * c.code.length);
    const lines: string[] = [];
    let address = pc;
    while (address < pc + 2 * c.code.length) {
      try {
        const d = this.cpu.fetch(address);
        lines.push(d.asm());
        address += d.size;
      } catch (e) {
        lines.push(`<no asm: ${e instanceof Error ? e.message : String(e)}>`);
        break;
      }
    }
    codeBytes.set(this.codeImage.subarray(offset, offset + 2 * c.code.length), offset);
    this.codeRegion.invalidate(pc, 2 * c.code.length);
    return lines.join('; ');
  }
}

/** What differs between two outcomes of the same case (null: nothing). */
function outcomeDifference(a: Outcome, b: Outcome): string | null {
  for (let i = 0; i < 16; i++) if (a.regs[i] !== b.regs[i]) return `r${i} ${a.regs[i].toString(16)} vs ${b.regs[i].toString(16)}`;
  if (a.psr !== b.psr) return `psr ${a.psr.toString(16)} vs ${b.psr.toString(16)}`;
  if (a.fault !== b.fault) return `fault ${a.fault} vs ${b.fault}`;
  if (JSON.stringify(a.memory) !== JSON.stringify(b.memory)) return 'memory';
  return null;
}
