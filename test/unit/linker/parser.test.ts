import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assignment, Command, InputSection, MemoryCommand, OutputSection, Script, SectionsCommand } from '../../../src/linker/ast';
import { parseScriptFile } from '../../../src/linker/include';
import { parseNumber } from '../../../src/linker/lexer';
import { parseScript } from '../../../src/linker/parser';

function sections(s: Script): SectionsCommand {
  return s.commands.find((c): c is SectionsCommand => c.kind === 'Sections') as SectionsCommand;
}
function output(s: Script, name: string): OutputSection {
  const o = sections(s).statements.find((x): x is OutputSection => x.kind === 'OutputSection' && x.name.text === name);
  assert.ok(o, `no output section ${name}`);
  return o;
}
function clean(s: Script): Script {
  assert.deepEqual(s.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`), []);
  return s;
}

const STM32 = `/* STM32F411 vendor-style script */
ENTRY(Reset_Handler)
_estack = ORIGIN(RAM) + LENGTH(RAM);
_Min_Heap_Size = 0x200;
_Min_Stack_Size = 0x400;
MEMORY
{
  RAM    (xrw)    : ORIGIN = 0x20000000,   LENGTH = 128K
  FLASH    (rx)    : ORIGIN = 0x8000000,   LENGTH = 512K
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
    *(.text)
    *(.text*)
    KEEP (*(.init))
    _etext = .;
  } >FLASH
  .preinit_array :
  {
    PROVIDE_HIDDEN (__preinit_array_start = .);
    KEEP (*(.preinit_array*))
    PROVIDE_HIDDEN (__preinit_array_end = .);
  } >FLASH
  .init_array :
  {
    KEEP (*(SORT(.init_array.*)))
    KEEP (*(.init_array*))
  } >FLASH
  _sidata = LOADADDR(.data);
  .data :
  {
    _sdata = .;
    *(.data*)
    _edata = .;
  } >RAM AT> FLASH
  .bss (NOLOAD) :
  {
    _sbss = .;
    *(.bss*)
    *(COMMON)
    _ebss = .;
  } >RAM
  ._user_heap_stack :
  {
    . = ALIGN(8);
    PROVIDE ( end = . );
    . = . + _Min_Heap_Size;
    . = . + _Min_Stack_Size;
    . = ALIGN(8);
  } >RAM
  /DISCARD/ : { libc.a ( * ) }
  .ARM.attributes 0 : { *(.ARM.attributes) }
}
`;

describe('linker parser', () => {
  it('parses a vendor STM32 script', () => {
    const s = clean(parseScript(STM32, { file: 'stm32.ld' }));
    const mem = s.commands.find((c): c is MemoryCommand => c.kind === 'Memory');
    assert.ok(mem);
    assert.deepEqual(mem.regions.map((r) => r.kind === 'MemoryRegion' && [r.name.text, r.attributes?.text]), [['RAM', 'xrw'], ['FLASH', 'rx']]);
    const data = output(s, '.data');
    assert.equal(data.region?.text, 'RAM');
    assert.equal(data.lmaRegion?.text, 'FLASH');
    assert.equal(output(s, '.bss').type, 'NOLOAD');
    assert.equal(output(s, '.ARM.attributes').address?.kind, 'Number');
    const init = output(s, '.init_array').statements[0] as InputSection;
    assert.equal(init.keep, true);
    assert.deepEqual(init.sections?.[0].pattern.sort, ['SORT']);
    const pre = output(s, '.preinit_array').statements[0] as Assignment;
    assert.equal(pre.wrapper, 'PROVIDE_HIDDEN');
    const discard = output(s, '/DISCARD/').statements[0] as InputSection;
    assert.equal(discard.file.text, 'libc.a');
    assert.equal(discard.sections?.[0].pattern.text, '*');
    // Ranges: the `.data` name sits on its own line.
    const line = STM32.split('\n').findIndex((l) => l.trim() === '.data :');
    assert.equal(data.name.range.start.line, line);
    assert.equal(data.name.range.start.character, 2);
    assert.equal(data.name.range.start.offset, STM32.indexOf('.data :'));
    assert.equal(s.comments.length, 1);
  });

  it('parses cortex-m-rt style link.x with INCLUDE resolved and cycle-safe', () => {
    const files: Record<string, string> = {
      '/p/memory.x': 'MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n RAM : ORIGIN = 0x20000000, LENGTH = 64K }\nINCLUDE link.x\n',
      '/p/link.x': 'INCLUDE memory.x\nREGION_ALIAS("REGION_TEXT", FLASH);\nEXTERN(__RESET_VECTOR);\nEXTERN(Reset);\nENTRY(Reset);\nPROVIDE(_stack_start = ORIGIN(RAM) + LENGTH(RAM));\nSECTIONS {\n  .vector_table ORIGIN(FLASH) : { __vector_table = .; LONG(_stack_start & 0xFFFFFFF8); KEEP(*(.vector_table.reset_vector)); } > REGION_TEXT\n  .text _stext : { *(.Reset); *(.text .text.*); } > REGION_TEXT\n}\nINSERT AFTER .text;\n',
    };
    const resolveInclude = (p: string) => {
      const file = `/p/${p}`;
      return files[file] === undefined ? undefined : { file, text: files[file] };
    };
    const s = parseScript(files['/p/link.x'], { file: '/p/link.x', resolveInclude });
    const inc = s.commands[0];
    assert.equal(inc.kind, 'Include');
    assert.ok(inc.kind === 'Include' && inc.script);
    assert.equal(inc.script.commands[0].kind, 'Memory');
    assert.deepEqual(s.diagnostics.map((d) => d.message), ["INCLUDE cycle: 'link.x' is already being included"]);
    assert.equal(s.diagnostics[0].file, '/p/memory.x');
    const vt = output(s, '.vector_table');
    assert.equal(vt.address?.kind, 'Call');
    assert.equal(vt.statements[1].kind, 'Data');
    assert.equal(output(s, '.text').address?.kind, 'Symbol');
    const kinds = s.commands.map((c: Command) => c.kind);
    assert.deepEqual(kinds, ['Include', 'RegionAlias', 'Extern', 'Extern', 'Entry', 'Assignment', 'Sections', 'Insert']);
  });

  it('covers every construct', () => {
    const text = `
OUTPUT_FORMAT("elf32-littlearm", "elf32-bigarm", "elf32-littlearm")
OUTPUT_ARCH(arm)
SEARCH_DIR(/usr/lib)
GROUP(libc.a libm.a AS_NEEDED(libz.so))
INPUT(a.o b.o)
EXTERN(a b c)
MEMORY {
  ROM (rx!w) : o = 0x0, l = 0x10000
  RAM (!rx) : org = 2K, len = 1M
}
a = 1; a += 2; a -= 1; a *= 3; a /= 2; a <<= 1; a >>= 1; a &= 0xff; a |= 0x100;
HIDDEN(h = 1);
SECTIONS {
  . = 0x100;
  .text 0x1000 (NOLOAD) : AT(0x2000) ALIGN(16) SUBALIGN(4) ONLY_IF_RO {
    EXCLUDE_FILE(*crtend.o) *(.text)
    *(EXCLUDE_FILE(*a.o *b.o) .rodata .rodata.*)
    *(SORT_BY_ALIGNMENT(SORT_BY_NAME(.data.*)))
    SORT_BY_NAME(*)(.ctors)
    "quoted file.o"(.text)
    archive.a:member.o(.text)
    BYTE(1) SHORT(2) LONG(3) QUAD(4) SQUAD(5)
    FILL(0x90909090)
    CONSTRUCTORS
    ASSERT(. < 0x2000, "too big");
    x = ALIGN(8) + ALIGN(., 4) + MAX(1, 2) + MIN(3, 4) + ABSOLUTE(.) + DEFINED(x) + SIZEOF_HEADERS + NEXT(4)
      + SEGMENT_START("text-segment", 0) + CONSTANT(MAXPAGESIZE) + CONSTANT(COMMONPAGESIZE) + ADDR(.text)
      + LOADADDR(.text) + SIZEOF(.text) + ORIGIN(ROM) + LENGTH(ROM) + (1 ? 2 : 3) + -1 + ~1 + !1;
  } > RAM AT > ROM :text =0xff,
  /DISCARD/ : { *(.comment) }
}
INSERT BEFORE .data
`;
    const s = clean(parseScript(text));
    const t = output(s, '.text');
    assert.equal(t.type, 'NOLOAD');
    assert.equal(t.address?.kind, 'Number');
    assert.equal(t.at?.kind, 'Number');
    assert.equal(t.align?.kind, 'Number');
    assert.equal(t.subalign?.kind, 'Number');
    assert.equal(t.constraint, 'ONLY_IF_RO');
    assert.deepEqual(t.phdrs.map((p) => p.text), ['text']);
    assert.equal(t.fill?.kind, 'Number');
    const st = t.statements;
    assert.equal((st[0] as InputSection).excludeFiles[0].text, '*crtend.o');
    assert.deepEqual((st[1] as InputSection).sections?.[0].excludeFiles.map((p) => p.text), ['*a.o', '*b.o']);
    assert.deepEqual((st[1] as InputSection).sections?.map((g) => g.pattern.text), ['.rodata', '.rodata.*']);
    assert.deepEqual((st[2] as InputSection).sections?.[0].pattern.sort, ['SORT_BY_ALIGNMENT', 'SORT_BY_NAME']);
    assert.deepEqual((st[3] as InputSection).file.sort, ['SORT_BY_NAME']);
    assert.equal((st[4] as InputSection).file.text, 'quoted file.o');
    assert.equal((st[5] as InputSection).file.text, 'archive.a:member.o');
    assert.deepEqual(st.slice(6, 11).map((x) => x.kind === 'Data' && x.size), ['BYTE', 'SHORT', 'LONG', 'QUAD', 'SQUAD']);
    assert.deepEqual(st.slice(11).map((x) => x.kind), ['Fill', 'Keyword', 'Assert', 'Assignment']);
    const ops = s.commands.filter((c): c is Assignment => c.kind === 'Assignment').map((a) => a.op);
    assert.deepEqual(ops, ['=', '+=', '-=', '*=', '/=', '<<=', '>>=', '&=', '|=', '=']);
    const generic = s.commands.filter((c) => c.kind === 'Command').map((c) => c.kind === 'Command' && `${c.name.text}:${c.args.map((a) => a.text).join(',')}`);
    assert.deepEqual(generic, [
      'OUTPUT_FORMAT:elf32-littlearm,elf32-bigarm,elf32-littlearm', 'OUTPUT_ARCH:arm', 'SEARCH_DIR:/usr/lib',
      'GROUP:libc.a,libm.a,AS_NEEDED,libz.so', 'INPUT:a.o,b.o',
    ]);
    const mem = s.commands.find((c): c is MemoryCommand => c.kind === 'Memory');
    assert.deepEqual(mem?.regions.map((r) => r.kind === 'MemoryRegion' && r.attributes?.text), ['rx!w', '!rx']);
    assert.equal(s.commands[s.commands.length - 1].kind, 'Insert');
  });

  it('parses expressions with ld precedence', () => {
    const s = clean(parseScript('x = 1 + 2 * 3 << 1 == 14 || 0 ? a - b - c : d & e | f;'));
    const e = (s.commands[0] as Assignment).expr;
    assert.equal(e.kind, 'Ternary');
    if (e.kind !== 'Ternary') return;
    assert.equal(e.cond.kind === 'Binary' && e.cond.op, '||');
    assert.equal(e.then.kind === 'Binary' && e.then.op, '-');
    assert.equal(e.then.kind === 'Binary' && e.then.left.kind === 'Binary' && e.then.left.op, '-');
    assert.equal(e.else.kind === 'Binary' && e.else.op, '|');
  });

  it('reads numbers in every ld spelling', () => {
    assert.equal(parseNumber('0x10'), 16n);
    assert.equal(parseNumber('0X1f'), 31n);
    assert.equal(parseNumber('$ff'), 255n);
    assert.equal(parseNumber('010'), 8n);
    assert.equal(parseNumber('10'), 10n);
    assert.equal(parseNumber('64K'), 65536n);
    assert.equal(parseNumber('2M'), 2097152n);
    assert.equal(parseNumber('0x10K'), 16384n);
    assert.equal(parseNumber('1fh'), 31n);
    assert.equal(parseNumber('17o'), 15n);
    assert.equal(parseNumber('101b'), 5n);
    assert.equal(parseNumber('99d'), 99n);
    assert.equal(parseNumber('09'), undefined);
    assert.equal(parseNumber('0x'), undefined);
  });
});

describe('linker parser error recovery', () => {
  it('keeps the rest of the file after a broken line, with the right range', () => {
    const text = 'MEMORY {\n  FLASH (rx) : ORIGIN = 0x0, LENGTH = 64K\n  RAM (rwx) ORIGIN = 0x20000000, LENGTH = 8K\n  CCM (rw) : ORIGIN = 0x10000000, LENGTH = 8K\n}\nSECTIONS {\n  .text : { *(.text) @@ }\n  .data : { x = ; *(.data) } > RAM\n}\n_end = 4;\n';
    const s = parseScript(text, { file: 'bad.ld' });
    const msgs = s.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.message}`);
    assert.deepEqual(msgs, [
      "2:12-18 expected ':' after region name 'RAM', found 'ORIGIN'",
      "6:21-22 expected an input section description, assignment or data command, found unexpected character '@'",
      "7:16-17 expected an expression, found ';'",
    ]);
    const mem = s.commands[0] as MemoryCommand;
    assert.deepEqual(mem.regions.map((r) => r.kind === 'MemoryRegion' && r.name.text), ['FLASH', 'CCM']);
    assert.equal(output(s, '.data').region?.text, 'RAM');
    assert.equal(output(s, '.data').statements.length, 2);
    assert.equal(s.commands[2].kind, 'Assignment');
    assert.equal(s.diagnostics[0].file, 'bad.ld');
  });

  it('reports a missing semicolon at the end of the assignment and continues', () => {
    const s = parseScript('a = 1\nb = 2;\n');
    assert.equal(s.diagnostics.length, 1);
    assert.match(s.diagnostics[0].message, /expected ';' after assignment to 'a'/);
    assert.deepEqual(s.diagnostics[0].range.start, { line: 0, character: 5, offset: 5 });
    assert.equal(s.commands.length, 2);
  });

  it('reports unterminated blocks, comments and unknown functions', () => {
    assert.match(parseScript('SECTIONS { .text : { *(.text) }').diagnostics[0].message, /expected '}' to close SECTIONS/);
    assert.match(parseScript('/* open').diagnostics[0].message, /unterminated comment/);
    const s = parseScript('x = FOO(1);\nENTRY(main)');
    assert.match(s.diagnostics[0].message, /unknown function 'FOO'/);
    assert.equal(s.commands[1].kind, 'Entry');
    assert.match(parseScript('x = ALIGN(1, 2, 3);').diagnostics[0].message, /ALIGN takes 1 or 2 arguments, not 3/);
    assert.match(parseScript('x = 09;').diagnostics[0].message, /invalid number '09'/);
    assert.match(parseScript('BOGUS(1)\nx = 1;').diagnostics[0].message, /unknown command 'BOGUS'/);
  });
});

