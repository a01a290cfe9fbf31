// Call stack reconstruction: physical frames from the call frame information (.debug_frame), across
// exception entries (EXC_RETURN in LR: the caller's registers are in the frame the core stacked,
// ARMv7-M ARM B1.5.6-B1.5.8), then each physical frame expanded into its inlined functions.

import type { Machine } from '../emulator/machine';
import { exceptionName } from '../emulator/exceptions';
import type { ProgramInfo, SourcePosition } from './program-info';
import { ExidxTable, type ExidxUnwound } from '../debuginfo/arm-exidx';

export interface StackFrameInfo {
  /** The frame's PC: the current instruction for the top frame and interrupted code, otherwise
   *  the return address. */
  pc: number;
  /** The address used for source and function lookups (inside the call instruction for callers). */
  lookupPc: number;
  /** The frame's core registers r0..r15 as far as they could be recovered. */
  registers: Uint32Array;
  /** Bit n set: registers[n] is known in this frame. */
  known: number;
  /** Canonical frame address of the physical frame (the caller's SP at the call). */
  cfa: number;
  name: string;
  source: SourcePosition | null;
  /** 0 for the physical frame's own function, n for the nth function inlined into it. */
  inlineDepth: number;
  /** Index of the physical frame this one belongs to. */
  physical: number;
  /** Exception number (IPSR) the frame runs in. */
  ipsr: number;
  /** A separator marking an exception entry (no code of its own). */
  label?: boolean;
}

const MAX_FRAMES = 64;
const ALL_CORE = 0xffff;

/** The EXC_RETURN values an exception entry leaves in LR (B1.5.8; the 0xFFFFFFEx forms carry FP state). */
export function isExcReturn(value: number): boolean {
  switch (value >>> 0) {
    case 0xfffffff1: case 0xfffffff9: case 0xfffffffd:
    case 0xffffffe1: case 0xffffffe9: case 0xffffffed:
      return true;
    default:
      return false;
  }
}

interface PhysicalFrame {
  pc: number;
  registers: Uint32Array;
  known: number;
  cfa: number;
  ipsr: number;
  /** True when pc is an interrupted instruction (top frame, or below an exception frame). */
  exact: boolean;
  /** Set on the frame below an exception entry: which exception interrupted it. */
  interruptedBy?: number;
}

/** Unwinds the machine's current state into physical frames (innermost first). */
export function unwindPhysical(machine: Machine, program: ProgramInfo): PhysicalFrame[] {
  const cpu = machine.cpu;
  const regs = new Uint32Array(16);
  for (let i = 0; i < 13; i++) regs[i] = cpu.r[i];
  regs[13] = cpu.r[13];
  regs[14] = cpu.r[14];
  regs[15] = cpu.pc;
  const frames: PhysicalFrame[] = [];
  let current: PhysicalFrame = { pc: cpu.pc >>> 0, registers: regs, known: ALL_CORE, cfa: regs[13], ipsr: cpu.ipsr, exact: true };
  const word = (address: number): number | null => machine.peek(address >>> 0, 4);

  for (let n = 0; n < MAX_FRAMES; n++) {
    frames.push(current);
    const pc = current.pc;
    const r = current.registers;
    let callerRegs: Uint32Array;
    let callerKnown: number;
    let returnAddress: number;
    let cfa: number;

    const lookup = current.exact ? pc : pc - 2;
    const row = program.frames?.rowAt(lookup);
    let viaIndex: ExidxUnwound | null;
    if (row && row.cfa.kind === 'register' && (current.known & (1 << row.cfa.register)) !== 0) {
      cfa = (r[row.cfa.register] + row.cfa.offset) >>> 0;
      callerRegs = new Uint32Array(r);
      // Callee-saved registers keep their value unless a rule says where they were saved; the
      // caller-saved ones (r0-r3, r12) are unknown in outer frames.
      callerKnown = current.known & ~0x100f;
      let raKnown = false;
      for (const [reg, rule] of row.registers) {
        if (reg > 15) continue;
        if (rule.kind === 'offset') {
          const v = word(cfa + rule.offset);
          if (v === null) {
            callerKnown &= ~(1 << reg);
          } else {
            callerRegs[reg] = v;
            callerKnown |= 1 << reg;
          }
        } else if (rule.kind === 'valOffset') {
          callerRegs[reg] = (cfa + rule.offset) >>> 0;
          callerKnown |= 1 << reg;
        } else if (rule.kind === 'register') {
          callerRegs[reg] = r[rule.register];
        } else if (rule.kind === 'undefined' || rule.kind === 'expression' || rule.kind === 'valExpression') {
          callerKnown &= ~(1 << reg);
        }
        if (reg === 14) raKnown = true;
      }
      // No rule for LR: it still holds the return address (a leaf, or before the push).
      if (!raKnown && (current.known & (1 << 14)) === 0) break;
      returnAddress = callerRegs[14];
    } else if ((viaIndex = unwindWithIndex(program, current, lookup, word)) !== null) {
      // No CFI here, but the exception index describes the function (code built without debug
      // frame info, e.g. precompiled libraries).
      cfa = viaIndex.cfa;
      callerRegs = viaIndex.registers;
      callerKnown = viaIndex.known & ~0x100f;
      returnAddress = viaIndex.registers[15];
    } else if (n === 0 || current.exact) {
      // No unwind info (hand-written assembly, a vector, or code without debug info): assume a
      // leaf that has not touched the stack yet.
      cfa = r[13];
      callerRegs = new Uint32Array(r);
      callerKnown = current.known & ~0x100f;
      returnAddress = r[14];
      if ((current.known & (1 << 14)) === 0) break;
    } else {
      break;
    }

    if (isExcReturn(returnAddress)) {
      // An exception entry: the interrupted context's r0-r3, r12, lr, pc, xPSR are in the frame
      // the core stacked on the stack EXC_RETURN names (B1.5.7).
      const excReturn = returnAddress >>> 0;
      const usesPsp = (excReturn & 0x4) !== 0;
      const sp = usesPsp ? machine.cpu.psp >>> 0 : cfa;
      const stacked: number[] = [];
      for (let i = 0; i < 8; i++) {
        const v = word(sp + 4 * i);
        if (v === null) return frames;
        stacked.push(v);
      }
      const xpsr = stacked[7];
      let size = (excReturn & 0x10) === 0 ? 0x68 : 0x20; // extended frame with FP state
      if (xpsr & (1 << 9)) size += 4; // the core aligned the stack to 8 bytes (CCR.STKALIGN)
      const caller = new Uint32Array(callerRegs);
      caller[0] = stacked[0];
      caller[1] = stacked[1];
      caller[2] = stacked[2];
      caller[3] = stacked[3];
      caller[12] = stacked[4];
      caller[14] = stacked[5];
      caller[15] = stacked[6] & ~1;
      caller[13] = (sp + size) >>> 0;
      const next: PhysicalFrame = {
        pc: stacked[6] & ~1,
        registers: caller,
        known: callerKnown | 0x100f | (1 << 13) | (1 << 14) | (1 << 15),
        cfa: caller[13],
        ipsr: xpsr & 0x1ff,
        exact: true,
        interruptedBy: current.ipsr,
      };
      current.cfa = cfa;
      if (next.pc === 0) break;
      current = next;
      continue;
    }

    current.cfa = cfa;
    const callerPc = (returnAddress & ~1) >>> 0;
    // The reset value of LR, or a frame that does not move on: the outermost frame.
    if (returnAddress >>> 0 === 0xffffffff || callerPc === 0) break;
    if (n > 0 && cfa <= frames[n - 1].cfa && callerPc === pc) break;
    callerRegs[13] = cfa;
    callerRegs[15] = callerPc;
    callerKnown |= (1 << 13) | (1 << 15);
    current = { pc: callerPc, registers: callerRegs, known: callerKnown, cfa, ipsr: current.ipsr, exact: false };
  }
  return frames;
}

