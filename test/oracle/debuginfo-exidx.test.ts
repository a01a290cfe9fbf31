// Differential test of the .ARM.exidx reader: every entry's decoded opcodes against
// `arm-none-eabi-readelf -u`, and unwinding with the index against unwinding with .debug_frame at
// real stack states (a gcc -funwind-tables program run on the emulator, checked at every call
// instruction, where the prologue has run and the epilogue has not started).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readElf, type ElfFile } from '../../src/debuginfo/elf';
import { dwarfSectionsOf } from '../../src/debuginfo/dwarf/sections';
import { FrameTable } from '../../src/debuginfo/dwarf/frame';
import { ExidxTable, decodeExidxOpcodes, describeExidxOp, type ExidxEntry } from '../../src/debuginfo/arm-exidx';
import { Machine } from '../../src/emulator/machine';
import { chipById } from '../../src/emulator/chips/index';
import { ProgramInfo } from '../../src/adapter/program-info';
import { unwindPhysical } from '../../src/adapter/unwind';
import { skipUnlessOracle, hasTool } from './oracles';
import { oracleElfs } from './debuginfo-oracle-elfs';

const SOURCE = String.raw`
volatile int sink;
__attribute__((noinline)) int leaf(int a) { sink = a; return a + 1; }
__attribute__((noinline)) int many(int a, int b, int c, int d) {
  int x = a * b, y = c * d, z = a + d, w = b - c, u = a ^ c, v = b | d, t = x + y;
  for (int i = 0; i < a; i++) { x += leaf(y + i); y ^= leaf(z); z += leaf(w); w -= leaf(u); u += leaf(v); v ^= leaf(t); t += leaf(i); }
  return x + y + z + w + u + v + t;
}
__attribute__((noinline)) int big(int n) { volatile char buf[600]; for (int i = 0; i < n && i < 600; i++) buf[i] = i; return leaf(buf[n & 511]) + 1; }
__attribute__((noinline)) int dyn(int n) { volatile char *p = __builtin_alloca(n); p[0] = 1; return leaf(p[n - 1]); }
__attribute__((noinline)) int nested(int n) { return n > 0 ? nested(n - 1) + leaf(n) : many(1, 2, 3, 4); }
#ifdef FLOATS
__attribute__((noinline)) int vp(int a) { __asm__ volatile("" ::: "s16", "s17", "s18", "s19", "r4"); return leaf(a) + 1; }
#define VP(x) vp(x)
#else
#define VP(x) 0
#endif
int main(void) { sink = many(3, 4, 5, 6) + big(7) + dyn(9) + nested(3) + VP(2); __asm__ volatile("bkpt #0"); while (1) {} }
void Reset_Handler(void) {
#ifdef FLOATS
  *(volatile unsigned *)0xE000ED88 |= 0xFu << 20; /* CPACR: enable CP10/CP11 */
#endif
  main();
}
__attribute__((section(".vectors"))) void *const vectors[2] = { (void *)0x20001000, (void *)Reset_Handler };
void __aeabi_unwind_cpp_pr0(void) {}
void __aeabi_unwind_cpp_pr1(void) {}
void __aeabi_unwind_cpp_pr2(void) {}
`;

const LINKER_SCRIPT = `MEMORY { FLASH : ORIGIN = 0, LENGTH = 64K  RAM : ORIGIN = 0x20000000, LENGTH = 8K }
ENTRY(Reset_Handler)
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text*) *(.rodata*) } > FLASH
  .data : { *(.data*) } > RAM AT > FLASH
  .bss : { *(.bss*) *(COMMON) } > RAM
}
`;

interface Built {
  name: string;
  path: string;
  chip: string;
}

