// .debug_info: unit headers (DWARF 2–5, every DW_UT_* type) and a lazy tree of debugging information
// entries (DIEs). A unit's header is read when the unit list is built; a DIE's attributes are read when
// the DIE is reached, and children only when asked for. Index forms (strx, addrx, rnglistx,
// loclistx) are kept as indexes and resolved through the unit's bases (DWARF 5 sections 7.26–7.29)
// when a value is asked for, because the bases live on the root DIE that is read first.

import { AbbrevCache, type Abbrev } from './abbrev';
import { DW_AT as DW_AT_, DW_FORM as DW_FORM_, DW_TAG as DW_TAG_, DW_UT as DW_UT_ } from './constants';
import { DwarfReader, dwarfError, stringAt } from './reader';
import type { DwarfSections } from './sections';
import { countAtOrBelow } from '../sorted-search';
// Module-local copies: reading an imported binding in a hot loop costs a getter call per access
// under the CommonJS transform; a local const does not.
const DW_AT = DW_AT_;
const DW_FORM = DW_FORM_;
const DW_TAG = DW_TAG_;
const DW_UT = DW_UT_;

export type AttrValue = number | string | boolean | Uint8Array | bigint;

export interface Attribute {
  name: number;
  form: number;
  value: AttrValue;
}

export interface PcRange {
  low: number;
  /** Exclusive. */
  high: number;
}

export class Die {
  parent: Die | undefined;
  private childList?: Die[];

  constructor(
    readonly unit: Unit,
    /** Offset of the DIE in .debug_info. */
    readonly offset: number,
    readonly abbrev: Abbrev,
    readonly attributes: Attribute[],
    /** Offset just past this DIE's attributes (where its first child starts). */
    readonly attributesEnd: number,
  ) {}

  get tag(): number {
    return this.abbrev.tag;
  }

  attr(name: number): Attribute | undefined {
    const a = this.attributes;
    for (let i = 0; i < a.length; i++) if (a[i].name === name) return a[i];
    return undefined;
  }

  has(name: number): boolean {
    return this.attr(name) !== undefined;
  }

  /** A string attribute, resolved through .debug_str / .debug_line_str / .debug_str_offsets. */
  string(name: number): string | undefined {
    const a = this.attr(name);
    return a ? this.unit.stringValue(a) : undefined;
  }

  /** An unsigned constant, address or section offset. */
  number(name: number): number | undefined {
    const a = this.attr(name);
    return a ? this.unit.numberValue(a) : undefined;
  }

  /** A reference attribute as an absolute .debug_info offset. */
  reference(name: number): number | undefined {
    const a = this.attr(name);
    return a ? this.unit.referenceValue(a) : undefined;
  }

  /** The DIE a reference attribute points to. */
  referenced(name: number): Die | undefined {
    const off = this.reference(name);
    return off === undefined ? undefined : this.unit.info.dieAt(off);
  }

  flag(name: number): boolean {
    const a = this.attr(name);
    return a !== undefined && a.value !== false && a.value !== 0;
  }

  children(): Die[] {
    if (!this.childList) this.childList = this.abbrev.hasChildren ? this.unit.readChildren(this) : [];
    return this.childList;
  }

  /** Offset just past this DIE and all its children. */
  get end(): number {
    if (!this.abbrev.hasChildren) return this.attributesEnd;
    const sibling = this.attr(DW_AT.sibling);
    if (sibling) {
      const s = this.unit.referenceValue(sibling);
      if (s >= this.attributesEnd && s <= this.unit.end) return s;
    }
    this.children();
    return this.childrenEnd;
  }
  /** Set by Unit.readChildren. */
  childrenEnd = 0;

  /** The ranges of code this DIE covers (low_pc/high_pc or DW_AT_ranges); empty if none. */
  ranges(): PcRange[] {
    return (this.rangesCache ??= this.unit.dieRanges(this));
  }
  private rangesCache?: PcRange[];

  /** Name, following abstract_origin / specification as DWARF 5 section 3.3.8 describes. */
  name(): string | undefined {
    return this.followingOrigins((d) => d.string(DW_AT.name));
  }

  linkageName(): string | undefined {
    return this.followingOrigins((d) => d.string(DW_AT.linkage_name) ?? d.string(DW_AT.MIPS_linkage_name));
  }

