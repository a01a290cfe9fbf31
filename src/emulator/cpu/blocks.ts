// Straight-line blocks of decoded instructions compiled into one JavaScript function each: the
// common instructions become inline JavaScript (emit.ts) working on locals for the registers and
// flags, the others call their decoder closure; a run of instructions then costs one dispatch and
// no bookkeeping per instruction.
//
// A block runs exactly what Cpu.step would and stops where the interpreter loop would look around:
// - The cycle deadline (cpu.sliceEnd: the next timer event) is checked once on entry against the
//   cycles the block needs before its last instruction; if it may fall inside, the block does not
//   start (returns false) and the loop steps instead. Requests for attention (an NVIC write, SVC,
//   WFI, a write to code, a data breakpoint) set sliceEnd to 0 and only come from closures and
//   from the slow paths of loads and stores, after which the block checks again and leaves.
// - It leaves when the next PC is not the next instruction it holds (a taken branch, a closure
//   that wrote the PC).
// - Counters: cycles and instructions are kept as offsets from the block's start and written out
//   at every exit, exact as in the interpreter. Before anything that may throw (a slow load or
//   store, a closure), registers, flags, pc and counters are written to the cpu, so a fault leaves
//   cpu.pc at the faulting instruction with nothing of it retired, as Cpu.step does.
// Blocks never contain an instruction inside an IT block (the loop only enters them with ITSTATE
// clear, and an IT instruction ends its block), so no per-instruction condition checks are needed.

import type { RamRegion } from '../bus';
import type { Cpu } from './cpu';
import { opaqueDecoded, type Decoded, type Exec } from './decoded';
import { emitInstruction, type EmitContext, type Emitted } from './emit';

/** A compiled block: its instruction count (for maxInstructions) and its code, which returns false
 *  without doing anything when the cycle deadline is too close to run the whole block. */
export interface Block {
  readonly length: number;
  readonly run: (cpu: Cpu) => boolean;
}

/** Longest block; long enough to amortise the dispatch, short enough to compile quickly. */
const MAX_BLOCK = 48;

/** Mnemonics after which a block ends even if the next PC is the next instruction: they can change
 *  state the loop must see before going on (EPSR.T, ITSTATE, masks, sleep), are rare, or never
 *  fall through (b, bl). Conditional branches (b<cond>, cbz, cbnz) do not end a block: taken,
 *  they leave it through the next-PC check; not taken, the block goes on. */
const ENDS_BLOCK = /^(b|bl|blx|bx|tbb|tbh|it[te]*|svc|bkpt|udf|wfi|wfe|sev|cpsi[de]|msr|mrs|isb|dsb|dmb|pop|ldm|ldmia|ldmdb|ldmfd|ldmea)$/;

function mnemonicOf(text: string): string {
  const m = /^[a-z0-9]+/.exec(text);
  return m === null ? '' : m[0];
}

/** What compiling a block needs to know about one instruction, from its disassembly. */
interface Shape {
  /** It must be the last instruction of its block (see ENDS_BLOCK), or may write the PC. */
  ends: boolean;
  /** For B and BL with a target known at decode time: the target (the block goes on there). */
  target: number;
}

const DIRECT_BRANCH = /^(b|bl)(\.[nw])? 0x([0-9a-f]+)/;

function shapeOf(d: Decoded): Shape {
  let text: string;
  try {
    text = d.asm();
  } catch {
    return { ends: true, target: -1 };
  }
  const branch = DIRECT_BRANCH.exec(text);
  if (branch !== null) return { ends: true, target: parseInt(branch[3], 16) };
  const mnemonic = mnemonicOf(text);
  if (mnemonic === '' || ENDS_BLOCK.test(mnemonic)) return { ends: true, target: -1 };
  // Any other instruction that names the PC (mov pc, ldr pc, add pc...) may write it.
  return { ends: /\bpc\b/.test(text.replace(/\[pc[^\]]*\]/g, '')), target: -1 };
}

type BlockFactory = (pages: unknown, codeFree: unknown, execs: Exec[]) => (cpu: Cpu) => boolean;
/** Generated factories by source: the same program run again (a reset, a new Machine for the same
 *  firmware) reuses them instead of compiling its blocks again. */
const MAX_FACTORIES = 20_000;
const factories = new Map<string, BlockFactory>();
/** False once the host refused to compile generated code. */
let canCompile = true;

/** No decoded instruction covers the halfword at byte offset o or the one after it (a store there
 *  does not change code). */
function codeFree(decoded: unknown[], o: number): boolean {
  const h = o >> 1;
  return decoded[h] === undefined && decoded[h + 1] === undefined && (h === 0 || decoded[h - 1] === undefined);
}

/** One instruction of a block being compiled. */
interface Slot {
  address: number;
  size: number;
  cycles: number;
  /** Where the block goes on after it. */
  expected: number;
  decoded: Decoded;
  hw1: number;
  hw2: number;
  emitted: Emitted | null;
}

