// A human-readable account of the last fault, shared by the CLI (printed on stderr) and the
// debugger (shown when stopping in a fault handler). It reads the fault status registers and the
// exception frame the way one would by hand (ARMv7-M ARM B3.2.15-B3.2.18, B1.5.6).

import { Cfsr, Exc, Hfsr, exceptionName, type FaultRecord } from './exceptions';
import type { Machine } from './machine';

export interface FaultBit {
  name: string;
  meaning: string;
}

export interface StackedFrame {
  /** Address of the frame on the stack. */
  address: number;
  r0: number;
  r1: number;
  r2: number;
  r3: number;
  r12: number;
  lr: number;
  pc: number;
  xpsr: number;
}

export interface FaultExplanation {
  /** The exception that handles the fault (HardFault when escalated, and on ARMv6-M). */
  kind: 'HardFault' | 'MemManage' | 'BusFault' | 'UsageFault';
  /** The fault escalated to HardFault (HFSR.FORCED). */
  forced: boolean;
  /** The core locked up instead of taking a handler. */
  lockup: boolean;
  /** The fault as raised, e.g. 'PRECISERR', 'UNDEFINSTR', 'VECTTBL'. */
  cause: string;
  cfsr: number;
  hfsr: number;
  /** Set CFSR bits (on ARMv6-M, which has no CFSR, the cause as if it had one). */
  cfsrBits: FaultBit[];
  hfsrBits: FaultBit[];
  /** Faulting data address (BFAR/MMFAR when valid). */
  address?: number;
  /** The faulting instruction (the stacked PC for a synchronous fault). */
  pc: number;
  lr: number;
  frame?: StackedFrame;
  excReturn?: number;
  detail?: string;
  /** Filled in by callers that have debug info (file:line of pc). */
  sourceLine?: string;
  text: string;
}

const CFSR_MEANINGS: readonly [number, string, string][] = [
  [Cfsr.IACCVIOL, 'IACCVIOL', 'instruction fetch from memory that does not allow execution (e.g. an execute-never region)'],
  [Cfsr.DACCVIOL, 'DACCVIOL', 'data access not permitted by the memory protection'],
  [Cfsr.MUNSTKERR, 'MUNSTKERR', 'memory protection fault while unstacking on exception return'],
  [Cfsr.MSTKERR, 'MSTKERR', 'memory protection fault while stacking on exception entry'],
  [Cfsr.MLSPERR, 'MLSPERR', 'memory protection fault during lazy floating-point state preservation'],
  [Cfsr.MMARVALID, 'MMARVALID', 'MMFAR holds the faulting address'],
  [Cfsr.IBUSERR, 'IBUSERR', 'instruction fetch bus error: the PC pointed at unmapped memory'],
  [Cfsr.PRECISERR, 'PRECISERR', 'precise data bus error: a load or store to an address where nothing is mapped'],
  [Cfsr.IMPRECISERR, 'IMPRECISERR', 'imprecise data bus error (a buffered write failed)'],
  [Cfsr.UNSTKERR, 'UNSTKERR', 'bus error while unstacking on exception return (corrupted stack pointer?)'],
  [Cfsr.STKERR, 'STKERR', 'bus error while stacking on exception entry (stack overflow or invalid SP?)'],
  [Cfsr.LSPERR, 'LSPERR', 'bus error during lazy floating-point state preservation'],
  [Cfsr.BFARVALID, 'BFARVALID', 'BFAR holds the faulting address'],
  [Cfsr.UNDEFINSTR, 'UNDEFINSTR', 'undefined instruction (data executed as code, or an instruction this core lacks)'],
  [Cfsr.INVSTATE, 'INVSTATE', 'invalid state: EPSR.T is 0 (a branch to an even address, or ARM-state code)'],
  [Cfsr.INVPC, 'INVPC', 'invalid EXC_RETURN value or exception return integrity check failed'],
  [Cfsr.NOCP, 'NOCP', 'coprocessor (FPU) instruction while the FPU is disabled in CPACR or absent'],
  [Cfsr.UNALIGNED, 'UNALIGNED', 'unaligned memory access (LDM/STM/LDRD/STRD, or any with CCR.UNALIGN_TRP)'],
  [Cfsr.DIVBYZERO, 'DIVBYZERO', 'integer division by zero with CCR.DIV_0_TRP set'],
];

const HFSR_MEANINGS: readonly [number, string, string][] = [
  [Hfsr.VECTTBL, 'VECTTBL', 'bus error reading the vector table'],
  [Hfsr.FORCED, 'FORCED', 'a configurable fault escalated to HardFault (its handler is disabled or cannot preempt)'],
  [Hfsr.DEBUGEVT, 'DEBUGEVT', 'a debug event (BKPT) with halting debug disabled'],
];