  private followingOrigins<T>(get: (d: Die) => T | undefined): T | undefined {
    const own = get(this);
    if (own !== undefined) return own;
    let d = this.referenced(DW_AT.abstract_origin) ?? this.referenced(DW_AT.specification);
    for (let depth = 0; d && depth < 8; depth++) {
      const v = get(d);
      if (v !== undefined) return v;
      d = d.referenced(DW_AT.abstract_origin) ?? d.referenced(DW_AT.specification);
    }
    return undefined;
  }
}

export class Unit {
  readonly version: number;
  readonly unitType: number;
  readonly is64: boolean;
  readonly addressSize: number;
  readonly abbrevOffset: number;
  /** Offset of the first DIE. */
  readonly dieOffset: number;
  /** Offset one past the unit. */
  readonly end: number;
  readonly dwoId?: bigint;
  readonly typeSignature?: bigint;
  readonly typeOffset?: number;
  private rootDie?: Die;
  private abbrevTable?: Map<number, Abbrev>;
  // Bases from the root DIE (DWARF 5 section 3.1.1); DWARF 5 defaults skip the section headers.
  private strOffsetsBase = -1;
  private addrBase = -1;
  private rnglistsBase = -1;
  private loclistsBaseValue = -1;
  private lowPcBase = 0;

