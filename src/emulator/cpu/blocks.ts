// Straight-line blocks of decoded instructions compiled into one JavaScript function each, so that a
// run of instructions costs one dispatch instead of one per instruction, and the per-instruction
// closures are called from call sites that only ever see one target (the engine can inline them).
//
// A block runs exactly what Cpu.step would, instruction by instruction, and stops at the same
// points the interpreter loop would look around: after every instruction it leaves when the next
// PC is not the next instruction (a branch, an exception return, an interworking change) or when
// the run loop's deadline has come (cpu.cycles >= cpu.sliceEnd: a timer event, or a request for
// attention such as an NVIC write, SVC, WFI or a write to code). Faults propagate with cpu.pc at
// the faulting instruction and nothing retired, as in Cpu.step. Blocks never contain an
// instruction inside an IT block (the loop only enters them with ITSTATE clear, and an IT
// instruction ends its block), so no per-instruction condition checks are needed.

import type { RamRegion } from '../bus';
import type { Cpu } from './cpu';
import type { Decoded, Exec } from './decoded';

/** A compiled block: its instruction count (for maxInstructions) and its code. */
export interface Block {
  readonly length: number;
  readonly run: Exec;
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

type BlockFactory = (...execs: Exec[]) => Exec;
/** Generated factories by shape (addresses, sizes, cycles): the same program run again (a reset, a
 *  new Machine for the same firmware) reuses them instead of compiling its blocks again. */
const MAX_FACTORIES = 20_000;
const factories = new Map<string, BlockFactory>();
/** False once the host refused to compile generated code. */
let canCompile = true;

function factoryFor(addresses: number[], sizes: number[], cycles: number[], expected: number[]): BlockFactory {
  const key = addresses.join(',') + '|' + sizes.join(',') + '|' + cycles.join(',') + '|' + expected.join(',');
  let factory = factories.get(key);
  if (factory !== undefined) return factory;
  const params: string[] = [];
  const lines: string[] = [];
  const start = addresses[0];
  const count = addresses.length;
  for (let i = 0; i < count; i++) {
    const next = (addresses[i] + sizes[i]) >>> 0;
    params.push(`e${i}`);
    lines.push(`cpu.pc = ${addresses[i]}; cpu.nextPc = ${next}; e${i}(cpu); cpu.cycles += ${cycles[i]}; cpu.instructions++;`);
    if (i < count - 1) lines.push(`if (cpu.nextPc !== ${expected[i]} || cpu.cycles >= cpu.sliceEnd) break;`);
  }
  // A block that branches back to its own start (a loop) goes round again without returning to
  // the dispatcher, under the same conditions the dispatcher would check before entering it.
  lines.push(`if (cpu.nextPc !== ${start} || cpu.cycles >= cpu.sliceEnd || cpu.instructions + ${count} > cpu.instructionEnd || !cpu.thumb) break;`);
  const source = `return function block_${start.toString(16)}(cpu) {\nfor (;;) {\n${lines.join('\n')}\n}\ncpu.pc = cpu.nextPc;\n};`;
  factory = new Function(...params, source) as BlockFactory;
  // Bounded: a long-lived host that loads many programs must not keep every block it ever saw.
  if (factories.size >= MAX_FACTORIES) factories.clear();
  factories.set(key, factory);
  return factory;
}

/** Compile the block starting at address in region (null if not even one instruction decodes). */
export function compileBlock(cpu: Cpu, region: RamRegion, address: number): Block | null {
  const execs: Exec[] = [];
  const addresses: number[] = [];
  const sizes: number[] = [];
  const cycles: number[] = [];
  /** Where each instruction goes on when the block continues: the next instruction, or the
   *  target of a B or BL the block follows (a taken branch is just another instruction). */
  const expected: number[] = [];
  const visited = new Set<number>();
  let a = address;
  while (execs.length < MAX_BLOCK && a + 2 <= region.end && !visited.has(a)) {
    let d: Decoded;
    try {
      d = cpu.fetch(a);
    } catch {
      break;
    }
    if (a + d.size > region.end) break;
    visited.add(a);
    const shape = shapeOf(d);
    execs.push(d.exec);
    addresses.push(a);
    sizes.push(d.size);
    cycles.push(d.cycles);
    const next = (a + d.size) >>> 0;
    if (shape.target >= 0 && shape.target !== address && shape.target >= region.base && shape.target + 2 <= region.end && !visited.has(shape.target)) {
      expected.push(shape.target);
      a = shape.target;
      continue;
    }
    expected.push(next);
    a = next;
    if (shape.ends) break;
  }
  if (execs.length === 0 || !canCompile) return null;
  let run: Exec;
  try {
    run = factoryFor(addresses, sizes, cycles, expected)(...execs);
  } catch {
    // Generated code is refused where the host forbids it (a content security policy without
    // 'unsafe-eval'): the interpreter then runs everything.
    canCompile = false;
    return null;
  }
  return { length: execs.length, run };
}
