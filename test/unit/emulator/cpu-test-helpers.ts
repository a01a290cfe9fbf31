// What the hand-encoded instruction tests share: a Cpu on a bus with one executable RAM region,
// hooks that record the SVC/BKPT/WFI/WFE/SEV/mask-change calls, instructions placed as halfwords
// in RAM, and the NZCV flags read and written as a string ("NZCV" letters present = set).

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