const BUILDS: Array<{ name: string; chip: string; flags: string[]; noDebug?: boolean }> = [
  { name: 'm4f-O2', chip: 'cortex-m4', flags: ['-mcpu=cortex-m4', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard', '-O2', '-DFLOATS'] },
  { name: 'm3-O1', chip: 'cortex-m3', flags: ['-mcpu=cortex-m3', '-O1'] },
  { name: 'm3-O0', chip: 'cortex-m3', flags: ['-mcpu=cortex-m3', '-O0'] },
  { name: 'm0-Og', chip: 'cortex-m0', flags: ['-mcpu=cortex-m0', '-Og'] },
];
// The same programs without debug info: only the exception index can unwind them.
const STRIPPED = BUILDS.map((b) => ({ ...b, name: `${b.name}-g0`, noDebug: true }));

let built: Built[] | undefined;
function buildPrograms(): Built[] {
  if (built) return built;
  return (built = compile(BUILDS));
}
let stripped: Built[] | undefined;
function buildStripped(): Built[] {
  return (stripped ??= compile(STRIPPED));
}
function compile(builds: typeof BUILDS): Built[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exidx-oracle-'));
  fs.writeFileSync(path.join(dir, 'exidx.c'), SOURCE);
  fs.writeFileSync(path.join(dir, 'exidx.ld'), LINKER_SCRIPT);
  return builds.map((b) => {
    const out = path.join(dir, `exidx-${b.name}.elf`);
    const r = spawnSync('arm-none-eabi-gcc', ['-mthumb', ...b.flags, b.noDebug ? '-g0' : '-g', '-funwind-tables', '-nostdlib', '-T', path.join(dir, 'exidx.ld'), path.join(dir, 'exidx.c'), '-o', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`arm-none-eabi-gcc failed for ${b.name}: ${r.stderr}`);
    return { name: b.name, path: out, chip: b.chip };
  });
}

/** The adapter's physical frames (pc, cfa) at the first `hits` stops at `leaf`, for one ELF. */
function stacksAtLeaf(b: Built, hits: number): string[] {
  const bytes = new Uint8Array(fs.readFileSync(b.path));
  const program = ProgramInfo.fromBytes(bytes, b.path);
  const m = Machine.fromElf(chipById(b.chip), bytes, b.path);
  const leaf = program.elf.symbolByName('leaf')!.address & ~1;
  m.addBreakpoint(leaf);
  const out: string[] = [];
  for (let k = 0; k < hits; k++) {
    // The program ends at a BKPT of its own.
    if (m.run({ maxInstructions: 1_000_000 }).reason !== 'breakpoint' || m.cpu.pc !== leaf) break;
    out.push(unwindPhysical(m, program).map((f) => `${f.pc.toString(16)}/${f.cfa.toString(16)}`).join(' <- '));
    m.step();
  }
  return out;
}

interface OracleEntry {
  start: number;
  cantunwind: boolean;
  opcodes: string[];
}

/** Parses `readelf -u`: each entry's address and its opcode lines ("0xa9      pop {r4, r5, r14}"). */
function readelfUnwind(elfPath: string): OracleEntry[] {
  const r = spawnSync('arm-none-eabi-readelf', ['-u', elfPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`readelf -u failed: ${r.stderr}`);
  const out: OracleEntry[] = [];
  let cur: OracleEntry | undefined;
  for (const line of r.stdout.split('\n')) {
    const head = /^0x([0-9a-f]+) <[^>]*>: (.*)$/.exec(line);
    if (head) {
      cur = { start: parseInt(head[1], 16), cantunwind: /cantunwind/.test(head[2]), opcodes: [] };
      out.push(cur);
      continue;
    }
    const op = /^ {2}((?:0x[0-9a-f]{2} ?)+)\s+(\S.*)$/.exec(line);
    if (op && cur) cur.opcodes.push(`${op[1].trim()} ${op[2].trim()}`);
  }
  return out;
}

/** Our decoding in readelf's layout: every byte of the entry, padding "finish" bytes included. */
function ourOpcodes(entry: ExidxEntry): string[] {
  const out: string[] = [];
  let rest = entry.opcodes;
  while (rest.length > 0) {
    const ins = decodeExidxOpcodes(rest);
    for (const i of ins) {
      const bytes = Array.from(rest.subarray(i.offset, i.offset + i.length), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
      out.push(`${bytes} ${describeExidxOp(i.op)}`);
    }
    const used = ins.length ? ins[ins.length - 1].offset + ins[ins.length - 1].length : rest.length;
    rest = rest.subarray(used);
  }
  return out;
}

function load(p: string): ElfFile {
  return readElf(new Uint8Array(fs.readFileSync(p)), p);
}

function checkOpcodes(elfPath: string): number {
  const elf = load(elfPath);
  const table = ExidxTable.read(elf);
  const expected = readelfUnwind(elfPath);
  assert.equal(table?.entries.length ?? 0, expected.length, 'entry count');
  let checked = 0;
  for (const e of expected) {
    const ours = table!.entryFor(e.start);
    assert.ok(ours && ours.start === e.start, `no entry at 0x${e.start.toString(16)}`);
    assert.equal(ours.model === 'cantunwind', e.cantunwind, `0x${e.start.toString(16)}: cantunwind`);
    // readelf decodes a generic entry's data only for the personality routines it knows.
    if (ours.model === 'generic' && e.opcodes.length === 0) continue;
    assert.deepEqual(ourOpcodes(ours), e.opcodes, `opcodes of the entry at 0x${e.start.toString(16)}`);
    checked++;
  }
  return checked;
}

/** A call instruction at `pc`: BL (32-bit) or BLX register. */
function isCallAt(m: Machine, pc: number): boolean {
  const h1 = m.peek(pc, 2);
  if (h1 === null) return false;
  if ((h1 & 0xff87) === 0x4780) return true;
  const h2 = m.peek(pc + 2, 2);
  return h2 !== null && (h1 & 0xf800) === 0xf000 && (h2 & 0xd000) === 0xd000;
}

interface Comparison {
  states: number;
  functions: Set<number>;
}

/** Steps the program and, at each call instruction inside a function with an index entry,
 *  compares the caller's SP, PC and restored registers from both unwinders. */
function compareUnwinding(b: Built): Comparison {
  const bytes = new Uint8Array(fs.readFileSync(b.path));
  const elf = readElf(bytes, b.path);
  const exidx = ExidxTable.read(elf)!;
  const frames = FrameTable.read(dwarfSectionsOf(elf));
  const m = Machine.fromElf(chipById(b.chip), bytes, b.path);
  const word = (a: number) => m.peek(a >>> 0, 4);
  const result: Comparison = { states: 0, functions: new Set() };
  const problems: string[] = [];
  let stop = 'limit';
  for (let n = 0; n < 200000; n++) {
    const pc = m.cpu.pc >>> 0;
    const entry = exidx.entryFor(pc);
    // Leaf functions (no opcodes but "finish") can be checked anywhere; others at their calls.
    const leaf = entry && exidx.instructions(entry).every((i) => i.op.kind === 'finish');
    if (entry && entry.model !== 'cantunwind' && (leaf || isCallAt(m, pc))) {
      const row = frames.rowAt(pc);
      if (row && row.cfa.kind === 'register') {
        const regs = new Uint32Array(16);
        for (let i = 0; i < 15; i++) regs[i] = m.cpu.r[i];
        regs[15] = pc;
        const cfa = (regs[row.cfa.register] + row.cfa.offset) >>> 0;
        const cfiRegs = new Uint32Array(regs);
        for (const [reg, rule] of row.registers) {
          if (reg < 16 && rule.kind === 'offset') cfiRegs[reg] = word(cfa + rule.offset) ?? 0xdeadbeef;
        }
        const ours = exidx.unwind(pc, regs, 0xffff, word);
        const where = `${b.name} pc=0x${pc.toString(16)}`;
        if (!ours) problems.push(`${where}: exidx could not unwind`);
        else {
          if (ours.cfa !== cfa) problems.push(`${where}: caller SP exidx 0x${ours.cfa.toString(16)}, CFI 0x${cfa.toString(16)}`);
          if ((ours.registers[15] & ~1) !== (cfiRegs[14] & ~1)) problems.push(`${where}: caller PC exidx 0x${ours.registers[15].toString(16)}, CFI 0x${cfiRegs[14].toString(16)}`);
          for (const [reg, rule] of row.registers) {
            if (reg >= 4 && reg <= 11 && rule.kind === 'offset' && ours.registers[reg] !== cfiRegs[reg]) problems.push(`${where}: r${reg} exidx 0x${ours.registers[reg].toString(16)}, CFI 0x${cfiRegs[reg].toString(16)}`);
          }
          result.states++;
          result.functions.add(entry.start);
        }
      }
    }
    const r = m.step();
    if (r.reason !== 'limit') {
      stop = r.reason;
      break;
    }
  }
  assert.equal(stop, 'breakpoint', `${b.name}: the program should run to its final BKPT`);
  assert.equal(problems.length, 0, `${problems.length} differences:\n${problems.slice(0, 20).join('\n')}`);
  return result;
}

describe('readelf oracle: .ARM.exidx unwind tables', function () {
  before(function () {
    skipUnlessOracle(this, 'binutils');
  });
  for (const elf of oracleElfs()) {
    it(`${elf.name}: every index entry's opcodes`, () => {
      if (load(elf.path).sections.some((s) => s.type === 0x70000001)) checkOpcodes(elf.path);
    });
  }
  it('gcc -funwind-tables programs: opcodes, and exidx unwinding equals CFI unwinding at every call', function () {
    skipUnlessOracle(this, 'gcc');
    if (!hasTool('arm-none-eabi-gcc')) this.skip();
    this.timeout(60000);
    for (const b of buildPrograms()) {
      const decoded = checkOpcodes(b.path);
      assert.ok(decoded >= 6, `${b.name}: only ${decoded} entries decoded`);
      const { states, functions } = compareUnwinding(b);
      // leaf, many, big, dyn, nested, main, Reset_Handler (and vp with floats) should each be
      // checked; at -O0 leaf sets up a frame pointer and makes no call, and some builds turn
      // Reset_Handler's call into a tail branch, so neither has a checked point there.
      const expected = b.name.startsWith('m4f') ? 8 : 6;
      assert.ok(functions.size >= expected, `${b.name}: only ${functions.size} functions compared (${states} states)`);
    }
  });
  it('the adapter unwinder: without debug info, exidx gives the same call stacks as CFI does with it', function () {
    skipUnlessOracle(this, 'gcc');
    if (!hasTool('arm-none-eabi-gcc')) this.skip();
    this.timeout(60000);
    const withCfi = buildPrograms();
    buildStripped().forEach((b, i) => {
      const expected = stacksAtLeaf(withCfi[i], 40);
      const actual = stacksAtLeaf(b, 40);
      assert.ok(expected.length >= 20, `${b.name}: leaf reached ${expected.length} times`);
      // Every stop is at least leaf <- caller <- main <- Reset_Handler.
      assert.ok(expected.every((s) => s.split(' <- ').length >= 3), `${b.name}: CFI stacks too short:\n${expected.join('\n')}`);
      assert.deepEqual(actual, expected, b.name);
    });
  });
});
