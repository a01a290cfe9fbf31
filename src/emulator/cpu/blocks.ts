// Straight-line blocks of decoded instructions compiled into one JavaScript function each: the
// common instructions become inline JavaScript (emit.ts) working on locals for the registers and
// flags, the others call their decoder closure; a run of instructions then costs one dispatch and
// no bookkeeping per instruction.
//
// A block runs exactly what Cpu.step would and stops where the interpreter loop would look around:
// - The cycle deadline (cpu.sliceEnd: the next timer event) is checked once on entry against the
//   cycles the block needs before its last instruction; if it may fall inside, the block does not
//   start (returns false) and the loop interprets up to the deadline instead.
// - Loads and stores go straight to the typed arrays of plain memory (the home region, where the
//   stack is, by constant bounds; any other through the bus's page table); anything else (a
//   device, an unaligned access, a data breakpoint's granule, a store to code, nothing mapped)
//   leaves the block just before the instruction, for the interpreter to run it. So requests for
//   attention (sliceEnd set to 0 by an NVIC write, SVC, WFI, a write to code, a data breakpoint)
//   only come from instructions run through their closures, after which the block checks again.
// - It leaves when the next PC is not the next instruction it holds (a taken branch, a return, a
//   closure that wrote the PC), unless that is one of its own instructions (a loop inside it) and
//   the loop would enter it there again. Such jumps become JavaScript loops and labelled blocks
//   when they nest (the JIT compiler then sees real loops), else a switch.
// - Counters: cycles and instructions are kept as small-integer offsets from the block's entry
//   and written out at every exit, exact as in the interpreter; a block looping inside itself
//   returns to the run loop every 2^20 cycles (so the JIT compiler's optimised code for it, once
//   ready, takes over from code it had to abandon). Before a closure runs, registers, flags, pc
//   and counters are written to the cpu, so a fault leaves cpu.pc at the faulting instruction
//   with nothing of it retired, as Cpu.step does.
// - Flag results are computed only where something may see them (see dropDeadFlagWrites).
// A block never starts inside an IT block (the loop only enters blocks with ITSTATE clear); an IT
// block whose instructions can all be emitted becomes conditional statements (planIt), any other
// ends its block at the IT instruction.

import type { RamRegion } from '../bus';
import type { Cpu } from './cpu';
import { opaqueDecoded, type Decoded, type Exec } from './decoded';
import { conditionSource, emitInstruction, type EmitContext, type Emitted, type RegionRef } from './emit';

/** What a block's run returns besides the PC it left for: it did nothing (the deadline or the
 *  instruction budget is too close for it, or its first instruction is a load or store the
 *  interpreter must run). */
export const BLOCK_REFUSED = -2;
/** It ran, and the loop must look around before going on (a closure ran last or changed the
 *  flow, an exception return, an IT block left open, a request for attention). */
export const BLOCK_LOOK = -1;

/** A compiled block: its margin and its code. */
export interface Block {
  /** Cycles the block may take before its last instruction: it does not start (run returns
   *  BLOCK_REFUSED) unless cpu.cycles + margin < cpu.sliceEnd and all its instructions fit in
   *  cpu.instructionEnd. */
  readonly margin: number;
  /** Runs the block: BLOCK_REFUSED, BLOCK_LOOK, or the (even, Thumb) PC it left for with nothing
   *  else for the loop to see, where the next block may start at once (it checks the deadline
   *  and the budget itself). */
  readonly run: (cpu: Cpu) => number;
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

type BlockFactory = (pages: unknown, codeFree: unknown, execs: Exec[], regions: readonly RamRegion[]) => (cpu: Cpu) => number;
/** Generated factories by source: the same program run again (a reset, a new Machine for the same
 *  firmware) reuses them instead of compiling its blocks again. Bounded (a source is a few KB). */
const MAX_FACTORIES = 2_000;
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
  /** Inside an IT block: the condition it runs under (else -1) and ITSTATE while it runs. */
  itCond: number;
  itState: number;
  /** For a `bx lr` returning from a call the block followed: LR as that BL set it. The block goes
   *  on at the return site (expected) when LR still holds it, and leaves otherwise. */
  returnTo?: number;
}

