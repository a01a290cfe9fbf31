// .debug_abbrev: abbreviation tables (DWARF 5 section 7.5.3). Each compilation unit names the
// offset of its table; a table is read once and shared by every unit that points at it.

import { DW_FORM as DW_FORM_ } from './constants';
import { DwarfReader } from './reader';
// Module-local copies: reading an imported binding in a hot loop costs a getter call per access
// under the CommonJS transform; a local const does not.
const DW_FORM = DW_FORM_;

export interface AbbrevAttribute {
  name: number;
  form: number;
  /** The value of a DW_FORM_implicit_const attribute, stored in the abbreviation itself. */
  implicitConst: number;
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attributes: AbbrevAttribute[];
}

export type AbbrevTable = Map<number, Abbrev>;

export class AbbrevCache {
  private readonly tables = new Map<number, AbbrevTable>();

  constructor(private readonly data: Uint8Array | undefined) {}

  table(offset: number): AbbrevTable {
    let t = this.tables.get(offset);
    if (!t) {
      t = readAbbrevTable(this.data, offset);
      this.tables.set(offset, t);
    }
    return t;
  }
}

export function readAbbrevTable(data: Uint8Array | undefined, offset: number): AbbrevTable {
  const r = new DwarfReader(data ?? new Uint8Array(0), '.debug_abbrev', 0);
  if (!data) throw r.error('section is missing', offset);
  r.seek(offset);
  const table: AbbrevTable = new Map();
  while (true) {
    const code = r.uleb();
    if (code === 0) break;
    const at = r.offset;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const attributes: AbbrevAttribute[] = [];
    while (true) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      const implicitConst = form === DW_FORM.implicit_const ? r.sleb() : 0;
      attributes.push({ name, form, implicitConst });
    }
    if (table.has(code)) throw r.error(`duplicate abbreviation code ${code}`, at);
    table.set(code, { code, tag, hasChildren, attributes });
  }
  return table;
}
