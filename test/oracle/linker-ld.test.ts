// Differential test against GNU ld (binutils, via arm-none-eabi-gcc): link small C programs with
// a linker script, then compare ld's --print-memory-usage table, output section addresses and
// script-defined symbol values with what our evaluator computes from the same script and the
// input sections read from the object files.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../../src/debuginfo/elf';
import { evaluate, formatMemoryUsage, type InputSectionInfo } from '../../src/linker/evaluator';
import { parseScript } from '../../src/linker/parser';

const GCC = 'arm-none-eabi-gcc';

function haveGcc(): boolean {
  return spawnSync(GCC, ['--version']).status === 0;
}

interface Case {
  name: string;
  source: string;
  script: string;
  /** Symbols whose value is checked (all script-assigned ones found in the ELF when omitted). */
  symbols?: string[];
  /** A script with INSERT commands, given to ld with -T before the main script. */
  insert?: string;
}

const PROGRAM = `
char small = 1;
int counter = 5;
int table[7] = {1,2,3};
int zeroes[9];
static const char message[] = "hello, linker";
int uninit_buffer[3] __attribute__((section(".uninit.buffer")));
int sum(int n) { int s = 0; for (int i = 0; i < n; i++) s += table[i] + zeroes[i]; return s + message[n]; }
int main(void) { return sum(counter) + small + uninit_buffer[0]; }
__attribute__((section(".isr_vector"), used)) const void *vectors[4] = { 0, (void *)main, 0, 0 };
void Reset_Handler(void) { main(); }
`;

const VENDOR = `
ENTRY(Reset_Handler)
_estack = ORIGIN(RAM) + LENGTH(RAM);
_Min_Heap_Size = 0x200;
_Min_Stack_Size = 0x400;
MEMORY
{
  RAM    (xrw)    : ORIGIN = 0x20000000,   LENGTH = 20K
  FLASH    (rx)    : ORIGIN = 0x8000000,   LENGTH = 64K
}
SECTIONS
{
  .isr_vector :
  {
    . = ALIGN(4);
    KEEP(*(.isr_vector))
    . = ALIGN(4);
  } >FLASH
  .text :
  {
    . = ALIGN(4);
    *(.text)
    *(.text*)
    *(.glue_7)
    *(.glue_7t)
    KEEP (*(.init))
    KEEP (*(.fini))
    . = ALIGN(4);
    _etext = .;
  } >FLASH
  .rodata :
  {
    . = ALIGN(4);
    *(.rodata)
    *(.rodata*)
    . = ALIGN(4);
  } >FLASH
  .ARM.extab   : { *(.ARM.extab* .gnu.linkonce.armextab.*) } >FLASH
  .ARM : {
    __exidx_start = .;
    *(.ARM.exidx*)
    __exidx_end = .;
  } >FLASH
  _sidata = LOADADDR(.data);
  .data :
  {
    . = ALIGN(4);
    _sdata = .;
    *(.data)
    *(.data*)
    . = ALIGN(4);
    _edata = .;
  } >RAM AT> FLASH
  . = ALIGN(4);
  .bss :
  {
    _sbss = .;
    __bss_start__ = _sbss;
    *(.bss)
    *(.bss*)
    *(COMMON)
    . = ALIGN(4);
    _ebss = .;
    __bss_end__ = _ebss;
  } >RAM
  .uninit (NOLOAD) : { *(.uninit*) } >RAM
  ._user_heap_stack :
  {
    . = ALIGN(8);
    PROVIDE ( end = . );
    PROVIDE ( _end = . );
    . = . + _Min_Heap_Size;
    . = . + _Min_Stack_Size;
    . = ALIGN(8);
  } >RAM
  /DISCARD/ :
  {
    libc.a ( * )
    libm.a ( * )
    libgcc.a ( * )
  }
  .ARM.attributes 0 : { *(.ARM.attributes) }
}
ASSERT(_ebss <= _estack - _Min_Stack_Size, "stack overlaps bss")
`;

