// Public surface of the debug-info layer: ELF, DWARF section readers and demangling, all over plain
// bytes (no file or editor access).

export { readElf, ElfError, isArmMappingSymbol, EM_ARM, PT_LOAD, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from './elf';
export type { ElfFile, ElfSection, ElfSegment, ElfSymbol, ElfSymbolBind, ElfSymbolType } from './elf';
export { DebugInfo } from './debuginfo';
export type { FunctionFrame, VariableInfo } from './debuginfo';
export { demangle, demangleRust } from './demangle';
export type { DemangleOptions } from './demangle';
export { DwarfError } from './dwarf/reader';
export { LineTable, LineProgram, samePath } from './dwarf/line';
export type { LineLocation, LineFileEntry, LineRow, LineSequence } from './dwarf/line';
export { FrameTable, FrameSection } from './dwarf/frame';
export type { CfaRule, RegisterRule, UnwindRow, Cie, Fde } from './dwarf/frame';
export { evaluateLocation } from './dwarf/expression';
export type { ExpressionContext, Location } from './dwarf/expression';
export { typeName, typeSize, resolveType } from './dwarf/types';
export { dwarfSectionsOf } from './dwarf/sections';
export type { DwarfSections } from './dwarf/sections';
export { readVariable, valueAt } from './values';
export type { Value, ValueOptions, ValueTarget } from './values';
