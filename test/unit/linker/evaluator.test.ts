import { strict as assert } from 'node:assert';
import { evaluate, formatMemoryUsage } from '../../../src/linker/evaluator';
import { parseScript } from '../../../src/linker/parser';

const SCRIPT = `
MEMORY {
  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 4K
}
_estack = ORIGIN(RAM) + LENGTH(RAM);
SECTIONS {
  .isr_vector : { KEEP(*(.isr_vector)) } > FLASH
  .text : { *(.text*) . = ALIGN(4); _etext = .; } > FLASH
  _sidata = LOADADDR(.data);
  .data : { _sdata = .; *(.data*) _edata = .; } > RAM AT> FLASH
  .bss (NOLOAD) : { _sbss = .; *(.bss*) *(COMMON) _ebss = .; } > RAM
  ._user_heap_stack : { . = ALIGN(8); . = . + 0x200; . = . + 0x400; } > RAM
}
ASSERT(_ebss < _estack, "bss past the stack");
`;

describe('linker evaluator', () => {
  it('lays out input sections: VMA, LMA, symbols and region usage', () => {
    const layout = evaluate(parseScript(SCRIPT), {
      inputSections: [
        { file: 'a.o', name: '.isr_vector', size: 0x188, align: 4 },
        { file: 'a.o', name: '.text', size: 0x102, align: 2 },
        { file: 'a.o', name: '.text.main', size: 0x20, align: 4 },
        { file: 'a.o', name: '.data', size: 0x10, align: 4 },
        { file: 'a.o', name: '.bss', size: 0x30, align: 8 },
      ],
    });
    assert.deepEqual(layout.diagnostics, []);
    const sec = (n: string) => layout.sections.find((s) => s.name === n);
    assert.equal(sec('.text')?.vma, 0x08000188);
    assert.equal(sec('.text')?.size, 0x102 + 2 + 0x20);
    assert.equal(sec('.data')?.vma, 0x20000000);
    assert.equal(sec('.data')?.lma, 0x08000188 + 0x124);
    assert.equal(sec('.bss')?.vma, 0x20000010);
    assert.equal(sec('.bss')?.load, false);
    assert.equal(layout.symbols.get('_sidata')?.value, 0x080002ac);
    assert.equal(layout.symbols.get('_ebss')?.value, 0x20000040);
    assert.equal(layout.symbols.get('_estack')?.value, 0x20001000);
    assert.equal(sec('.text')?.inputs[1].vma, 0x0800028c);
    const usage = layout.memoryUsage();
    assert.deepEqual(usage.map((u) => [u.name, u.used, u.total]), [['FLASH', 0x2bc, 65536], ['RAM', 0x640, 4096]]);
    assert.equal(formatMemoryUsage(usage),
      'Memory region         Used Size  Region Size  %age Used\n' +
      '           FLASH:         700 B        64 KB      1.07%\n' +
      '             RAM:        1600 B         4 KB     39.06%\n');
  });

  it('uses the linked ELF when given (sizes, addresses, symbols)', () => {
    const layout = evaluate(parseScript(SCRIPT), {
      linked: {
        sections: [
          { name: '.isr_vector', addr: 0x08000000, size: 0x100, type: 1, flags: 2 },
          { name: '.text', addr: 0x08000100, size: 0x400, type: 1, flags: 6 },
          { name: '.data', addr: 0x20000000, size: 0x20, type: 1, flags: 3 },
          { name: '.bss', addr: 0x20000020, size: 0x40, type: 8, flags: 3 },
          { name: '._user_heap_stack', addr: 0x20000060, size: 0x600, type: 8, flags: 3 },
        ],
        symbols: [{ name: '_etext', value: 0x08000500 }, { name: '_edata', value: 0x20000020 }],
        segments: [{ type: 1, vaddr: 0x20000000, paddr: 0x08000500, memsz: 0x20, filesz: 0x20 }],
      },
    });
    const data = layout.sections.find((s) => s.name === '.data');
    assert.equal(data?.lma, 0x08000500);
    assert.equal(layout.symbols.get('_etext')?.value, 0x08000500);
    assert.equal(layout.symbols.get('_sidata')?.value, 0x08000500);
    assert.deepEqual(layout.memoryUsage().map((u) => u.used), [0x520, 0x660]);
  });

  it('reports overflowing regions, failed ASSERTs, overlapping regions and sections, undefined names', () => {
    const text = `
MEMORY { FLASH (rx) : ORIGIN = 0, LENGTH = 1K
         RAM (rwx) : ORIGIN = 0x200, LENGTH = 1K }
SECTIONS {
  .text : { *(.text) } > FLASH
  .data : { *(.data) x = nosuch; } > RAM AT > NOWHERE
}
ASSERT(SIZEOF(.text) < 0x100, "text too big")
`;
    const layout = evaluate(parseScript(text, { file: 'o.ld' }), {
      inputSections: [{ name: '.text', size: 0x500 }, { name: '.data', size: 4 }],
    });
    const msgs = layout.diagnostics.map((d) => `${d.severity} ${d.range.start.line}: ${d.message}`);
    assert.deepEqual(msgs.sort(), [
      "error 1: region 'FLASH' overflowed by 256 bytes",
      "error 4: section '.text' will not fit in region 'FLASH' (VMA end 0x00000500 is 256 bytes past 0x00000400)",
      "error 5: memory region 'NOWHERE' is not defined",
      "error 5: section '.data' LMA [0x00000200, 0x00000203] overlaps section '.text' LMA [0x00000000, 0x000004ff]",
      "error 5: section '.data' VMA [0x00000200, 0x00000203] overlaps section '.text' VMA [0x00000000, 0x000004ff]",
      "error 5: undefined symbol 'nosuch' referenced in expression",
      "error 7: ASSERT failed: text too big",
      "warning 2: memory region 'RAM' [0x00000200, 0x00000600) overlaps region 'FLASH' [0x00000000, 0x00000400)",
    ].sort());
  });

  it('evaluates a bare script with no inputs (memory map only)', () => {
    const layout = evaluate(parseScript(SCRIPT));
    assert.deepEqual(layout.regions.map((r) => [r.name, r.origin, r.length, r.attributes]), [
      ['FLASH', 0x08000000, 0x10000, 'rx'], ['RAM', 0x20000000, 0x1000, 'rwx'],
    ]);
    assert.equal(layout.sections.find((s) => s.name === '._user_heap_stack')?.size, 0x600);
    assert.equal(layout.memoryUsage()[1].used, 0x600);
  });

  it('follows forward references to later sections', () => {
    const layout = evaluate(parseScript('SECTIONS { _data_at = ADDR(.data); .text 0x100 : { . = . + 0x10; } .data : { . = . + 4; } }'));
    assert.equal(layout.symbols.get('_data_at')?.value, 0x110);
    assert.deepEqual(layout.diagnostics, []);
  });

  const ORPHANS = [
    { file: 'a.o', name: '.isr_vector', size: 0x40, align: 4 },
    { file: 'a.o', name: '.text', size: 0x100, align: 4 },
    { file: 'a.o', name: '.fastcode', size: 0x10, align: 4, code: true, writable: false },
    { file: 'a.o', name: '.myconst', size: 0x14, align: 4, code: false, writable: false },
    { file: 'a.o', name: '.data', size: 0x10, align: 4 },
    { file: 'a.o', name: '.mydata', size: 0xc, align: 4, writable: true },
    { file: 'b.o', name: '.mydata', size: 0x4, align: 4, writable: true },
    { file: 'a.o', name: '.bss', size: 0x30, align: 8 },
    { file: 'a.o', name: '.mybss', size: 0x18, align: 4, nobits: true, writable: true },
    { file: 'a.o', name: '.comment', size: 0x26, align: 1, alloc: false },
  ];

  it('places orphans after the section of the same kind, named after the input section', () => {
    const layout = evaluate(parseScript(SCRIPT), { inputSections: ORPHANS });
    assert.deepEqual(layout.diagnostics, []);
    assert.deepEqual(layout.sections.map((s) => s.name), [
      '.isr_vector', '.text', '.fastcode', '.myconst', '.data', '.mydata', '.bss', '.mybss', '._user_heap_stack', '.comment',
    ]);
    const sec = (n: string) => layout.sections.find((s) => s.name === n)!;
    // .myconst has no read-only data section to follow: it goes with the last section like it (.fastcode).
    assert.equal(sec('.fastcode').vma, 0x08000140);
    assert.equal(sec('.fastcode').region, 'FLASH');
    assert.equal(sec('.myconst').vma, 0x08000150);
    // Orphans of one name share one output section; data follows .data in RAM and in its load region.
    assert.equal(sec('.mydata').size, 0x10);
    assert.equal(sec('.mydata').vma, 0x20000010);
    assert.equal(sec('.mydata').lma, sec('.data').lma + 0x10);
    assert.equal(sec('.mybss').vma, 0x20000050);
    assert.equal(sec('.mybss').load, false);
    // `_etext = .` is inside .text, `_edata` too: orphans come after them.
    assert.equal(layout.symbols.get('_edata')?.value, 0x20000010);
    assert.equal(sec('.comment').alloc, false);
  });

  it('puts orphans past symbol assignments but before `. =`, and into an output section of their name', () => {
    const script = parseScript(`
      MEMORY { FLASH : ORIGIN = 0, LENGTH = 4K  RAM : ORIGIN = 0x1000, LENGTH = 4K }
      SECTIONS {
        .text : { *(.text) } > FLASH
        __etext = .;
        .myconst : { KEEP(*(.none)) } > FLASH
        .data : { *(.data) } > RAM AT> FLASH
        . = ALIGN(8);
        __edata = .;
      }`);
    const layout = evaluate(script, { inputSections: ORPHANS.filter((i) => ['.text', '.fastcode', '.myconst', '.data', '.mydata'].includes(i.name)) });
    assert.deepEqual(layout.sections.map((s) => s.name), ['.text', '.fastcode', '.myconst', '.data', '.mydata']);
    assert.equal(layout.symbols.get('__etext')?.value, 0x100);
    assert.equal(layout.symbols.get('__edata')?.value, 0x1020);
    assert.equal(layout.sections.find((s) => s.name === '.myconst')?.size, 0x14);
  });

  it('with only the linked ELF, shows its sections the script does not name as orphans', () => {
    const layout = evaluate(parseScript(SCRIPT), {
      linked: {
        sections: [
          { name: '.isr_vector', addr: 0x08000000, size: 0x100, type: 1, flags: 2 },
          { name: '.text', addr: 0x08000100, size: 0x400, type: 1, flags: 6 },
          { name: '.ramcode', addr: 0x08000500, size: 0x40, type: 1, flags: 6, addralign: 4 },
          { name: '.data', addr: 0x20000000, size: 0x20, type: 1, flags: 3 },
          { name: '.bss', addr: 0x20000020, size: 0x40, type: 8, flags: 3 },
          { name: '.noinit', addr: 0x20000060, size: 0x10, type: 8, flags: 3 },
          { name: '._user_heap_stack', addr: 0x20000070, size: 0x600, type: 8, flags: 3 },
          { name: '.comment', addr: 0, size: 0x20, type: 1, flags: 0x30 },
        ],
        segments: [{ type: 1, vaddr: 0x20000000, paddr: 0x08000540, memsz: 0x20, filesz: 0x20 }],
      },
    });
    assert.deepEqual(layout.sections.map((s) => s.name), ['.isr_vector', '.text', '.ramcode', '.data', '.bss', '.noinit', '._user_heap_stack']);
    const ramcode = layout.sections.find((s) => s.name === '.ramcode')!;
    assert.equal(ramcode.vma, 0x08000500);
    assert.equal(ramcode.region, 'FLASH');
    assert.equal(layout.sections.find((s) => s.name === '.noinit')?.region, 'RAM');
    assert.equal(layout.sections.find((s) => s.name === '.data')?.lma, 0x08000540);
    assert.deepEqual(layout.memoryUsage().map((u) => u.used), [0x560, 0x670]);
  });

  it('applies INSERT AFTER / BEFORE from a second script, and reports a missing section', () => {
    const main = parseScript(`
      MEMORY { FLASH (rx) : ORIGIN = 0, LENGTH = 4K  RAM (rwx) : ORIGIN = 0x1000, LENGTH = 4K }
      SECTIONS { .text : { *(.text*) } > FLASH  .data : { *(.data*) } > RAM AT> FLASH  .bss : { *(.bss*) *(.mybss) } > RAM }`, { file: 'main.ld' });
    const extra = parseScript(`
      SECTIONS { .extra : { _sextra = .; *(.myconst) } > FLASH } INSERT AFTER .text;
      SECTIONS { .early (NOLOAD) : { *(.mybss) } > RAM } INSERT BEFORE .bss;
      SECTIONS { .lost : { *(.lost) } } INSERT AFTER .nowhere;`, { file: 'extra.ld' });
    const inputs = ORPHANS.filter((i) => ['.text', '.myconst', '.data', '.bss', '.mybss'].includes(i.name));
    const layout = evaluate([extra, main], { inputSections: inputs });
    // (.lost, whose INSERT found nothing, stays where it was written: empty, so not kept.)
    assert.deepEqual(layout.sections.filter((s) => s.kept).map((s) => s.name), ['.text', '.extra', '.data', '.early', '.bss']);
    assert.equal(layout.symbols.get('_sextra')?.value, 0x100);
    assert.equal(layout.sections.find((s) => s.name === '.early')?.size, 0x18, 'matched where it was inserted, before .bss');
    assert.deepEqual(layout.diagnostics.map((d) => `${d.file}: ${d.severity}: ${d.message}`), ['extra.ld: info: .nowhere not found for INSERT (not an output section of this script or those evaluated with it)']);
    // As with ld, the INSERT script goes first: after the main one, its INSERT would move .text too.
    const late = evaluate([main, extra], { inputSections: inputs });
    assert.ok(late.diagnostics.some((d) => d.message.startsWith('.text not found for INSERT')));
    // Alone (a memory.x that adds a section after .bss), the statements stay where they are written.
    const alone = evaluate(parseScript(`MEMORY { RAM : ORIGIN = 0x1000, LENGTH = 4K }
      SECTIONS { .ccm (NOLOAD) : { . += 0x40; } > RAM } INSERT AFTER .bss;`));
    assert.deepEqual(alone.sections.map((x) => `${x.name}@${x.vma.toString(16)}+${x.size}`), ['.ccm@1000+64']);
    assert.deepEqual(alone.diagnostics.map((d) => d.severity), ['info']);
  });
});
