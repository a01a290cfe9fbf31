// What the hand-encoded instruction tests share: a Cpu on a bus with one executable RAM region,
// hooks that record the SVC/BKPT/WFI/WFE/SEV/mask-change calls, instructions placed as halfwords
// in RAM, the NZCV flags read and written as a string ("NZCV" letters present = set), and
// little-endian byte images of halfwords and words for tests that load code into a Machine.

import { Bus } from '../../../src/emulator/bus';
import { Cpu, type CpuHooks, type Profile } from '../../../src/emulator/cpu/cpu';

export const CODE = 0x20000000;
export const DATA = 0x20001000;
export const STACK = 0x20002000;

export interface CpuTestMachine {
  cpu: Cpu;
  bus: Bus;
  /** The hooks called, in order: `svc 3`, `bkpt 1`, `wfi`, `wfe`, `sev`, `mask`. */
  calls: string[];
}

/** A Cpu with 16 KiB of RAM at CODE (code, data and stack), PC at CODE and SP at STACK. */
export function machine(profile: Profile = 'v7m'): CpuTestMachine {
  const bus = new Bus();
  bus.addRam('ram', 0x20000000, 0x4000, { writable: true, executable: true });
  const cpu = new Cpu(bus, profile);
  const calls: string[] = [];
  const hooks: CpuHooks = {
    svc: (imm) => { calls.push(`svc ${imm}`); },
    bkpt: (imm) => { calls.push(`bkpt ${imm}`); },
    wfi: () => { calls.push('wfi'); },
    wfe: () => { calls.push('wfe'); },
    sev: () => { calls.push('sev'); },
    priorityMaskChanged: () => { calls.push('mask'); },
  };
  cpu.hooks = hooks;
  cpu.pc = CODE;
  cpu.r[13] = STACK;
  return { cpu, bus, calls };
}

/** Place halfwords at `at` and point the PC there. */
export function load(m: CpuTestMachine, halfwords: number[], at = CODE): void {
  halfwords.forEach((h, i) => m.bus.poke(at + 2 * i, 2, h));
  m.cpu.pc = at;
}

export function setFlags(cpu: Cpu, flags: string): void {
  cpu.n = flags.includes('N');
  cpu.z = flags.includes('Z');
  cpu.c = flags.includes('C');
  cpu.v = flags.includes('V');
}

export function flags(cpu: Cpu): string {
  return `${cpu.n ? 'N' : ''}${cpu.z ? 'Z' : ''}${cpu.c ? 'C' : ''}${cpu.v ? 'V' : ''}`;
}

/** Halfwords as little-endian bytes (Thumb code for a memory image). */
export function halfwords(...h: number[]): Uint8Array {
  const out = new Uint8Array(h.length * 2);
  h.forEach((v, i) => { out[2 * i] = v & 0xff; out[2 * i + 1] = v >> 8; });
  return out;
}

/** Words as little-endian bytes (vector tables and literal pools for a memory image). */
export function words(...w: number[]): Uint8Array {
  const out = new Uint8Array(w.length * 4);
  const view = new DataView(out.buffer);
  w.forEach((v, i) => view.setUint32(4 * i, v >>> 0, true));
  return out;
}