// cortex-m-rt style: memory.x INCLUDEd by link.x, REGION_ALIAS, section-relative arithmetic.
const MEMORY_X = `
MEMORY
{
  FLASH : ORIGIN = 0x00000000, LENGTH = 256K
  RAM : ORIGIN = 0x20000000, LENGTH = 64K
}
`;
const LINK_X = `
INCLUDE memory.x
REGION_ALIAS("REGION_TEXT", FLASH);
REGION_ALIAS("REGION_RODATA", FLASH);
REGION_ALIAS("REGION_DATA", RAM);
REGION_ALIAS("REGION_BSS", RAM);
ENTRY(Reset_Handler);
EXTERN(vectors);
PROVIDE(_stack_start = ORIGIN(RAM) + LENGTH(RAM));
SECTIONS
{
  PROVIDE(_ram_start = ORIGIN(RAM));
  PROVIDE(_ram_end = ORIGIN(RAM) + LENGTH(RAM));
  .vector_table ORIGIN(FLASH) :
  {
    __vector_table = .;
    LONG(_stack_start & 0xFFFFFFF8);
    KEEP(*(.isr_vector));
    __reset_vector = .;
    . = ALIGN(16);
    __eexceptions = .;
  } > REGION_TEXT
  PROVIDE(_stext = ADDR(.vector_table) + SIZEOF(.vector_table));
  .text _stext :
  {
    __stext = .;
    *(.Reset);
    *(.text .text.*);
    *(.HardFaultTrampoline);
    *(.HardFault.*);
    . = ALIGN(4);
    __etext = .;
  } > REGION_TEXT
  .rodata : ALIGN(4)
  {
    . = ALIGN(4);
    __srodata = .;
    *(.rodata .rodata.*);
    . = ALIGN(4);
    __erodata = .;
  } > REGION_RODATA
  .data : ALIGN(4)
  {
    . = ALIGN(4);
    __sdata = .;
    *(.data .data.*);
    . = ALIGN(4);
  } > REGION_DATA AT>REGION_RODATA
  . = ALIGN(4);
  __edata = .;
  __sidata = LOADADDR(.data);
  .gnu.sgstubs : ALIGN(32)
  {
    . = ALIGN(32);
    __veneer_base = .;
    *(.gnu.sgstubs*)
    . = ALIGN(32);
  } > REGION_TEXT
  . = ALIGN(32);
  __veneer_limit = .;
  .bss (NOLOAD) : ALIGN(4)
  {
    . = ALIGN(4);
    __sbss = .;
    *(.bss .bss.*);
    *(COMMON);
    . = ALIGN(4);
  } > REGION_BSS
  . = ALIGN(4);
  __ebss = .;
  .uninit (NOLOAD) : ALIGN(4)
  {
    . = ALIGN(4);
    __suninit = .;
    *(.uninit .uninit.*);
    . = ALIGN(4);
    __euninit = .;
  } > REGION_BSS
  PROVIDE(__sheap = __euninit);
  __data_words = (__edata - __sdata) / 4;
  __text_span = __etext - __stext;
  /DISCARD/ :
  {
    *(.ARM.exidx);
    *(.ARM.exidx.*);
    *(.ARM.extab.*);
  }
}
ASSERT(ORIGIN(FLASH) % 4 == 0, "ERROR: the start of the FLASH region must be 4-byte aligned");
ASSERT(__sdata % 4 == 0 && __edata % 4 == 0, "data not aligned");
ASSERT(__sheap % 4 == 0, "heap not aligned");
`;

// Section-relative expression rules (ld manual "The Section of an Expression").
const ARITH = `
MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
 RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 20K }
_sz = 8;
SECTIONS {
 .text : { *(.isr_vector) *(.text*) *(.rodata*) . = ALIGN(0x40); _f = .; _a = 0x10; _b = ORIGIN(RAM) + 4;
   _c = ABSOLUTE(0x10); _d = LENGTH(RAM); _e = SIZEOF(.text); _g = ALIGN(8); _h = 1 < 2; _i = _a + 1;
   _j = _f - _a; _k = ORIGIN(RAM) - ORIGIN(FLASH); _l = ADDR(.text); _m = LOADADDR(.text);
   _n = DEFINED(_a); _o = MAX(1,2); _p = ALIGN(0x13, 8); _t = _sz; _u = _sz + 1; _v = _f & 0xFFFF;
   _w = ~0; _x = _f * 2; _y = (_f > 0) ? 3 : 4; _z = ORIGIN(RAM) + _a; _aa = _a - ORIGIN(FLASH);
   _ab = ABSOLUTE(_f) - 2; _ac = CONSTANT(MAXPAGESIZE); _ae = 0x7 << 4 | 1; _af = -1 / 2; _ag = 17 % 5;
   _ai = !0; _aj = 1K + 1M; _ak = 010; _al = 0x10 >> 1; _am = LOG2CEIL(33); }  > FLASH
 _j2 = _f - _a; _j3 = _f + _a; _j4 = _f * 2; _j5 = ADDR(.text) + ADDR(.data); _j6 = _f - ADDR(.data);
 _j7 = -_f; _j8 = _f & 0xFF; _j9 = _f > _a; _q = _sz / 2; _r = -1 / 2; _s = 10 % 3;
 _cx = 1; _cx += 4; _cx *= 3; _cx -= 1; _cx <<= 2; _cx >>= 1; _cx |= 0x100; _cx &= 0x1F0; _cx /= 2;
 .data : { *(.data*) _k1 = _f - _a; _k2 = _f; _k3 = . - _f; _k4 = ADDR(.text); _k5 = -_f; } > RAM AT> FLASH
 .bss : { *(.bss*) *(COMMON) *(.uninit*) } > RAM
 _after_bss = .;
}
`;