/** A context for a first look at an instruction (can it be emitted, what does it do). */
const probe: EmitContext = {
  get: (i) => `r${i}`,
  set: () => '',
  flags: () => {},
  sync: () => '',
  exit: () => '',
};

/** The instruction's emitted form if the decoder agrees on what it is (else null: call the closure). */
function emitChecked(cpu: Cpu, region: RamRegion, address: number, d: Decoded): { emitted: Emitted | null; hw1: number; hw2: number } {
  const offset = address - region.base;
  const hw1 = region.view.getUint16(offset, true);
  const hw2 = address + 4 <= region.end ? region.view.getUint16(offset + 2, true) : 0;
  const emitted = emitInstruction(probe, hw1, hw2, address, cpu.profile);
  if (emitted === null) return { emitted, hw1, hw2 };
  let text: string;
  try {
    text = d.asm();
  } catch {
    return { emitted: null, hw1, hw2 };
  }
  return { emitted: mnemonicOf(text) === emitted.name ? emitted : null, hw1, hw2 };
}

const SYNC = '\u0001';
const RELOAD = '\u0002';

/** Writes the JavaScript source of one block. */
class BlockWriter implements EmitContext {
  private readonly used = new Set<number>();
  private readonly written = new Set<number>();
  private usesFlags = false;
  /** The instruction being emitted: index, address, size, cycles before it (static part). */
  private index = 0;
  private address = 0;
  private size = 2;
  private before = 0;
  private cycles = 1;

  constructor(
    private readonly start: number,
    private readonly count: number,
    /** Cycles before the block's last instruction: the entry check's margin. */
    private readonly margin: number,
  ) {}

  at(index: number, address: number, size: number, before: number, cycles: number): void {
    this.index = index;
    this.address = address;
    this.size = size;
    this.before = before;
    this.cycles = cycles;
  }

  get(i: number): string {
    this.used.add(i);
    return `r${i}`;
  }
  set(i: number, expr: string): string {
    this.used.add(i);
    this.written.add(i);
    return `r${i} = (${expr}) | 0;`;
  }
  flags(): void {
    this.usesFlags = true;
  }
  sync(): string {
    return `${SYNC} cpu.pc = ${this.address}; cpu.nextPc = ${(this.address + this.size) >>> 0}; cpu.cycles = cyc + ${this.before}; cpu.instructions = ins + ${this.index};`;
  }
  exit(nextPc: number, extraCycles: number): string {
    return this.leave(String(nextPc), nextPc === this.start, this.before + this.cycles + extraCycles, this.index + 1, true);
  }

  /** Leave after `retired` instructions and `spent` cycles (from the block's start) for nextPc,
   *  or go round again when it is the block's start and the loop would enter it again. */
  leave(nextPc: string, maybeStart: boolean, spent: number, retired: number, sync: boolean): string {
    const out = `${sync ? SYNC : ''} cpu.cycles = cyc + ${spent}; cpu.instructions = ins + ${retired}; cpu.pc = ${nextPc}; return true;`;
    if (!maybeStart) return `{ ${out} }`;
    const again = `cyc + ${spent + this.margin} < cpu.sliceEnd && ins + ${retired + this.count} <= cpu.instructionEnd`;
    const test = nextPc === String(this.start) ? again : `${nextPc} === ${this.start} && ${again}`;
    return `{ if (${test}) { cyc += ${spent}; ins += ${retired}; continue; } ${out} }`;
  }

  /** Source of the whole function from the instructions' code. */
  finish(body: string[]): string {
    const used = [...this.used].sort((a, b) => a - b);
    const written = [...this.written].sort((a, b) => a - b);
    const flagNames = [['fn', 'n'], ['fz', 'z'], ['fc', 'c'], ['fv', 'v']];
    let sync = written.map((i) => `r[${i}] = r${i};`).join(' ');
    let reload = used.map((i) => `r${i} = r[${i}] | 0;`).join(' ');
    const head = [
      'const r = cpu.r;',
      'let cyc = cpu.cycles;',
      `if (cyc + ${this.margin} >= cpu.sliceEnd) return false;`,
      'let ins = cpu.instructions;',
      'let a = 0, o = 0, R = null;',
    ];
    if (used.length > 0) head.push(`let ${used.map((i) => `r${i} = r[${i}] | 0`).join(', ')};`);
    if (this.usesFlags) {
      head.push(`let ${flagNames.map(([l, f]) => `${l} = cpu.${f}`).join(', ')};`);
      sync += ' ' + flagNames.map(([l, f]) => `cpu.${f} = ${l};`).join(' ');
      reload += ' ' + flagNames.map(([l, f]) => `${l} = cpu.${f};`).join(' ');
    }
    const source = `${head.join('\n')}\nfor (;;) {\n${body.join('\n')}\n}`;
    return source.split(SYNC).join(sync).split(RELOAD).join(reload);
  }