const exidxTables = new WeakMap<ProgramInfo, ExidxTable | null>();

/**
 * The caller's registers from the .ARM.exidx entry covering `lookup`, or null (no table, no entry,
 * EXIDX_CANTUNWIND, or unwinding failed). The opcodes describe the state after the prologue; at a
 * function's first instruction nothing has been pushed yet, so the caller's own fallback (a leaf
 * with the return address in LR) is right there.
 */
function unwindWithIndex(program: ProgramInfo, frame: PhysicalFrame, lookup: number, word: (address: number) => number | null): ExidxUnwound | null {
  let table = exidxTables.get(program);
  if (table === undefined) {
    try {
      table = ExidxTable.read(program.elf);
    } catch {
      table = null;
    }
    exidxTables.set(program, table);
  }
  if (!table) return null;
  const entry = table.entryFor(lookup);
  if (!entry || entry.model === 'cantunwind' || (frame.exact && lookup === entry.start)) return null;
  return table.unwind(lookup, frame.registers, frame.known, word);
}

/** The full call stack, inlined functions as frames of their own, exception entries as labels. */
export function stackFrames(machine: Machine, program: ProgramInfo): StackFrameInfo[] {
  const out: StackFrameInfo[] = [];
  const physical = unwindPhysical(machine, program);
  physical.forEach((p, index) => {
    if (p.interruptedBy !== undefined) {
      out.push({
        pc: p.pc, lookupPc: p.pc, registers: p.registers, known: p.known, cfa: p.cfa,
        name: `<${exceptionName(p.interruptedBy)} exception entry>`, source: null, inlineDepth: 0, physical: index, ipsr: p.ipsr, label: true,
      });
    }
    const lookupPc = p.exact ? p.pc : (p.pc - 2) >>> 0;
    const chain = program.functionsAt(lookupPc);
    if (chain.length === 0) {
      out.push({
        pc: p.pc, lookupPc, registers: p.registers, known: p.known, cfa: p.cfa,
        name: program.symbolNameAt(lookupPc) ?? hex8(p.pc), source: program.sourceAt(lookupPc), inlineDepth: 0, physical: index, ipsr: p.ipsr,
      });
      return;
    }
    // chain is innermost first; the source position of an outer function is the inner one's call site.
    let source = program.sourceAt(lookupPc);
    for (let k = 0; k < chain.length; k++) {
      const f = chain[k];
      out.push({
        pc: p.pc, lookupPc, registers: p.registers, known: p.known, cfa: p.cfa,
        name: f.name, source, inlineDepth: chain.length - 1 - k, physical: index, ipsr: p.ipsr,
      });
      if (f.inlined) {
        source = f.callFile !== undefined && f.callLine !== undefined ? { path: program.resolvePath(f.callFile), line: f.callLine, column: f.callColumn ?? 0 } : null;
      }
    }
  });
  return out;
}

/** The canonical frame address of the current (innermost physical) frame. */
export function currentCfa(machine: Machine, program: ProgramInfo): number {
  const cpu = machine.cpu;
  const row = program.frames?.rowAt(cpu.pc);
  if (row && row.cfa.kind === 'register' && row.cfa.register <= 15) {
    const base = row.cfa.register === 15 ? cpu.pc : cpu.r[row.cfa.register];
    return (base + row.cfa.offset) >>> 0;
  }
  return cpu.r[13] >>> 0;
}

export function hex8(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}