// Sections no description matches (orphans): code, read-only data, data, zero-initialised data.
const ORPHAN_PROGRAM = `
int counter = 5;
int zeroes[9];
const char message[] = "hello, linker";
__attribute__((section(".fastcode"))) int fast(int x) { return x * 3 + counter; }
__attribute__((section(".myconst"))) const int table[5] = {1,2,3,4,5};
__attribute__((section(".mydata"))) int mydata[3] = {7,8,9};
__attribute__((section(".mybss,\\"aw\\",%nobits@"))) int mybss[6];
__attribute__((section(".extra.one"))) const int extra1[2] = {1,2};
int main(void) { return fast(counter) + table[2] + mydata[1] + mybss[0] + zeroes[1] + message[0] + extra1[0]; }
void Reset_Handler(void) { main(); }
`;

const ORPHANS_ATTRIBUTES = `
MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
         RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 20K }
ENTRY(Reset_Handler)
SECTIONS {
  .text : { *(.text*) _etext_in = .; } > FLASH
  .rodata : { *(.rodata*) _erodata_in = .; } > FLASH
  .data : { _sdata = .; *(.data*) } > RAM AT> FLASH
  _sidata = LOADADDR(.data);
  .bss : { _sbss = .; *(.bss*) } > RAM
  _end = .;
}
`;

// Orphans go past the symbol assignments after their section but before an assignment to '.',
// and join an output section of their own name.
const ORPHANS_PLAIN_REGIONS = `
MEMORY { FLASH : ORIGIN = 0x08000000, LENGTH = 64K
         RAM : ORIGIN = 0x20000000, LENGTH = 20K }
ENTRY(Reset_Handler)
SECTIONS {
  .text : { *(.text*) } > FLASH
  __etext = .;
  .rodata : { *(.rodata*) } > FLASH
  .myconst : { __myconst_start = .; KEEP(*(.nothing)) } > FLASH
  .data : { *(.data*) } > RAM AT> FLASH
  . = ALIGN(4);
  __edata = .;
  .bss (NOLOAD) : { *(.bss*) } > RAM
  __ebss = .;
}
`;

// Nothing to follow: read-only data goes after the code, zero-initialised data at the end.
const ORPHANS_NO_ANCHORS = `
MEMORY { FLASH : ORIGIN = 0, LENGTH = 4K  RAM : ORIGIN = 0x1000, LENGTH = 4K }
_stext = ADDR(.text);
SECTIONS {
  .text : { *(.text) } > FLASH
  __etext = .;
  .myconst : { KEEP(*(.none)) } > FLASH
  .data : { *(.data) } > RAM AT> FLASH
  . = ALIGN(8);
  __edata = .;
}
`;

// The INSERTed statements land past the assignments that follow .text but before its `. =`; a
// statement outside SECTIONS before the INSERT moves with them.
const INSERT_MAIN = `
MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
         RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 20K }
ENTRY(Reset_Handler)
SECTIONS {
  .text : { *(.text*) *(.fastcode) } > FLASH
  __etext = .;
  . = ALIGN(64);
  __aligned = .;
  .rodata : { *(.rodata*) *(.myconst) } > FLASH
  .data : { __sdata = .; *(.data*) *(.mydata) } > RAM AT> FLASH
  .bss : { __sbss = .; *(.bss*) *(.mybss) __ebss = .; } > RAM
}
`;

const INSERT_EXTRA = `
_before_extra = 0x1234;
SECTIONS {
  .extra : { _sextra = .; *(.extra*) } > FLASH
  _after_extra = .;
} INSERT AFTER .text;
SECTIONS {
  .early_bss (NOLOAD) : { *(.mybss) } > RAM
} INSERT BEFORE .data;
`;

const CASES: Case[] = [
  { name: 'STM32 vendor script (heap/stack section, AT> FLASH, LOADADDR)', source: PROGRAM, script: VENDOR },
  { name: 'cortex-m-rt style link.x + memory.x (INCLUDE, REGION_ALIAS, address expressions)', source: PROGRAM, script: LINK_X },
  { name: 'expression sections and operators', source: PROGRAM, script: ARITH },
  { name: 'orphan sections placed after the section of the same kind (regions with attributes)', source: ORPHAN_PROGRAM, script: ORPHANS_ATTRIBUTES },
  { name: 'orphans past symbol assignments, before `. =`, into a section of their name (plain regions)', source: ORPHAN_PROGRAM, script: ORPHANS_PLAIN_REGIONS },
  { name: 'orphans with no section of their kind (read-only data after code, .bss last)', source: ORPHAN_PROGRAM, script: ORPHANS_NO_ANCHORS },
  { name: 'INSERT AFTER / INSERT BEFORE from a second -T script', source: ORPHAN_PROGRAM, script: INSERT_MAIN, insert: INSERT_EXTRA },
];