  constructor(
    readonly info: DebugInfoReader,
    readonly offset: number,
  ) {
    const r = new DwarfReader(info.data, '.debug_info', offset);
    const { length, is64 } = r.initialLength();
    this.is64 = is64;
    this.end = r.offset + length;
    if (this.end > info.data.length) throw r.error(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
    const versionAt = r.offset;
    this.version = r.u16();
    if (this.version < 2 || this.version > 5) throw r.error(`unsupported unit version ${this.version}`, versionAt);
    if (this.version >= 5) {
      this.unitType = r.u8();
      this.addressSize = r.u8();
      this.abbrevOffset = r.sectionOffset(is64);
      switch (this.unitType) {
        case DW_UT.skeleton:
        case DW_UT.split_compile:
          this.dwoId = r.u64big();
          break;
        case DW_UT.type:
        case DW_UT.split_type:
          this.typeSignature = r.u64big();
          this.typeOffset = offset + r.sectionOffset(is64);
          break;
        case DW_UT.compile:
        case DW_UT.partial:
          break;
        default:
          if (this.unitType < 0x80 || this.unitType > 0xff) throw r.error(`unknown unit type 0x${this.unitType.toString(16)}`, versionAt + 2);
      }
    } else {
      this.unitType = DW_UT.compile;
      this.abbrevOffset = r.sectionOffset(is64);
      this.addressSize = r.u8();
    }
    if (this.addressSize !== 2 && this.addressSize !== 4 && this.addressSize !== 8) throw r.error(`unsupported address size ${this.addressSize}`);
    this.dieOffset = r.offset;
  }

  get abbrevs(): Map<number, Abbrev> {
    return (this.abbrevTable ??= this.info.abbrevs.table(this.abbrevOffset));
  }

  /** The unit's root DIE (DW_TAG_compile_unit, partial_unit, type_unit, …). */
  root(): Die {
    if (!this.rootDie) {
      const die = this.readDie(new DwarfReader(this.info.data, '.debug_info', this.dieOffset, this.end));
      if (!die) throw dwarfError('.debug_info', this.dieOffset, 'unit has no root entry');
      this.rootDie = die;
      this.info.remember(die);
      this.strOffsetsBase = die.number(DW_AT.str_offsets_base) ?? -1;
      this.addrBase = die.number(DW_AT.addr_base) ?? die.number(DW_AT.GNU_addr_base) ?? -1;
      this.rnglistsBase = die.number(DW_AT.rnglists_base) ?? -1;
      this.loclistsBaseValue = die.number(DW_AT.loclists_base) ?? -1;
      const low = die.attr(DW_AT.low_pc);
      this.lowPcBase = low ? this.numberValue(low) : 0;
    }
    return this.rootDie;
  }

  get name(): string | undefined {
    return this.root().string(DW_AT.name);
  }
  /** The unit's base address (its DW_AT_low_pc), which location and range lists are relative to. */
  get baseAddress(): number {
    this.root();
    return this.lowPcBase;
  }
  /** DW_AT_loclists_base, or the size of the first .debug_loclists header when absent. */
  get loclistsBase(): number {
    this.root();
    return this.loclistsBaseValue >= 0 ? this.loclistsBaseValue : this.is64 ? 20 : 12;
  }
  get compDir(): string | undefined {
    return this.root().string(DW_AT.comp_dir);
  }
  get stmtList(): number | undefined {
    return this.root().number(DW_AT.stmt_list);
  }

  /** Reads the DIE at r's position; undefined for a null entry (end of a sibling list). */
  readDie(r: DwarfReader): Die | undefined {
    const offset = r.offset;
    const code = r.uleb();
    if (code === 0) return undefined;
    const abbrev = this.abbrevs.get(code);
    if (!abbrev) throw r.error(`unknown abbreviation code ${code} (table at .debug_abbrev 0x${this.abbrevOffset.toString(16)})`, offset);
    const attributes: Attribute[] = new Array(abbrev.attributes.length);
    for (let i = 0; i < abbrev.attributes.length; i++) {
      const spec = abbrev.attributes[i];
      let form = spec.form;
      if (form === DW_FORM.indirect) form = r.uleb();
      attributes[i] = { name: spec.name, form, value: this.readForm(r, form, spec.implicitConst) };
    }
    return new Die(this, offset, abbrev, attributes, r.offset);
  }

  readChildren(parent: Die): Die[] {
    const r = new DwarfReader(this.info.data, '.debug_info', parent.attributesEnd, this.end);
    const out: Die[] = [];
    while (!r.atEnd) {
      const child = this.readDie(r);
      if (!child) break;
      child.parent = parent;
      this.info.remember(child);
      out.push(child);
      if (child.abbrev.hasChildren) r.seek(child.end);
    }
    parent.childrenEnd = r.offset;
    return out;
  }

  private readForm(r: DwarfReader, form: number, implicitConst: number): AttrValue {
    const at = r.offset;
    switch (form) {
      case DW_FORM.addr:
        return r.address(this.addressSize);
      case DW_FORM.data1:
      case DW_FORM.ref1:
      case DW_FORM.flag:
      case DW_FORM.strx1:
      case DW_FORM.addrx1:
        return form === DW_FORM.flag ? r.u8() !== 0 : form === DW_FORM.ref1 ? this.offset + r.u8() : r.u8();
      case DW_FORM.data2:
      case DW_FORM.strx2:
      case DW_FORM.addrx2:
        return r.u16();
      case DW_FORM.ref2:
        return this.offset + r.u16();
      case DW_FORM.strx3:
      case DW_FORM.addrx3:
        return r.u24();
      case DW_FORM.data4:
      case DW_FORM.strx4:
      case DW_FORM.addrx4:
      case DW_FORM.ref_sup4:
        return r.u32();
      case DW_FORM.ref4:
        return this.offset + r.u32();
      case DW_FORM.data8:
        return r.u64();
      case DW_FORM.ref8:
        return this.offset + r.u64();
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        return r.u64big();
      case DW_FORM.data16:
        return r.bytes(16);
      case DW_FORM.sdata:
        return r.sleb();
      case DW_FORM.udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        return r.uleb();
      case DW_FORM.ref_udata:
        return this.offset + r.uleb();
      case DW_FORM.string:
        return r.cstr();
      case DW_FORM.block1:
        return r.bytes(r.u8());
      case DW_FORM.block2:
        return r.bytes(r.u16());
      case DW_FORM.block4:
        return r.bytes(r.u32());
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return r.bytes(r.uleb());
      case DW_FORM.flag_present:
        return true;
      case DW_FORM.implicit_const:
        return implicitConst;
      case DW_FORM.ref_addr:
        // DWARF 2 sized this as an address; later versions as an offset (DWARF 5 section 7.5.5).
        return this.version <= 2 ? r.address(this.addressSize) : r.sectionOffset(this.is64);
      case DW_FORM.strp:
      case DW_FORM.line_strp:
      case DW_FORM.sec_offset:
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        return r.sectionOffset(this.is64);
      default:
        throw r.error(`unknown attribute form 0x${form.toString(16)}`, at);
    }
  }

  stringValue(a: Attribute): string | undefined {
    const s = this.info.sections;
    switch (a.form) {
      case DW_FORM.string:
        return a.value as string;
      case DW_FORM.strp:
        if (!s.str) throw dwarfError('.debug_info', this.offset, 'DW_FORM_strp used but .debug_str is missing');
        return stringAt(s.str, a.value as number, '.debug_str');
      case DW_FORM.line_strp:
        if (!s.lineStr) throw dwarfError('.debug_info', this.offset, 'DW_FORM_line_strp used but .debug_line_str is missing');
        return stringAt(s.lineStr, a.value as number, '.debug_line_str');
      case DW_FORM.strx:
      case DW_FORM.strx1:
      case DW_FORM.strx2:
      case DW_FORM.strx3:
      case DW_FORM.strx4:
      case DW_FORM.GNU_str_index: {
        if (!s.strOffsets || !s.str) throw dwarfError('.debug_info', this.offset, 'DW_FORM_strx used but .debug_str_offsets or .debug_str is missing');
        const size = this.is64 ? 8 : 4;
        // Without DW_AT_str_offsets_base, the first contribution's header (8 or 16 bytes) is skipped.
        const base = this.strOffsetsBase >= 0 ? this.strOffsetsBase : this.is64 ? 16 : 8;
        const r = new DwarfReader(s.strOffsets, '.debug_str_offsets', 0);
        r.seek(Math.min(base + (a.value as number) * size, s.strOffsets.length));
        return stringAt(s.str, r.sectionOffset(this.is64), '.debug_str');
      }
      default:
        return undefined;
    }
  }

  /** Address, constant or offset values; addrx forms are looked up in .debug_addr. */
  numberValue(a: Attribute): number {
    switch (a.form) {
      case DW_FORM.addrx:
      case DW_FORM.addrx1:
      case DW_FORM.addrx2:
      case DW_FORM.addrx3:
      case DW_FORM.addrx4:
      case DW_FORM.GNU_addr_index:
        return this.addressAtIndex(a.value as number);
    }
    const v = a.value;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return Number(v);
    throw dwarfError('.debug_info', this.offset, `attribute 0x${a.name.toString(16)} (form 0x${a.form.toString(16)}) is not a number`);
  }

  referenceValue(a: Attribute): number {
    const v = a.value;
    if (typeof v !== 'number') throw dwarfError('.debug_info', this.offset, `attribute 0x${a.name.toString(16)} (form 0x${a.form.toString(16)}) is not a reference`);
    return v;
  }

  addressAtIndex(index: number): number {
    const data = this.info.sections.addr;
    if (!data) throw dwarfError('.debug_info', this.offset, 'DW_FORM_addrx used but .debug_addr is missing');
    const base = this.addrBase >= 0 ? this.addrBase : 8;
    const r = new DwarfReader(data, '.debug_addr', 0);
    r.seek(Math.min(base + index * this.addressSize, data.length));
    return r.address(this.addressSize);
  }

  /** DIE ranges: low_pc/high_pc, else DW_AT_ranges (DWARF 5 section 2.17). */
  dieRanges(die: Die): PcRange[] {
    const lowAttr = die.attr(DW_AT.low_pc);
    const highAttr = die.attr(DW_AT.high_pc);
    if (lowAttr && highAttr) {
      const low = this.numberValue(lowAttr);
      const isAddressForm = highAttr.form === DW_FORM.addr || (highAttr.form >= DW_FORM.addrx1 && highAttr.form <= DW_FORM.addrx4) || highAttr.form === DW_FORM.addrx || highAttr.form === DW_FORM.GNU_addr_index;
      const high = isAddressForm ? this.numberValue(highAttr) : low + this.numberValue(highAttr);
      return high > low ? [{ low, high }] : [];
    }
    const rangesAttr = die.attr(DW_AT.ranges);
    if (rangesAttr) {
      this.root();
      return this.version >= 5 ? this.readRngList(rangesAttr) : this.readRanges(this.numberValue(rangesAttr));
    }
    return [];
  }

  /** .debug_ranges (DWARF 2–4 section 2.17.3): address pairs, base-address selection entries. */
  private readRanges(offset: number): PcRange[] {
    const data = this.info.sections.ranges;
    if (!data) throw dwarfError('.debug_info', this.offset, 'DW_AT_ranges used but .debug_ranges is missing');
    const r = new DwarfReader(data, '.debug_ranges', 0);
    r.seek(offset);
    const max = this.addressSize === 8 ? 2 ** 64 - 1 : 2 ** (this.addressSize * 8) - 1;
    let base = this.lowPcBase;
    const out: PcRange[] = [];
    while (true) {
      const begin = r.address(this.addressSize);
      const end = r.address(this.addressSize);
      if (begin === 0 && end === 0) break;
      if (begin === max) {
        base = end;
        continue;
      }
      if (end > begin) out.push({ low: base + begin, high: base + end });
    }
    return out;
  }

  /** .debug_rnglists (DWARF 5 section 2.17.3 and 7.25). */
  private readRngList(a: Attribute): PcRange[] {
    const data = this.info.sections.rnglists;
    if (!data) throw dwarfError('.debug_info', this.offset, 'DW_AT_ranges used but .debug_rnglists is missing');
    let offset: number;
    if (a.form === DW_FORM.rnglistx) {
      const base = this.rnglistsBase >= 0 ? this.rnglistsBase : this.is64 ? 20 : 12;
      const size = this.is64 ? 8 : 4;
      const r = new DwarfReader(data, '.debug_rnglists', 0);
      r.seek(Math.min(base + (a.value as number) * size, data.length));
      offset = base + r.sectionOffset(this.is64);
    } else {
      offset = this.numberValue(a);
    }
    const r = new DwarfReader(data, '.debug_rnglists', 0);
    r.seek(offset);
    let base = this.lowPcBase;
    const out: PcRange[] = [];
    const add = (low: number, high: number) => {
      if (high > low) out.push({ low, high });
    };
    while (true) {
      const kindAt = r.offset;
      const kind = r.u8();
      switch (kind) {
        case 0: // DW_RLE_end_of_list
          return out;
        case 1: // DW_RLE_base_addressx
          base = this.addressAtIndex(r.uleb());
          break;
        case 2: {
          // DW_RLE_startx_endx
          const s = this.addressAtIndex(r.uleb());
          add(s, this.addressAtIndex(r.uleb()));
          break;
        }
        case 3: {
          // DW_RLE_startx_length
          const s = this.addressAtIndex(r.uleb());
          add(s, s + r.uleb());
          break;
        }
        case 4: {
          // DW_RLE_offset_pair
          const s = r.uleb();
          add(base + s, base + r.uleb());
          break;
        }
        case 5: // DW_RLE_base_address
          base = r.address(this.addressSize);
          break;
        case 6: {
          // DW_RLE_start_end
          const s = r.address(this.addressSize);
          add(s, r.address(this.addressSize));
          break;
        }
        case 7: {
          // DW_RLE_start_length
          const s = r.address(this.addressSize);
          add(s, s + r.uleb());
          break;
        }
        default:
          throw r.error(`unknown range list entry kind ${kind}`, kindAt);
      }
    }
  }
}

/** All units of .debug_info, with DIE lookup by offset. */
export class DebugInfoReader {
  readonly data: Uint8Array;
  readonly abbrevs: AbbrevCache;
  private unitList?: Unit[];
  private readonly dies = new Map<number, Die>();