const OTHER_CAUSES: Readonly<Record<string, string>> = {
  'SVC-PRIORITY': 'SVC executed where SVCall cannot preempt (priority, PRIMASK or inside a handler of higher priority)',
};

function hex8(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

function bitsOf(value: number, table: readonly [number, string, string][]): FaultBit[] {
  return table.filter(([bit]) => (value & bit) !== 0).map(([, name, meaning]) => ({ name, meaning }));
}

function describeExcReturn(excReturn: number): string {
  switch (excReturn & 0xf) {
    case 0x1: return 'return to Handler mode, main stack';
    case 0x9: return 'return to Thread mode, main stack';
    case 0xd: return 'return to Thread mode, process stack';
    default: return 'invalid';
  }
}

/** Explain the most recent fault (or lockup) of `machine`. Returns undefined if none happened. */
export function explainFault(machine: Machine): FaultExplanation | undefined {
  const exceptions = machine.exceptions;
  const record: FaultRecord | null = exceptions.lastFault;
  if (record === null) return undefined;
  const cpu = machine.cpu;
  const isV6m = exceptions.isV6m;
  const handledBy = record.forced || isV6m || record.natural === Exc.HardFault || record.natural === Exc.SVCall ? Exc.HardFault : record.natural;
  const kind = exceptionName(handledBy) as FaultExplanation['kind'];
  const cfsr = exceptions.cfsr >>> 0;
  const hfsr = exceptions.hfsr >>> 0;
  let cfsrBits = bitsOf(cfsr, CFSR_MEANINGS);
  if (isV6m) cfsrBits = CFSR_MEANINGS.filter(([, name]) => name === record.kind).map(([, name, meaning]) => ({ name, meaning }));
  const hfsrBits = bitsOf(hfsr, HFSR_MEANINGS);

  let address = record.address;
  if (!isV6m) {
    if (cfsr & Cfsr.BFARVALID) address = exceptions.bfar;
    else if (cfsr & Cfsr.MMARVALID) address = exceptions.mmfar;
  }

  let frame: StackedFrame | undefined;
  if (!record.lockup && record.frameAddress >= 0) {
    const at = record.frameAddress;
    const word = (i: number): number => machine.peek(at + 4 * i, 4) ?? 0;
    if (machine.peek(at, 4) !== null && machine.peek(at + 28, 4) !== null) {
      frame = { address: at, r0: word(0), r1: word(1), r2: word(2), r3: word(3), r12: word(4), lr: word(5), pc: word(6), xpsr: word(7) };
    }
  }
  const pc = frame ? frame.pc : record.pc;
  const lr = frame ? frame.lr : cpu.r[14];

  const causeMeaning = CFSR_MEANINGS.find(([, name]) => name === record.kind)?.[2] ??
    HFSR_MEANINGS.find(([, name]) => name === record.kind)?.[2] ?? OTHER_CAUSES[record.kind] ?? String(record.kind);

  const lines: string[] = [];
  const head = record.lockup ? `Lockup: ${kind === 'HardFault' ? 'a fault' : kind} that could not be handled` : kind;
  const escalated = record.forced ? ` (escalated from ${exceptionName(record.natural)})` : '';
  lines.push(`${head}${escalated}: ${causeMeaning}`);
  let where = `  at PC ${hex8(pc)}`;
  if (address !== undefined) where += `, address ${hex8(address)}`;
  if (record.ipsr !== 0) where += `, in ${exceptionName(record.ipsr)} handler`;
  lines.push(where);
  if (record.detail) lines.push(`  ${record.detail}`);
  if (record.lockup) lines.push('  the fault happened at a priority where not even HardFault can run (in HardFault or NMI, or with FAULTMASK set): the core stopped');
  if (cfsrBits.length > 0) lines.push(`  CFSR ${hex8(cfsr)}: ${cfsrBits.map((b) => b.name).join(', ')}`);
  if (hfsrBits.length > 0) lines.push(`  HFSR ${hex8(hfsr)}: ${hfsrBits.map((b) => b.name).join(', ')}`);
  if (frame) {
    lines.push(`  stacked frame at ${hex8(frame.address)}: r0=${hex8(frame.r0)} r1=${hex8(frame.r1)} r2=${hex8(frame.r2)} r3=${hex8(frame.r3)}`);
    lines.push(`    r12=${hex8(frame.r12)} lr=${hex8(frame.lr)} pc=${hex8(frame.pc)} xpsr=${hex8(frame.xpsr)}`);
  }
  if (record.excReturn !== undefined) lines.push(`  EXC_RETURN ${hex8(record.excReturn)} (${describeExcReturn(record.excReturn)})`);

  const explanation: FaultExplanation = {
    kind, forced: record.forced, lockup: record.lockup, cause: String(record.kind), cfsr, hfsr, cfsrBits, hfsrBits,
    address, pc, lr, frame, excReturn: record.excReturn, detail: record.detail, text: lines.join('\n'),
  };
  return explanation;
}
