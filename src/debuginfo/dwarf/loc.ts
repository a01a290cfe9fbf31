// Location lists: .debug_loc (DWARF 2–4, section 2.6.2) and .debug_loclists (DWARF 5, section 7.29).
// Given a variable's DW_AT_location and a pc, picks the expression that applies there.

import { DW_FORM as DW_FORM_ } from './constants';
import type { Attribute, Unit } from './info';
import { DwarfReader, dwarfError } from './reader';
// Module-local copies: reading an imported binding in a hot loop costs a getter call per access
// under the CommonJS transform; a local const does not.
const DW_FORM = DW_FORM_;

export interface LocationListEntry {
  low: number;
  /** Exclusive. */
  high: number;
  expression: Uint8Array;
}

/** The single expression, or the list entries, a DW_AT_location (or DW_AT_frame_base) gives. */
export function locationEntries(unit: Unit, attr: Attribute): { expression: Uint8Array } | { list: LocationListEntry[] } {
  if (attr.value instanceof Uint8Array) return { expression: attr.value };
  if (unit.version >= 5) return { list: readLocLists(unit, attr) };
  return { list: readLoc(unit, unit.numberValue(attr)) };
}

/** The expression that applies at `pc`, or undefined where the variable has no location. */
export function locationAt(unit: Unit, attr: Attribute, pc: number): Uint8Array | undefined {
  const e = locationEntries(unit, attr);
  if ('expression' in e) return e.expression;
  for (const entry of e.list) if (pc >= entry.low && pc < entry.high) return entry.expression;
  return undefined;
}

function readLoc(unit: Unit, offset: number): LocationListEntry[] {
  const data = unit.info.sections.loc;
  if (!data) throw dwarfError('.debug_info', unit.offset, 'a location list is used but .debug_loc is missing');
  const r = new DwarfReader(data, '.debug_loc');
  r.seek(offset);
  const size = unit.addressSize;
  const max = size === 8 ? 2 ** 64 - 1 : 2 ** (size * 8) - 1;
  let base = unit.baseAddress;
  const out: LocationListEntry[] = [];
  while (true) {
    const begin = r.address(size);
    const end = r.address(size);
    if (begin === 0 && end === 0) return out;
    if (begin === max) {
      base = end;
      continue;
    }
    const expression = r.bytes(r.u16());
    if (end > begin) out.push({ low: base + begin, high: base + end, expression });
  }
}

function readLocLists(unit: Unit, attr: Attribute): LocationListEntry[] {
  const data = unit.info.sections.loclists;
  if (!data) throw dwarfError('.debug_info', unit.offset, 'a location list is used but .debug_loclists is missing');
  let offset: number;
  if (attr.form === DW_FORM.loclistx) {
    const base = unit.loclistsBase;
    const r = new DwarfReader(data, '.debug_loclists');
    r.seek(Math.min(base + (attr.value as number) * (unit.is64 ? 8 : 4), data.length));
    offset = base + r.sectionOffset(unit.is64);
  } else {
    offset = unit.numberValue(attr);
  }
  const r = new DwarfReader(data, '.debug_loclists');
  r.seek(offset);
  const size = unit.addressSize;
  let base = unit.baseAddress;
  const out: LocationListEntry[] = [];
  const push = (low: number, high: number) => {
    const expression = r.bytes(r.uleb());
    if (high > low) out.push({ low, high, expression });
  };
  while (true) {
    const at = r.offset;
    const kind = r.u8();
    switch (kind) {
      case 0: // DW_LLE_end_of_list
        return out;
      case 1: // DW_LLE_base_addressx
        base = unit.addressAtIndex(r.uleb());
        break;
      case 2: {
        // DW_LLE_startx_endx
        const s = unit.addressAtIndex(r.uleb());
        push(s, unit.addressAtIndex(r.uleb()));
        break;
      }
      case 3: {
        // DW_LLE_startx_length
        const s = unit.addressAtIndex(r.uleb());
        push(s, s + r.uleb());
        break;
      }
      case 4: {
        // DW_LLE_offset_pair
        const s = r.uleb();
        push(base + s, base + r.uleb());
        break;
      }
      case 5: // DW_LLE_default_location
        push(0, Number.MAX_SAFE_INTEGER);
        break;
      case 6: // DW_LLE_base_address
        base = r.address(size);
        break;
      case 7: {
        // DW_LLE_start_end
        const s = r.address(size);
        push(s, r.address(size));
        break;
      }
      case 8: {
        // DW_LLE_start_length
        const s = r.address(size);
        push(s, s + r.uleb());
        break;
      }
      default:
        throw r.error(`unknown location list entry kind ${kind}`, at);
    }
  }
}