describe('linker evaluator vs GNU ld (oracle)', function () {
  this.timeout(60000);
  const available = haveGcc();
  before(function () {
    if (!available) {
      if (process.env.REQUIRE_ORACLES === '1') throw new Error(`${GCC} not found but REQUIRE_ORACLES=1`);
      this.skip();
    }
  });

  for (const c of CASES) {
    it(c.name, () => {
      const dir = mkdtempSync(join(tmpdir(), 'ld-oracle-'));
      try {
        writeFileSync(join(dir, 'main.c'), c.source);
        writeFileSync(join(dir, 'script.ld'), c.script);
        writeFileSync(join(dir, 'memory.x'), MEMORY_X);
        if (c.insert) writeFileSync(join(dir, 'insert.ld'), c.insert);
        const obj = join(dir, 'main.o');
        execFileSync(GCC, ['-mcpu=cortex-m4', '-mthumb', '-O1', '-fno-common', '-c', '-o', obj, join(dir, 'main.c')]);
        const out = execFileSync(GCC, [
          '-mcpu=cortex-m4', '-mthumb', '-nostdlib', ...(c.insert ? ['-T', 'insert.ld'] : []), '-T', 'script.ld', '-o', 'a.elf', 'main.o',
          '-Wl,--print-memory-usage', `-Wl,-Map=${join(dir, 'a.map')}`,
        ], { cwd: dir, encoding: 'utf8' });

        const objElf = readElf(readFileSync(obj), obj);
        const inputs: InputSectionInfo[] = objElf.sections
          .filter((s) => s.type === SHT_PROGBITS || s.type === SHT_NOBITS || s.type === 0x70000001 || s.type === 0x70000003)
          .map((s) => ({
            file: 'main.o', name: s.name, size: s.size, align: Math.max(1, s.addralign),
            nobits: s.type === SHT_NOBITS, alloc: (s.flags & SHF_ALLOC) !== 0,
            code: (s.flags & SHF_EXECINSTR) !== 0, writable: (s.flags & SHF_WRITE) !== 0,
          }));
        const objectSymbols: Record<string, number> = {};
        for (const s of objElf.symbols) if (s.bind !== 'local' && s.sectionIndex !== 0 && s.name) objectSymbols[s.name] = 0;

        const script = parseScript(c.script, {
          file: join(dir, 'script.ld'),
          resolveInclude: (p) => ({ file: join(dir, p), text: readFileSync(join(dir, p), 'utf8') }),
        });
        assert.deepEqual(script.diagnostics, []);
        const scripts = [script];
        if (c.insert) {
          const insert = parseScript(c.insert, { file: join(dir, 'insert.ld') });
          assert.deepEqual(insert.diagnostics, []);
          scripts.unshift(insert);
        }
        const layout = evaluate(scripts, { inputSections: inputs, objectSymbols });

        // 1. Output sections: VMA, LMA, size of every allocated section ld emitted.
        const elf = readElf(readFileSync(join(dir, 'a.elf')), 'a.elf');
        const lmaOf = (addr: number): number => {
          for (const p of elf.segments) if (p.type === 1 && addr >= p.vaddr && addr < p.vaddr + Math.max(1, p.memsz)) return p.paddr + addr - p.vaddr;
          return addr;
        };
        for (const s of elf.sections) {
          if (!(s.flags & SHF_ALLOC) || s.size === 0) continue;
          const ours = layout.sections.find((p) => p.name === s.name);
          assert.ok(ours, `section ${s.name} missing from our layout`);
          assert.equal(hex(ours.vma), hex(s.addr), `${s.name} VMA`);
          assert.equal(ours.size, s.size, `${s.name} size`);
          if (s.type !== SHT_NOBITS) assert.equal(hex(ours.lma), hex(lmaOf(s.addr)), `${s.name} LMA`);
        }

        // 2. Every symbol the script assigns that ld kept, same value.
        let compared = 0;
        for (const [name, sym] of layout.symbols) {
          if (sym.source !== 'script') continue;
          const e = elf.symbols.find((x) => x.name === name);
          if (!e) continue;
          assert.equal(hex(sym.value), hex(e.value), `symbol ${name}`);
          compared++;
        }
        // 3. The memory usage table, character for character.
        const ldTable = out.slice(out.indexOf('Memory region'));
        assert.equal(formatMemoryUsage(layout.memoryUsage()), ldTable);

        assert.ok(compared >= 3, `only ${compared} symbols compared`);
        assert.deepEqual(layout.diagnostics.filter((d) => d.severity === 'error'), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