  /** Code for an instruction that runs through its closure e<index>. */
  callClosure(expected: number, last: boolean): string {
    const lines = [
      `${SYNC} cpu.pc = ${this.address}; cpu.nextPc = ${(this.address + this.size) >>> 0}; cpu.cycles = cyc + ${this.before}; cpu.instructions = ins + ${this.index};`,
      `e${this.index}(cpu);`,
      `cyc = cpu.cycles - ${this.before};`,
      RELOAD,
    ];
    const spent = this.before + this.cycles;
    if (last) {
      lines.push(`{ const t = cpu.nextPc; ${this.leave('t', true, spent, this.index + 1, false)} }`);
    } else {
      lines.push(`if (cpu.nextPc !== ${expected}) ${this.leave('cpu.nextPc', false, spent, this.index + 1, false)}`);
      lines.push(`if (cyc + ${this.margin} >= cpu.sliceEnd) ${this.leave(String(expected), false, spent, this.index + 1, false)}`);
    }
    return lines.join('\n');
  }
}

function sourceFor(slots: Slot[], profile: Cpu['profile']): string {
  const count = slots.length;
  let margin = 0;
  for (let i = 0; i < count - 1; i++) margin += slots[i].cycles + (slots[i].emitted?.extraCycles ?? 0);
  const writer = new BlockWriter(slots[0].address, count, margin);
  const body: string[] = [];
  let before = 0;
  for (let i = 0; i < count; i++) {
    const slot = slots[i];
    const last = i === count - 1;
    writer.at(i, slot.address, slot.size, before, slot.cycles + (slot.emitted?.extraCycles ?? 0));
    body.push(`// ${slot.address.toString(16)}: ${safeAsm(slot.decoded)}`);
    if (slot.emitted === null) {
      body.push(writer.callClosure(slot.expected, last));
    } else {
      // Emit again now that the writer knows where this instruction is (exits embed its counts).
      const emitted = emitInstruction(writer, slot.hw1, slot.hw2, slot.address, profile) as Emitted;
      body.push(emitted.code);
      const spent = before + slot.cycles + emitted.extraCycles;
      if (last) body.push(writer.leave(String(slot.expected), slot.expected === slots[0].address, spent, i + 1, true));
      else if (emitted.mayRequestAttention) body.push(`if (cyc + ${margin} >= cpu.sliceEnd) ${writer.leave(String(slot.expected), false, spent, i + 1, true)}`);
    }
    before += slot.cycles + (slot.emitted?.extraCycles ?? 0);
  }
  return writer.finish(body);
}

function safeAsm(d: Decoded): string {
  try {
    return d.asm().replace(/[\r\n]|\*\//g, ' ');
  } catch {
    return '?';
  }
}

/** Compile the block starting at address in region (null if not even one instruction decodes).
 *  maxLength caps its instruction count (tests use it to run exactly a given number). */
export function compileBlock(cpu: Cpu, region: RamRegion, address: number, maxLength = MAX_BLOCK): Block | null {
  const slots: Slot[] = [];
  const visited = new Set<number>();
  let a = address;
  while (slots.length < maxLength && a + 2 <= region.end && !visited.has(a)) {
    let d: Decoded;
    try {
      d = cpu.fetch(a);
    } catch {
      break;
    }
    if (a + d.size > region.end) break;
    visited.add(a);
    const shape = shapeOf(d);
    const { emitted, hw1, hw2 } = emitChecked(cpu, region, a, d);
    const next = (a + d.size) >>> 0;
    const slot: Slot = { address: a, size: d.size, cycles: d.cycles, expected: next, decoded: d, hw1, hw2, emitted: opaqueDecoded.has(d) ? null : emitted };
    slots.push(slot);
    const target = shape.target >= 0 ? shape.target : -1;
    if (target >= 0 && target !== address && target >= region.base && target + 2 <= region.end && !visited.has(target)) {
      slot.expected = target;
      a = target;
      continue;
    }
    if (target >= 0) slot.expected = target;
    a = next;
    // Emitted instructions never write the PC except as branches (which the shape covers).
    if (shape.ends && (slot.emitted === null || target >= 0)) break;
  }
  if (slots.length === 0 || !canCompile) return null;
  const source = sourceFor(slots, cpu.profile);
  let factory = factories.get(source);
  try {
    if (factory === undefined) {
      const params = slots.map((_, i) => `e${i} = execs[${i}]`).join(', ');
      factory = new Function('pages', 'codeFree', 'execs',
        `${params.length > 0 ? `const ${params};` : ''}\nreturn function block_${address.toString(16)}(cpu) {\n${source}\n};`) as BlockFactory;
      // Bounded: a long-lived host that loads many programs must not keep every block it ever saw.
      if (factories.size >= MAX_FACTORIES) factories.clear();
      factories.set(source, factory);
    }
  } catch {
    // Generated code is refused where the host forbids it (a content security policy without
    // 'unsafe-eval'): the interpreter then runs everything.
    canCompile = false;
    return null;
  }
  const run = factory(cpu.bus.pages, codeFree, slots.map((s) => s.decoded.exec));
  return { length: slots.length, run };
}