describe('linker parser fuzz', () => {
  it('never throws or hangs on mutated scripts (seeded)', function () {
    this.timeout(30000);
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['{', '}', '(', ')', ';', ':', '=', '>', 'AT', '*', '/*', '*/', '"', ',', 'KEEP', 'SORT(', '0x', 'ORIGIN(', '.', '\n', 'MEMORY', 'SECTIONS', '?', 'INCLUDE'];
    for (let i = 0; i < 1500; i++) {
      let t = STM32;
      const edits = 1 + rand(6);
      for (let k = 0; k < edits; k++) {
        const pos = rand(t.length);
        switch (rand(3)) {
          case 0: t = t.slice(0, pos) + t.slice(pos + 1 + rand(20)); break;
          case 1: t = t.slice(0, pos) + pieces[rand(pieces.length)] + t.slice(pos); break;
          default: t = t.slice(0, pos) + String.fromCharCode(32 + rand(95)) + t.slice(pos + 1);
        }
      }
      const start = Date.now();
      const s = parseScript(t, { resolveInclude: () => ({ file: 'inc.ld', text: t.slice(0, 200) }) });
      assert.ok(Date.now() - start < 2000, `parse took too long on case ${i}`);
      for (const d of s.diagnostics) {
        assert.ok(d.range.start.offset <= d.range.end.offset);
        assert.ok(d.range.end.offset <= Math.max(t.length, 200));
      }
    }
  });
});

describe('linker INCLUDE from files', () => {
  it('resolves relative to the including script, then the search paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ld-inc-'));
    try {
      mkdirSync(join(dir, 'lib'));
      writeFileSync(join(dir, 'link.x'), 'INCLUDE memory.x\nINCLUDE common.ld\nINCLUDE missing.ld\n');
      writeFileSync(join(dir, 'memory.x'), 'MEMORY { RAM : ORIGIN = 0, LENGTH = 1K }\n');
      writeFileSync(join(dir, 'lib', 'common.ld'), 'ENTRY(main)\nINCLUDE link.x\n');
      const s = parseScriptFile(join(dir, 'link.x'), [join(dir, 'lib'), dir]);
      const incs = s.commands.filter((c) => c.kind === 'Include');
      assert.deepEqual(incs.map((c) => c.kind === 'Include' && c.resolvedPath), [join(dir, 'memory.x'), join(dir, 'lib', 'common.ld'), undefined]);
      assert.deepEqual(s.diagnostics.map((d) => d.message).sort(), [
        "INCLUDE cycle: 'link.x' is already being included", "cannot find INCLUDE file 'missing.ld'",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
