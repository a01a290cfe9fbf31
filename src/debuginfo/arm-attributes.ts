// The .ARM.attributes section ("Addenda to, and Errata in, the ABI for the ARM Architecture",
// build attributes): which architecture and FPU the objects were built for. Used to pick a core when
// the user names no chip.

import type { ElfFile } from './elf';

export interface ArmBuildAttributes {
  /** Tag_CPU_name, e.g. "cortex-m4". */
  cpuName?: string;
  /** Tag_CPU_arch: 10 = v7, 11 = v6-M, 12 = v6S-M, 13 = v7E-M, 14 = v8, 16 = v8-M.main, … */
  cpuArch?: number;
  /** Tag_CPU_arch_profile: 'A', 'R', 'M' or 'S'. */
  cpuProfile?: string;
  /** Tag_FP_arch: 0 none, 2 VFPv2, 3/4 VFPv3, 5/6 VFPv4, 7 FPv5 (ARMv8). */
  fpArch?: number;
}

const TAG_FILE = 1;
const TAG_CPU_NAME = 5;
const TAG_CPU_ARCH = 6;
const TAG_CPU_ARCH_PROFILE = 7;
const TAG_FP_ARCH = 10;

/** Reads the public "aeabi" subsection's file-scope attributes; undefined if absent or malformed. */
export function readArmAttributes(elf: ElfFile): ArmBuildAttributes | undefined {
  const data = elf.sectionData('.ARM.attributes');
  if (!data || data.length < 1 || data[0] !== 0x41 /* 'A' */) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 1;
  while (pos + 4 <= data.length) {
    const length = view.getUint32(pos, true);
    const end = pos + length;
    if (length < 5 || end > data.length) return undefined;
    let p = pos + 4;
    const vendorEnd = data.indexOf(0, p);
    if (vendorEnd < 0 || vendorEnd >= end) return undefined;
    const vendor = String.fromCharCode(...data.subarray(p, vendorEnd));
    p = vendorEnd + 1;
    if (vendor === 'aeabi') return readSubsection(data, view, p, end);
    pos = end;
  }
  return undefined;
}

function readSubsection(data: Uint8Array, view: DataView, pos: number, end: number): ArmBuildAttributes | undefined {
  const attrs: ArmBuildAttributes = {};
  while (pos + 5 <= end) {
    const tag = data[pos];
    const size = view.getUint32(pos + 1, true);
    const stop = pos + size;
    if (size < 5 || stop > end) return undefined;
    if (tag === TAG_FILE) {
      let p = pos + 5;
      const uleb = (): number => {
        let value = 0;
        let shift = 0;
        while (p < stop) {
          const b = data[p++];
          value += (b & 0x7f) * 2 ** shift;
          if ((b & 0x80) === 0) break;
          shift += 7;
        }
        return value;
      };
      const str = (): string => {
        const z = data.indexOf(0, p);
        const s = String.fromCharCode(...data.subarray(p, z < 0 || z > stop ? stop : z));
        p = z < 0 ? stop : z + 1;
        return s;
      };
      while (p < stop) {
        const t = uleb();
        if (t === TAG_CPU_NAME) attrs.cpuName = str();
        else if (t === TAG_CPU_ARCH) attrs.cpuArch = uleb();
        else if (t === TAG_CPU_ARCH_PROFILE) attrs.cpuProfile = String.fromCharCode(uleb());
        else if (t === TAG_FP_ARCH) attrs.fpArch = uleb();
        // Tags 4, 5, 32, 65, 67 and odd tags above 32 are strings (ABI rule: tag % 2 == 1 above 32).
        else if (t === 4 || t === 67 || (t > 32 && t % 2 === 1)) str();
        else if (t === 32) { uleb(); str(); } // Tag_compatibility: flag, then a name
        else uleb();
      }
    }
    pos = stop;
  }
  return attrs;
}
