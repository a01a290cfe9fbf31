// One-line descriptions of the script language's built-in functions and commands, for hover and
// completion (after the ld manual's "Builtin Functions" and "Simple Commands").

export const FUNCTION_DOCS: Record<string, { signature: string; doc: string }> = {
  ORIGIN: { signature: 'ORIGIN(region)', doc: 'Start address of a memory region.' },
  LENGTH: { signature: 'LENGTH(region)', doc: 'Size in bytes of a memory region.' },
  ADDR: { signature: 'ADDR(section)', doc: 'Address (VMA) of an output section.' },
  LOADADDR: { signature: 'LOADADDR(section)', doc: 'Load address (LMA) of an output section.' },
  SIZEOF: { signature: 'SIZEOF(section)', doc: 'Size in bytes of an output section.' },
  ALIGNOF: { signature: 'ALIGNOF(section)', doc: 'Alignment in bytes of an output section.' },
  DEFINED: { signature: 'DEFINED(symbol)', doc: '1 if the symbol is defined at this point, else 0.' },
  CONSTANT: { signature: 'CONSTANT(MAXPAGESIZE | COMMONPAGESIZE)', doc: 'A target page size.' },
  ALIGN: { signature: 'ALIGN(align) / ALIGN(exp, align)', doc: 'The location counter (or exp) rounded up to a multiple of align.' },
  MAX: { signature: 'MAX(a, b)', doc: 'The larger of two values.' },
  MIN: { signature: 'MIN(a, b)', doc: 'The smaller of two values.' },
  ABSOLUTE: { signature: 'ABSOLUTE(exp)', doc: 'The absolute (not section-relative) value of exp.' },
  NEXT: { signature: 'NEXT(exp)', doc: 'The next unallocated address that is a multiple of exp.' },
  BLOCK: { signature: 'BLOCK(exp)', doc: 'Same as ALIGN(exp), kept for old scripts.' },
  LOG2CEIL: { signature: 'LOG2CEIL(exp)', doc: 'Binary logarithm of exp, rounded up.' },
  SEGMENT_START: { signature: 'SEGMENT_START(segment, default)', doc: 'Base address of a segment, or default.' },
  DATA_SEGMENT_ALIGN: { signature: 'DATA_SEGMENT_ALIGN(maxpagesize, commonpagesize)', doc: 'Start of the data segment (hosted targets).' },
  DATA_SEGMENT_END: { signature: 'DATA_SEGMENT_END(exp)', doc: 'End of the data segment.' },
  DATA_SEGMENT_RELRO_END: { signature: 'DATA_SEGMENT_RELRO_END(offset, exp)', doc: 'End of the RELRO part of the data segment.' },
  ASSERT: { signature: 'ASSERT(exp, "message")', doc: 'Fails the link with message when exp is zero.' },
};

export const COMMAND_DOCS: Record<string, string> = {
  MEMORY: 'Declares the memory regions: `NAME (attrs) : ORIGIN = addr, LENGTH = size`.',
  SECTIONS: 'Maps input sections to output sections and places them in memory.',
  ENTRY: 'The program entry point symbol.',
  INCLUDE: 'Reads another script file at this point.',
  EXTERN: 'Forces symbols to be undefined so they are pulled out of archives.',
  PROVIDE: 'Defines a symbol only if it is referenced and not defined by any object.',
  PROVIDE_HIDDEN: 'PROVIDE, with the symbol hidden (not exported).',
  HIDDEN: 'Defines a hidden (not exported) symbol.',
  REGION_ALIAS: 'Gives a memory region a second name.',
  KEEP: 'Keeps matching input sections even when unreferenced (--gc-sections).',
  OUTPUT_FORMAT: 'The BFD output format.',
  OUTPUT_ARCH: 'The output machine architecture.',
  SEARCH_DIR: 'Adds a library search path (like -L).',
  INSERT: 'Inserts this script after or before an output section of the default script.',
  NOLOAD: 'Output section type: allocated but not loaded (no file contents).',
  AT: 'Sets the load address (LMA) of an output section.',
  ALIGN: 'Aligns the location counter or an output section.',
  SUBALIGN: 'Forces the alignment of input sections in an output section.',
  FILL: 'Fill pattern for gaps in the current output section.',
  BYTE: 'Stores a 1-byte value.',
  SHORT: 'Stores a 2-byte value.',
  LONG: 'Stores a 4-byte value.',
  QUAD: 'Stores an 8-byte value.',
  SORT_BY_NAME: 'Sorts matching input sections by name.',
  SORT_BY_ALIGNMENT: 'Sorts matching input sections by descending alignment.',
  EXCLUDE_FILE: 'Excludes files from the following pattern.',
  OVERLAY: 'Output sections sharing one address, loaded one after another.',
  ASSERT: 'Fails the link with a message when the expression is zero.',
};

export const TOP_LEVEL_KEYWORDS = [
  'MEMORY', 'SECTIONS', 'ENTRY', 'INCLUDE', 'EXTERN', 'PROVIDE', 'PROVIDE_HIDDEN', 'HIDDEN', 'REGION_ALIAS',
  'OUTPUT_FORMAT', 'OUTPUT_ARCH', 'SEARCH_DIR', 'INSERT', 'ASSERT', 'GROUP', 'INPUT', 'OUTPUT', 'STARTUP', 'NOCROSSREFS',
];

export const SECTION_KEYWORDS = [
  'KEEP', 'PROVIDE', 'PROVIDE_HIDDEN', 'HIDDEN', 'ALIGN', 'SUBALIGN', 'AT', 'NOLOAD', 'FILL', 'BYTE', 'SHORT', 'LONG',
  'QUAD', 'SQUAD', 'SORT', 'SORT_BY_NAME', 'SORT_BY_ALIGNMENT', 'SORT_BY_INIT_PRIORITY', 'EXCLUDE_FILE', 'OVERLAY',
  'ASSERT', 'INCLUDE', 'CONSTRUCTORS', 'ONLY_IF_RO', 'ONLY_IF_RW', '/DISCARD/',
];