  constructor(readonly sections: DwarfSections) {
    this.data = sections.info ?? new Uint8Array(0);
    this.abbrevs = new AbbrevCache(sections.abbrev);
  }

  units(): Unit[] {
    if (!this.unitList) {
      const list: Unit[] = [];
      let offset = 0;
      while (offset < this.data.length) {
        const u = new Unit(this, offset);
        list.push(u);
        offset = u.end;
      }
      this.unitList = list;
    }
    return this.unitList;
  }

  /** Compilation (and partial) units, excluding type units. */
  compileUnits(): Unit[] {
    return this.units().filter((u) => u.unitType !== DW_UT.type && u.unitType !== DW_UT.split_type);
  }

  unitAt(offset: number): Unit | undefined {
    const units = this.units();
    const lo = countAtOrBelow(units, offset, (e) => e.offset);
    const u = units[lo - 1];
    return u && offset < u.end ? u : undefined;
  }

  remember(die: Die): void {
    this.dies.set(die.offset, die);
  }

  /** The DIE at an absolute offset (reads it, and its parent chain is unknown, if not seen yet). */
  dieAt(offset: number): Die | undefined {
    const seen = this.dies.get(offset);
    if (seen) return seen;
    const unit = this.unitAt(offset);
    if (!unit) return undefined;
    const root = unit.root();
    if (offset === root.offset) return root;
    const die = unit.readDie(new DwarfReader(this.data, '.debug_info', offset, unit.end));
    if (die) this.dies.set(offset, die);
    return die;
  }
}

export const FUNCTION_TAGS = new Set<number>([DW_TAG.subprogram, DW_TAG.inlined_subroutine]);
