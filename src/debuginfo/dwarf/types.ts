// Type DIEs (DWARF 5 section 5): display names and sizes, following typedefs, qualifiers, pointers
// and arrays. Rust names its pointer and reference types itself (`&str`, `*const u8`); C does not, so
// unnamed ones are spelled the C way.

import { DW_AT as DW_AT_, DW_TAG as DW_TAG_ } from './constants';
import type { Die } from './info';
// Module-local copies: reading an imported binding in a hot loop costs a getter call per access
// under the CommonJS transform; a local const does not.
const DW_AT = DW_AT_;
const DW_TAG = DW_TAG_;

const MAX_DEPTH = 16;

/** The display name of a type DIE (`undefined` type = void). */
export function typeName(type: Die | undefined, depth = 0): string {
  if (!type) return 'void';
  if (depth > MAX_DEPTH) return '…';
  const name = type.name();
  const target = () => type.referenced(DW_AT.type);
  switch (type.tag) {
    case DW_TAG.pointer_type:
      return name ?? `${typeName(target(), depth + 1)} *`;
    case 0x10: // DW_TAG_reference_type
      return name ?? `${typeName(target(), depth + 1)} &`;
    case DW_TAG.const_type:
      return name ?? `const ${typeName(target(), depth + 1)}`;
    case DW_TAG.volatile_type:
      return name ?? `volatile ${typeName(target(), depth + 1)}`;
    case DW_TAG.array_type: {
      if (name) return name;
      if (type.unit.root().number(DW_AT.language) === 0x1c /* DW_LANG_Rust */) {
        // Rust spells arrays `[T; N]`, the outer dimension last: `[[u8; 3]; 2]`.
        let text = typeName(target(), depth + 1);
        const counts = type.children().filter((c) => c.tag === DW_TAG.subrange_type).map(arrayCount).reverse();
        for (const n of counts) text = n === undefined ? `[${text}]` : `[${text}; ${n}]`;
        return text;
      }
      const dims = type
        .children()
        .filter((c) => c.tag === DW_TAG.subrange_type)
        .map((c) => {
          const n = arrayCount(c);
          return n === undefined ? '[]' : `[${n}]`;
        });
      return `${typeName(target(), depth + 1)}${dims.join('') || '[]'}`;
    }
    case DW_TAG.structure_type:
      return name ?? 'struct {…}';
    case DW_TAG.union_type:
      return name ?? 'union {…}';
    case DW_TAG.enumeration_type:
      return name ?? 'enum {…}';
    case DW_TAG.subroutine_type:
      return name ?? 'fn(…)';
    default:
      return name ?? '?';
  }
}

/** Element count of a DW_TAG_subrange_type (DW_AT_count, or upper_bound - lower_bound + 1). */
export function arrayCount(subrange: Die): number | undefined {
  const count = subrange.number(DW_AT.count);
  if (count !== undefined) return count;
  const upper = subrange.number(0x2f); // DW_AT_upper_bound
  if (upper === undefined) return undefined;
  const lower = subrange.number(0x22) ?? 0; // DW_AT_lower_bound
  return upper - lower + 1;
}

/** Size in bytes of a value of this type, when known. */
export function typeSize(type: Die | undefined, addressSize = 4, depth = 0): number | undefined {
  if (!type || depth > MAX_DEPTH) return undefined;
  const own = type.number(DW_AT.byte_size);
  if (own !== undefined) return own;
  switch (type.tag) {
    case DW_TAG.pointer_type:
    case 0x10:
      return addressSize;
    case DW_TAG.typedef:
    case DW_TAG.const_type:
    case DW_TAG.volatile_type:
      return typeSize(type.referenced(DW_AT.type), addressSize, depth + 1);
    case DW_TAG.array_type: {
      const element = typeSize(type.referenced(DW_AT.type), addressSize, depth + 1);
      if (element === undefined) return undefined;
      let n = 1;
      for (const c of type.children()) {
        if (c.tag !== DW_TAG.subrange_type) continue;
        const k = arrayCount(c);
        if (k === undefined) return undefined;
        n *= k;
      }
      return element * n;
    }
    default:
      return undefined;
  }
}

/** Strips typedefs and qualifiers. */
export function resolveType(type: Die | undefined): Die | undefined {
  let t = type;
  for (let i = 0; t && i < MAX_DEPTH; i++) {
    if (t.tag !== DW_TAG.typedef && t.tag !== DW_TAG.const_type && t.tag !== DW_TAG.volatile_type) return t;
    t = t.referenced(DW_AT.type);
  }
  return t;
}
