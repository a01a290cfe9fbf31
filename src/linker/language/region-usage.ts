// How full each memory region is. When the script places output sections itself (link.x), the
// evaluator's count is used; a script with only MEMORY (memory.x) places nothing, so the linked
// ELF's sections are counted by address instead — each allocated section where it runs (VMA) and,
// if it has contents, where it is loaded from (LMA) — which is what ld would report for it.

import type { Analysis, LinkedProgram } from './analysis';

const SHF_ALLOC = 2;
const SHT_NOBITS = 8;
const PT_LOAD = 1;

export interface RegionUsage {
  name: string;
  origin: number;
  length: number;
  used: number;
  /** Where the number came from. */
  source: 'script' | 'elf' | 'none';
  /** Output sections counted in the region, with the address that put them there. */
  sections: { name: string; address: number; size: number; as: 'vma' | 'lma' }[];
}

export function loadAddress(elf: LinkedProgram, addr: number): number {
  for (const seg of elf.segments ?? []) {
    if (seg.type !== PT_LOAD) continue;
    if (addr >= seg.vaddr && addr < seg.vaddr + Math.max(seg.memsz, 1)) return seg.paddr + (addr - seg.vaddr);
  }
  return addr;
}

export function regionUsage(a: Analysis): RegionUsage[] {
  const placedByScript = a.layout.sections.some((s) => s.region !== undefined || s.lmaRegion !== undefined);
  return a.layout.regions.map((r) => {
    const sections: RegionUsage['sections'] = [];
    const end = r.origin + r.length;
    if (a.elf) {
      for (const s of a.elf.sections) {
        if (((s.flags ?? SHF_ALLOC) & SHF_ALLOC) === 0 || s.size === 0) continue;
        if (s.addr >= r.origin && s.addr < end) sections.push({ name: s.name, address: s.addr, size: s.size, as: 'vma' });
        else if (s.type !== SHT_NOBITS) {
          const lma = loadAddress(a.elf, s.addr);
          if (lma !== s.addr && lma >= r.origin && lma < end) sections.push({ name: s.name, address: lma, size: s.size, as: 'lma' });
        }
      }
    }
    if (placedByScript || !a.elf) {
      return { name: r.name, origin: r.origin, length: r.length, used: r.used, source: placedByScript ? 'script' : 'none', sections };
    }
    let used = 0;
    for (const s of sections) used = Math.max(used, s.address + s.size - r.origin);
    return { name: r.name, origin: r.origin, length: r.length, used, source: 'elf', sections };
  });
}