/** A context for a first look at an instruction (can it be emitted, what does it do). */
const probe: EmitContext = {
  get: (i) => `r${i}`,
  set: () => '',
  flags: () => {},
  bail: () => '',
  exit: () => '',
  exitTo: () => '',
  region: () => null,
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

/** What one instruction does to the block's locals, from a first emission (see Recorder). */
interface Effects {
  used: Set<number>;
  written: Set<number>;
  flags: boolean;
}

/** An EmitContext that only records which registers and flags an instruction touches. */
class Recorder implements EmitContext {
  readonly effects: Effects = { used: new Set(), written: new Set(), flags: false };
  get(i: number): string {
    this.effects.used.add(i);
    return `r${i}`;
  }
  set(i: number, expr: string): string {
    this.effects.used.add(i);
    this.effects.written.add(i);
    return `r${i} = (${expr}) | 0;`;
  }
  flags(): void {
    this.effects.flags = true;
  }
  bail(): string {
    return '';
  }
  exit(): string {
    return '';
  }
  exitTo(): string {
    return '';
  }
  region(): null {
    return null;
  }
}

/** The block counts cycles and instructions from its entry (c0, i0) in small integers, against
 *  limits made relative to the same origin: absolute counters soon outgrow the JIT compiler's
 *  small-integer arithmetic. Capped at `cap` cycles, so that the counts stay small and a block
 *  looping inside itself returns to the run loop now and then. The cap starts small and grows
 *  with each call up to 2^20: the first calls then reach the block's exits and their write-backs
 *  before the JIT compiler optimises the loop, which it would otherwise do without having seen
 *  them, and give up on again at every exit. Read again after every closure (one may move the
 *  deadline). */
/** The cycle cap of a block's first call (see LIMITS); above the margin of nearly every block (one
 *  with a larger margin is refused, and the interpreter steps, until the cap has grown past it). */
const FIRST_CAP = 1024;
const LIMITS = 'cl = Math.min(cpu.sliceEnd - c0, cap); il = Math.min(cpu.instructionEnd - i0, cap);';

const FLAG_LOCALS: [string, string][] = [['fn', 'n'], ['fz', 'z'], ['fc', 'c'], ['fv', 'v']];

/** Writes the JavaScript source of one block. When some exit goes to an instruction of the block
 *  itself (a loop inside it), that exit goes round again instead of leaving, under the same
 *  conditions the run loop would check before entering the block there: through JavaScript loops
 *  and labelled blocks when the jumps nest (see structure), else a switch on the instruction to
 *  start at. */
class BlockWriter implements EmitContext {
  /** Registers and flags that may differ from the cpu's before instruction i (write-backs). */
  private readonly dirty: { regs: number[]; flags: boolean }[] = [];
  private readonly used = new Set<number>();
  private readonly usesFlags: boolean;
  /** Instructions some exit may jump back to (by index), and their cycles before them. */
  readonly entries = new Set<number>();
  /** Jumps inside the block, [from, to] by index (to an entry). */
  private readonly jumps: [number, number][] = [];
  /** When the jumps nest (see structure): JavaScript loops and labelled blocks instead of a
   *  switch, which the JIT compiler turns into real loops. */
  private structured = false;
  private readonly indexOf = new Map<number, number>();
  private readonly cyclesBefore: number[] = [];
  /** Cycles before the block's last instruction: the entry check's margin. */
  readonly margin: number;
  private readonly count: number;
  /** The instruction being emitted: index, address, size, cycles before it, its cycles. */
  private index = 0;
  private address = 0;
  private size = 2;
  private before = 0;
  private cycles = 1;

  /** Regions the code addresses directly, by index in `memory.regions` (see region()). */
  readonly regionsUsed = new Set<number>();

  constructor(private readonly slots: Slot[], effects: (Effects | null)[], private readonly memory: BlockMemory) {
    this.count = slots.length;
    let before = 0;
    for (let i = 0; i < slots.length; i++) {
      this.indexOf.set(slots[i].address, i);
      this.cyclesBefore.push(before);
      before += slots[i].cycles + (slots[i].emitted?.extraCycles ?? 0);
    }
    this.margin = this.cyclesBefore[this.count - 1];
    this.entries.add(0);
    // Static exits back into the block: taken branches and where the block goes on at its end.
    let loops = false;
    for (let j = 0; j < slots.length; j++) {
      const slot = slots[j];
      for (const target of [slot.emitted?.branchTarget ?? -1, slot.expected]) {
        const k = this.indexOf.get(target);
        if (k === undefined || slots[k].itCond >= 0) continue;
        if (k === 0 || target !== slot.expected || slot === slots[this.count - 1]) {
          this.entries.add(k);
          this.jumps.push([j, k]);
          loops = true;
        }
      }
    }
    // A closure ending the block may go back to the start (a loop closed by BX or POP {pc}).
    if (slots[this.count - 1].emitted === null) {
      loops = true;
      this.jumps.push([this.count - 1, 0]);
    }
    const all = new Set<number>();
    let anyFlags = false;
    let written = new Set<number>();
    let flags = false;
    for (let i = 0; i < slots.length; i++) {
      const e = effects[i];
      if (e !== null) {
        for (const r of e.used) all.add(r);
        for (const r of e.written) written.add(r);
        if (e.flags) flags = anyFlags = true;
      }
      // What instruction i itself writes may be written back in its own slow paths: harmless,
      // the local still holds the cpu's value until the instruction writes it.
      this.dirty.push({ regs: [...written].sort((x, y) => x - y), flags });
      written = new Set(written);
    }
    if (loops) {
      const everything = { regs: [...written].sort((x, y) => x - y), flags: anyFlags };
      for (let i = 0; i < this.dirty.length; i++) this.dirty[i] = everything;
    }
    for (const r of all) this.used.add(r);
    this.usesFlags = anyFlags;
  }

  at(index: number): void {
    const slot = this.slots[index];
    this.index = index;
    this.address = slot.address;
    this.size = slot.size;
    this.before = this.cyclesBefore[index];
    this.cycles = slot.cycles + (slot.emitted?.extraCycles ?? 0);
  }

  get(i: number): string {
    return `r${i}`;
  }
  set(i: number, expr: string): string {
    return `r${i} = (${expr}) | 0;`;
  }
  flags(): void {}

  region(address?: number): RegionRef | null {
    const regions = this.memory.regions;
    const region = address === undefined ? this.memory.home : regions.find((r) => address >= r.base && address < r.end) ?? null;
    if (region === null || region.size === 0) return null;
    const index = regions.indexOf(region);
    this.regionsUsed.add(index);
    return { id: `M${index}`, base: region.base, size: region.size, writable: region.writable };
  }

  private writeBack(): string {
    const d = this.dirty[this.index];
    let out = d.regs.map((i) => `r[${i}] = r${i};`).join(' ');
    if (d.flags) out += ' ' + FLAG_LOCALS.map(([l, f]) => `cpu.${f} = ${l};`).join(' ');
    return out;
  }
  private reload(): string {
    let out = [...this.used].map((i) => `r${i} = r[${i}] | 0;`).join(' ');
    if (this.usesFlags) out += ' ' + FLAG_LOCALS.map(([l, f]) => `${l} = cpu.${f};`).join(' ');
    return out;
  }

  bail(): string {
    const it = this.slots[this.index].itCond >= 0 ? ` xi = ${this.slots[this.index].itState};` : '';
    return `{${it} xp = ${this.address}; xs = ${this.before}; xr = ${this.index}; break out; }`;
  }
  /** Statements that make the cpu object up to date (registers, flags, pc, counters) as if this
   *  instruction were about to run, for its closure. */
  private sync(): string {
    return `${this.writeBack()} cpu.pc = ${this.address}; cpu.nextPc = ${(this.address + this.size) >>> 0}; cpu.cycles = c0 + cyc + ${this.before}; cpu.instructions = i0 + ins + ${this.index};`;
  }
  exit(nextPc: number, extraCycles: number): string {
    return this.leave(nextPc, this.before + this.cycles + extraCycles);
  }
  exitTo(target: string): string {
    return `{ xt = (${target}) >>> 0; xp = -1; xs = ${this.before + this.cycles}; xr = ${this.index + 1}; break out; }`;
  }

  /** Go on at the static nextPc after `spent` cycles of this pass through the block and this
   *  instruction retired: round again inside the block when nextPc is one of its entries and the
   *  run loop would enter the block there, otherwise leave. */
  leave(nextPc: number, spent: number): string {
    const retired = this.index + 1;
    const out = `xp = ${nextPc}; xs = ${spent}; xr = ${retired}; break out;`;
    const k = this.indexOf.get(nextPc);
    if (k === undefined || !this.entries.has(k)) return `{ ${out} }`;
    // Re-based so that instruction k's cycles and count are as if the block had started there.
    const cycleShift = spent - this.cyclesBefore[k];
    const countShift = retired - k;
    const again = `cyc + ${cycleShift + this.margin} < cl && ins + ${countShift + this.count} <= il`;
    let go: string;
    if (this.structured) go = k <= this.index ? `continue L${k};` : `break F${k};`;
    else go = this.entries.size > 1 ? `at = ${k}; continue;` : 'continue;';
    return `{ if (${again}) { cyc += ${cycleShift}; ins += ${countShift}; ${go} } ${out} }`;
  }

  /** Leave for a next PC a closure computed (the locals were just reloaded). */
  leaveDynamic(spent: number): string {
    const retired = this.index + 1;
    // The closure may have left state the run loop must see (EXC_RETURN, EPSR.T, ITSTATE): xl.
    const out = `xp = t; xs = ${spent}; xr = ${retired}; xl = 1; break out;`;
    const again = `t === ${this.slots[0].address} && cpu.thumb && cpu.itState === 0 && cpu.pendingExceptionReturn === -1 && cyc + ${spent + this.margin} < cl && ins + ${retired + this.count} <= il`;
    let go: string;
    if (this.structured) go = 'continue L0;';
    else go = this.entries.size > 1 ? 'at = 0; continue;' : 'continue;';
    return `{ const t = cpu.nextPc; if (${again}) { cyc += ${spent}; ins += ${retired}; ${go} } ${out} }`;
  }

  /** Code for an instruction that runs through its closure e<index>. */
  callClosure(): string {
    const slot = this.slots[this.index];
    const last = this.index === this.count - 1;
    const lines = [this.sync(), `e${this.index}(cpu);`, `cyc = cpu.cycles - c0 - ${this.before};`, LIMITS, this.reload()];
    const spent = this.before + this.cycles;
    const retired = this.index + 1;
    if (last) {
      lines.push(this.leaveDynamic(spent));
    } else {
      lines.push(`if (cpu.nextPc !== ${slot.expected}) { cpu.cycles = c0 + cyc + ${spent}; cpu.instructions = i0 + ins + ${retired}; cpu.pc = cpu.nextPc; return -1; }`);
      lines.push(`if (cyc + ${this.margin} >= cl) { cpu.cycles = c0 + cyc + ${spent}; cpu.instructions = i0 + ins + ${retired}; cpu.pc = ${slot.expected}; return -1; }`);
    }
    return lines.join('\n');
  }

  /** Opening and closing statements around each instruction when every jump inside the block can
   *  be a JavaScript loop (a jump back to k from j: `Lk: for (;;) { k..j break; }`) or a labelled
   *  block (a jump forward to t from j: `Ft: { j..t-1 }`) and these nest; else null. */
  private structure(): { open: string[][]; close: string[][] } | null {
    const loopEnd = new Map<number, number>();
    const forwardStart = new Map<number, number>();
    for (const [from, to] of this.jumps) {
      if (to <= from) loopEnd.set(to, Math.max(loopEnd.get(to) ?? to, from));
      else forwardStart.set(to, Math.min(forwardStart.get(to) ?? from, from));
    }
    const spans: { start: number; end: number; open: string; close: string }[] = [];
    for (const [k, end] of loopEnd) spans.push({ start: k, end, open: `L${k}: for (;;) {`, close: 'break; }' });
    for (const [t, start] of forwardStart) spans.push({ start, end: t - 1, open: `F${t}: {`, close: '}' });
    // Outer spans first: by start, then the longer one.
    spans.sort((x, y) => x.start - y.start || y.end - x.end);
    const open: string[][] = this.slots.map(() => []);
    const close: string[][] = this.slots.map(() => []);
    const stack: { end: number }[] = [];
    for (const span of spans) {
      while (stack.length > 0 && stack[stack.length - 1].end < span.start) stack.pop();
      if (stack.length > 0 && stack[stack.length - 1].end < span.end) return null;
      stack.push(span);
      open[span.start].push(span.open);
      close[span.end].unshift(span.close);
    }
    return { open, close };
  }

  /** Source of the whole function. */
  write(profile: Cpu['profile']): string {
    const body: string[] = [];
    const plan = this.jumps.length > 0 ? this.structure() : null;
    this.structured = plan !== null;
    const switched = !this.structured && this.entries.size > 1;
    // Each instruction's code first (null: its closure), so that flag results nothing can see
    // are dropped before the block is put together.
    const codes: (string | null)[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = this.slots[i];
      this.at(i);
      if (slot.emitted === null) {
        codes.push(null);
        continue;
      }
      // Emitted again now that the writer knows where the instruction is (exits embed counts).
      // (An IT instruction has no code of its own: its slot's emitted form is made by planIt.)
      const emitted = slot.emitted.name === 'it' ? slot.emitted : emitInstruction(this, slot.hw1, slot.hw2, slot.address, profile) as Emitted;
      if (slot.returnTo !== undefined) codes.push(`if (r14 !== ${slot.returnTo | 0}) ${this.exitTo('r14')}`);
      else if (slot.itCond < 0) codes.push(emitted.code);
      else {
        // Inside an IT block the 16-bit instructions other than the comparisons do not set
        // flags (A7.7: setflags = !InITBlock()): their flag results go to a scratch local.
        const quiet = slot.size === 2 && !['cmp', 'cmn', 'tst'].includes(emitted.name);
        const code = quiet ? emitted.code.replace(/\bf([nzcv]) = /g, '_f = ') : emitted.code;
        codes.push(`if (${conditionSource(slot.itCond)}) { ${code} }`);
      }
    }
    dropDeadFlagWrites(codes);
    for (let i = 0; i < this.count; i++) {
      const slot = this.slots[i];
      this.at(i);
      if (plan !== null) body.push(...plan.open[i]);
      if (switched && this.entries.has(i)) body.push(`case ${i}:`);
      body.push(`// ${slot.address.toString(16)}: ${safeAsm(slot.decoded)}`);
      const code = codes[i];
      if (code === null) body.push(this.callClosure());
      else {
        body.push(code);
        if (i === this.count - 1) body.push(this.leave(slot.expected, this.before + this.cycles));
      }
      if (plan !== null) body.push(...plan.close[i]);
    }
    const used = [...this.used].sort((x, y) => x - y);
    const head = [
      'const r = cpu.r;',
      'const c0 = cpu.cycles, i0 = cpu.instructions;',
      'let cyc = 0, ins = 0, cl = 0, il = 0;',
      LIMITS,
      'if (cap < 0x100000) cap *= 2;',
      `if (${this.margin} >= cl || ${this.count} > il) return -2;`,
      'let a = 0, o = 0, R = null;',
    ];
    if (switched) head.push('let at = 0;');
    if (used.length > 0) head.push(`let ${used.map((i) => `r${i} = r[${i}] | 0`).join(', ')};`);
    if (this.usesFlags) head.push(`let ${FLAG_LOCALS.map(([l, f]) => `${l} = cpu.${f}`).join(', ')};`);
    // Every exit but a closure's comes here: one copy of the write-backs.
    head.push('let xp = 0, xs = 0, xr = 0, xt = 0, xl = 0;');
    const hasIt = this.slots.some((slot) => slot.itCond >= 0);
    if (hasIt) head.push('let xi = 0, _f = false;');
    const loop = switched ? `out: for (;;) {\nswitch (at) {\n${body.join('\n')}\n}\n}`
      : this.structured ? `out: {\n${body.join('\n')}\n}` : `out: for (;;) {\n${body.join('\n')}\n}`;
    this.index = this.count - 1;
    const tail = [
      this.writeBack(),
      'cpu.cycles = c0 + cyc + xs; cpu.instructions = i0 + ins + xr;',
      // BXWritePC's common case inline: to Thumb code, not EXC_RETURN.
      'let next = xp;',
      'if (xp < 0) { if ((xt & 1) !== 0 && (xt >>> 28) !== 0xf) next = xt - 1; else { cpu.bxWritePc(xt); cpu.pc = cpu.nextPc; return -1; } }',
      'cpu.pc = next;',
      ...(hasIt ? ['cpu.itState = xi;', 'if (xi !== 0) return -1;'] : []),
      'return ins + xr === 0 ? -2 : xl !== 0 ? -1 : next;',
    ];
    return `${head.join('\n')}\n${loop}\n${tail.join('\n')}`;
  }
}

/** The memory a block's code may address directly: the bus's regions and the home region. */
interface BlockMemory {
  regions: readonly RamRegion[];
  home: RamRegion | null;
}

/** The home region: where the stack is (most loads and stores go there or next to it). */
function homeRegion(cpu: Cpu): RamRegion | null {
  return cpu.bus.regionAt(cpu.r[13] - 4, 4) ?? cpu.bus.regions.find((r) => r.writable && r.size > 0) ?? null;
}

function sourceFor(slots: Slot[], profile: Cpu['profile'], memory: BlockMemory): { source: string; margin: number; prelude: string } {
  const effects = slots.map((slot) => {
    if (slot.emitted === null) return null;
    const recorder = new Recorder();
    if (slot.emitted.name !== 'it') emitInstruction(recorder, slot.hw1, slot.hw2, slot.address, profile);
    if (slot.itCond >= 0) recorder.flags();
    return recorder.effects;
  });
  const writer = new BlockWriter(slots, effects, memory);
  const source = writer.write(profile);
  // The regions addressed directly, bound once per block: `M<i>` and its typed arrays.
  const prelude = [...writer.regionsUsed].sort((x, y) => x - y)
    .map((i) => `const M${i} = regions[${i}], M${i}b = M${i}.bytes, M${i}h = M${i}.u16, M${i}w = M${i}.u32;`).join('\n');
  return { source, margin: writer.margin, prelude };
}

const FLAG_NAMES = ['fn', 'fz', 'fc', 'fv'];
const FLAG_WRITE = /\bf([nzcv]) = (?!=)[^;]*;/g;
const FLAG_READ = /\bf([nzcv])\b(?!\s*=(?!=))/g;

/** Drop flag assignments that a later instruction overwrites before anything can see them. Only
 *  straight-line code is looked at: an instruction that may leave the block or jump (any `if`,
 *  `break` or `continue` in its code: branches, loads and stores with their slow paths, IT
 *  blocks) or runs its closure counts as reading every flag, and only unconditional assignments
 *  (in code without an `if`) count as overwriting. */
function dropDeadFlagWrites(codes: (string | null)[]): void {
  let live = new Set(FLAG_NAMES);
  for (let i = codes.length - 1; i >= 0; i--) {
    const code = codes[i];
    if (code === null || i === codes.length - 1 || /\bif \(|\bbreak\b|\bcontinue\b/.test(code)) {
      live = new Set(FLAG_NAMES);
      continue;
    }
    const written = new Set([...code.matchAll(FLAG_WRITE)].map((m) => `f${m[1]}`));
    const dead = [...written].filter((f) => !live.has(f));
    let kept = code;
    if (dead.length > 0) {
      kept = code.replace(FLAG_WRITE, (statement, flag: string) => (dead.includes(`f${flag}`) ? '' : statement));
      codes[i] = kept;
    }
    // What is left reads its flags before writing them (a carry in); the rest are overwritten.
    const read = [...kept.replace(FLAG_WRITE, (statement) => statement.replace(/^f[nzcv] = /, '')).matchAll(FLAG_READ)].map((m) => `f${m[1]}`);
    for (const f of written) live.delete(f);
    for (const f of read) live.add(f);
  }
}

/** ITAdvance() (A7.3.2). */
function itAdvance(state: number): number {
  return (state & 7) === 0 ? 0 : (state & 0xe0) | ((state << 1) & 0x1f);
}

/** The slots of the IT block an IT instruction at address opens, when every instruction in it can
 *  be emitted as a conditional statement (no branches, no closures, no cycles that depend on
 *  being executed; a return only as the last one); else null and the IT instruction ends its
 *  block, its instructions going through the interpreter. */
function planIt(cpu: Cpu, region: RamRegion, address: number, d: Decoded, hw: number, visited: Set<number>): Slot[] | null {
  if (cpu.profile === 'v6m' || d.size !== 2 || (hw & 0xff00) !== 0xbf00 || (hw & 0xf) === 0) return null;
  let text: string;
  try {
    text = d.asm();
  } catch {
    return null;
  }
  if (!/^it[te]*$/.test(mnemonicOf(text))) return null;
  const slots: Slot[] = [];
  let a = address + 2;
  for (let state = hw & 0xff; state !== 0; state = itAdvance(state)) {
    // AL (and the UNPREDICTABLE 1111) is left to the interpreter.
    if (a + 2 > region.end || visited.has(a) || (state >>> 4) >= 14) return null;
    let inner: Decoded;
    try {
      inner = cpu.fetch(a);
    } catch {
      return null;
    }
    if (a + inner.size > region.end || opaqueDecoded.has(inner)) return null;
    const { emitted, hw1, hw2 } = emitChecked(cpu, region, a, inner);
    if (emitted === null || emitted.branchTarget >= 0 || emitted.extraCycles !== 0) return null;
    const next = (a + inner.size) >>> 0;
    if (emitted.leaves === true && itAdvance(state) !== 0) return null;
    slots.push({ address: a, size: inner.size, cycles: inner.cycles, expected: next, decoded: inner, hw1, hw2, emitted, itCond: state >>> 4, itState: state });
    a = next;
  }
  return slots;
}

function safeAsm(d: Decoded): string {
  try {
    return d.asm().replace(/[\r\n]|\*\//g, ' ');
  } catch {
    return '?';
  }
}

/** What LR holds after slot, as far as the block knows (see compileBlock's linkGuess). */
function linkAfter(slot: Slot, before: number, profile: Cpu['profile']): number {
  if (slot.emitted === null) return -1;
  if (slot.emitted.name === 'bl') return ((slot.address + 4) | 1) >>> 0;
  if (before < 0) return -1;
  const recorder = new Recorder();
  if (slot.emitted.name !== 'it') emitInstruction(recorder, slot.hw1, slot.hw2, slot.address, profile);
  return recorder.effects.written.has(14) ? -1 : before;
}

/** Compile the block starting at address in region (null if not even one instruction decodes).
 *  maxLength caps its instruction count (tests use it to run exactly a given number). */
export function compileBlock(cpu: Cpu, region: RamRegion, address: number, maxLength = MAX_BLOCK): Block | null {
  const slots: Slot[] = [];
  const visited = new Set<number>();
  let a = address;
  // LR as set by the last BL the block followed, while nothing since may have written it; -1 if
  // unknown. A `bx lr` then most likely returns to the instruction after that BL.
  let linkGuess = -1;
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
    const slot: Slot = { address: a, size: d.size, cycles: d.cycles, expected: next, decoded: d, hw1, hw2, emitted: opaqueDecoded.has(d) ? null : emitted, itCond: -1, itState: 0 };
    const it = emitted === null && !opaqueDecoded.has(d) ? planIt(cpu, region, a, d, hw1, visited) : null;
    if (it !== null && slots.length + 1 + it.length <= maxLength) {
      // The IT instruction itself only sets ITSTATE, which the conditions below stand for.
      slot.emitted = { code: '', name: 'it', extraCycles: 0, branchTarget: -1 };
      slots.push(slot, ...it);
      for (const s of it) visited.add(s.address);
      const last = it[it.length - 1];
      a = last.expected;
      continue;
    }
    slots.push(slot);
    if (slot.emitted?.name === 'bx' && (hw1 & 0x78) === 0x70 && linkGuess >= 0) {
      // bx lr back to the instruction after the BL: go on there (guarded at run time).
      const site = (linkGuess & ~1) >>> 0;
      if (site >= region.base && site + 2 <= region.end && !visited.has(site)) {
        slot.returnTo = linkGuess;
        slot.expected = site;
        linkGuess = -1;
        a = site;
        continue;
      }
    }
    linkGuess = linkAfter(slot, linkGuess, cpu.profile);
    const target = shape.target >= 0 ? shape.target : -1;
    if (target >= 0 && target !== address && target >= region.base && target + 2 <= region.end && !visited.has(target)) {
      slot.expected = target;
      a = target;
      continue;
    }
    if (target >= 0) slot.expected = target;
    a = next;
    // Emitted instructions never write the PC except as branches (which the shape covers) and
    // returns (which say so).
    if (slot.emitted?.leaves === true || (shape.ends && (slot.emitted === null || target >= 0))) break;
  }
  if (slots.length === 0 || !canCompile) return null;
  // The interpreter ran these instructions while this block was getting hot, so they are as hot
  // as its start: cool them down, or each would become the start of a block of its own although
  // from now on they only run inside this one.
  const heat = region.blockHeat;
  if (heat !== null) for (const slot of slots) if (slot.address !== address) heat[(slot.address - region.base) >> 1] = 0;
  const { source, margin, prelude } = sourceFor(slots, cpu.profile, { regions: cpu.bus.regions, home: homeRegion(cpu) });
  const key = `${prelude}\n${source}`;
  let factory = factories.get(key);
  try {
    if (factory === undefined) {
      const params = slots.flatMap((slot, i) => (slot.emitted === null ? [`e${i} = execs[${i}]`] : [])).join(', ');
      factory = new Function('pages', 'codeFree', 'execs', 'regions',
        `${params.length > 0 ? `const ${params};` : ''}\n${prelude}\nlet cap = ${FIRST_CAP};\nreturn function block_${address.toString(16)}(cpu) {\n${source}\n};`) as BlockFactory;
      // Bounded: a long-lived host that loads many programs must not keep every block it ever saw.
      if (factories.size >= MAX_FACTORIES) factories.clear();
      factories.set(key, factory);
    }
  } catch {
    // Generated code is refused where the host forbids it (a content security policy without
    // 'unsafe-eval'): the interpreter then runs everything.
    canCompile = false;
    return null;
  }
  const run = factory(cpu.bus.pages, codeFree, slots.map((s) => s.decoded.exec), cpu.bus.regions);
  return { margin, run };
}
