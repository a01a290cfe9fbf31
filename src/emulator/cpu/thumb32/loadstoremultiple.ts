// Load/store multiple (A5.3.5: LDM, LDMDB, STM, STMDB, PUSH.W, POP.W) and load/store dual,
// exclusive and table branch (A5.3.6: LDRD, STRD, LDREX*, STREX*, TBB, TBH). All of these use MemA:
// a misaligned address raises an alignment UsageFault whatever CCR.UNALIGN_TRP says.

import type { Cpu, Profile } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { FaultKind, GuestFault } from '../fault';
import { bitCount, hexAddr, insn, reg, regList, undef } from './common';

/** Values loaded by LDM before any register is written, so a fault part-way through leaves the
 *  registers (and the base) untouched and the instruction can simply be restarted. */
const loaded = new Uint32Array(16);

/** Extra cycles when the PC is loaded or a branch is taken (pipeline refill). */
const REFILL = 2;

export function decodeLoadStoreMultiple(hw1: number, hw2: number, _address: number, _profile: Profile): Decoded {
  const op = (hw1 >>> 7) & 3;
  const w = (hw1 & 0x20) !== 0;
  const load = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const list = hw2;
  if (op === 0 || op === 3) return undef(hw1, hw2, 'SRS/RFE do not exist on M-profile');
  // SP in the list, or PC in an STM list, is UNPREDICTABLE (A7.7.40, A7.7.159); we refuse it.
  if ((list & 0x2000) !== 0 || (!load && (list & 0x8000) !== 0)) return undef(hw1, hw2, 'SP or PC in the register list');
  if (load && (list & 0xc000) === 0xc000) return undef(hw1, hw2, 'both LR and PC in an LDM list');
  if (w && (list & (1 << n)) !== 0) return undef(hw1, hw2, 'base register in the list with writeback');
  // PC as the base is UNPREDICTABLE; refusing it is the sanest choice.
  if (n === 15) return undef(hw1, hw2, 'LDM/STM with PC as base');
  const increment = op === 1;
  const count = bitCount(list);
  const size = count * 4;
  const writeback = w;
  const stack = n === 13 && w;
  const mnemonic = stack && !increment && !load ? 'push.w' : stack && increment && load ? 'pop.w'
    : `${load ? 'ldm' : 'stm'}${increment ? 'ia.w' : 'db'}`;
  const asm = mnemonic === 'push.w' || mnemonic === 'pop.w'
    ? () => `${mnemonic} ${regList(list)}`
    : () => `${mnemonic} ${reg(n)}${w ? '!' : ''}, ${regList(list)}`;
  let exec: Exec;
  if (load) {
    exec = (cpu) => {
      let a = increment ? cpu.r[n] : cpu.r[n] - size;
      for (let i = 0; i < 16; i++) {
        if (list & (1 << i)) { loaded[i] = cpu.readA32(a); a += 4; }
      }
      if (writeback) writeBase(cpu, n, increment ? cpu.r[n] + size : cpu.r[n] - size);
      for (let i = 0; i < 15; i++) {
        if (list & (1 << i)) cpu.r[i] = loaded[i];
      }
      if (list & 0x8000) { cpu.bxWritePc(loaded[15]); cpu.cycles += REFILL; }
      cpu.cycles += count;
    };
  } else {
    exec = (cpu) => {
      const base = cpu.r[n];
      let a = increment ? base : base - size;
      for (let i = 0; i < 15; i++) {
        if (list & (1 << i)) { cpu.writeA32(a, cpu.r[i]); a += 4; }
      }
      if (writeback) writeBase(cpu, n, increment ? base + size : base - size);
      cpu.cycles += count;
    };
  }
  return insn(exec, 1, asm);
}

function writeBase(cpu: Cpu, n: number, value: number): void {
  cpu.r[n] = n === 13 ? value & ~3 : value;
}

export function decodeDualExclusiveTable(hw1: number, hw2: number, address: number, profile: Profile): Decoded {
  const op1 = (hw1 >>> 7) & 3;
  const op2 = (hw1 >>> 4) & 3;
  if (op1 >= 2 || (op2 & 2) !== 0) return loadStoreDual(hw1, hw2, address);
  // The (1)/(0) bits of these encodings are checked: violating them is UNPREDICTABLE and we treat
  // it as UNDEFINED.
  if (op1 === 0) {
    if (op2 === 0) return storeExclusive(hw1, hw2, 4);
    return (hw2 & 0xf00) === 0xf00 ? loadExclusive(hw1, hw2, 4) : undef(hw1, hw2);
  }
  const op3 = (hw2 >>> 4) & 0xf;
  if (op2 === 0) {
    if ((hw2 & 0xf00) !== 0xf00) return undef(hw1, hw2);
    if (op3 === 4) return storeExclusive(hw1, hw2, 1);
    if (op3 === 5) return storeExclusive(hw1, hw2, 2);
    return undef(hw1, hw2);
  }
  if (op3 <= 1 && (hw2 & 0xff00) !== 0xf000) return undef(hw1, hw2);
  if (op3 >= 4 && (hw2 & 0xf0f) !== 0xf0f) return undef(hw1, hw2);
  switch (op3) {
    case 0: case 1: return tableBranch(hw1, hw2, address, op3 === 1);
    case 4: return loadExclusive(hw1, hw2, 1);
    case 5: return loadExclusive(hw1, hw2, 2);
    default:
      void profile;
      return undef(hw1, hw2);
  }
}

/** LDRD/STRD (immediate and literal), A7.7.50/A7.7.163: imm8 << 2, P/U/W addressing. */
function loadStoreDual(hw1: number, hw2: number, address: number): Decoded {
  const p = (hw1 & 0x100) !== 0;
  const u = (hw1 & 0x80) !== 0;
  const w = (hw1 & 0x20) !== 0;
  const load = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  const t2 = (hw2 >>> 8) & 0xf;
  const imm = (hw2 & 0xff) << 2;
  const offset = u ? imm : -imm;
  const name = load ? 'ldrd' : 'strd';
  if (!load && n === 15) return undef(hw1, hw2, 'STRD with PC as base');
  if (n === 15 && w) return undef(hw1, hw2, 'LDRD (literal) with writeback');
  const memText = n === 15 ? `[pc, #${offset}]\t; (${hexAddr(((address + 4) & ~3) + offset)})`
    : !p ? `[${reg(n)}], #${offset}` : `[${reg(n)}${offset === 0 && !w ? '' : `, #${offset}`}]${w ? '!' : ''}`;
  const asm = () => `${name} ${reg(t)}, ${reg(t2)}, ${memText}`;
  if (load && n === 15) {
    const target = (((address + 4) & ~3) + offset) >>> 0;
    return insn((cpu) => { const lo = cpu.readA32(target); const hi = cpu.readA32(target + 4); writeLoaded(cpu, t, lo); writeLoaded(cpu, t2, hi); }, 3, asm);
  }
  const pcValue = (address + 4) >>> 0;
  let exec: Exec;
  if (load) {
    exec = (cpu) => {
      const base = cpu.r[n];
      const offsetAddress = base + offset;
      const a = p ? offsetAddress : base;
      const lo = cpu.readA32(a);
      const hi = cpu.readA32(a + 4);
      // A7.7.50 writes Rt and Rt2 before the base (Rn = Rt/Rt2 with writeback is UNPREDICTABLE).
      writeLoaded(cpu, t, lo);
      writeLoaded(cpu, t2, hi);
      if (w) writeBase(cpu, n, offsetAddress);
    };
  } else {
    exec = (cpu) => {
      const base = cpu.r[n];
      const offsetAddress = base + offset;
      const a = p ? offsetAddress : base;
      cpu.writeA32(a, t === 15 ? pcValue : cpu.r[t]);
      cpu.writeA32(a + 4, t2 === 15 ? pcValue : cpu.r[t2]);
      if (w) writeBase(cpu, n, offsetAddress);
    };
  }
  return insn(exec, 3, asm);
}

/** LDRD into SP/PC is UNPREDICTABLE; keep SP aligned and treat PC as LoadWritePC. */
function writeLoaded(cpu: Cpu, t: number, value: number): void {
  if (t === 15) cpu.bxWritePc(value);
  else if (t === 13) cpu.r[13] = value & ~3;
  else cpu.r[t] = value;
}

/**
 * LDREX/LDREXB/LDREXH (A7.7.52ff): load and tag the address in the local monitor
 * (cpu.exclusiveAddress). We tag the exact address; the architecture allows any granule.
 */
function loadExclusive(hw1: number, hw2: number, size: 1 | 2 | 4): Decoded {
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  const imm = size === 4 ? (hw2 & 0xff) << 2 : 0;
  if (t === 13 || t === 15 || n === 15) return undef(hw1, hw2, 'LDREX with SP/PC operands');
  let exec: Exec;
  if (size === 4) {
    exec = (cpu) => { const a = (cpu.r[n] + imm) >>> 0; const v = cpu.readA32(a); cpu.exclusiveAddress = a; cpu.r[t] = v; };
  } else if (size === 2) {
    exec = (cpu) => { const a = cpu.r[n]; const v = cpu.readA16(a); cpu.exclusiveAddress = a; cpu.r[t] = v; };
  } else {
    exec = (cpu) => { const a = cpu.r[n]; const v = cpu.read8(a); cpu.exclusiveAddress = a; cpu.r[t] = v; };
  }
  const suffix = size === 4 ? '' : size === 2 ? 'h' : 'b';
  return insn(exec, 2, () => `ldrex${suffix} ${reg(t)}, [${reg(n)}${imm ? `, #${imm}` : ''}]`);
}

/**
 * STREX/STREXB/STREXH (A7.7.167ff): store only if the local monitor holds this address; Rd = 0 on
 * success, 1 on failure. Either way the monitor is cleared. The alignment check comes first
 * (ExclusiveMonitorsPass raises it even when the store would fail).
 */
function storeExclusive(hw1: number, hw2: number, size: 1 | 2 | 4): Decoded {
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  const d = size === 4 ? (hw2 >>> 8) & 0xf : hw2 & 0xf;
  const imm = size === 4 ? (hw2 & 0xff) << 2 : 0;
  const mask = size - 1;
  // SP/PC operands and Rd overlapping Rn or Rt are UNPREDICTABLE (A7.7.167); we refuse them.
  if (d === 13 || d === 15 || t === 13 || t === 15 || n === 15 || d === n || d === t) {
    return undef(hw1, hw2, 'STREX with SP/PC or overlapping operands');
  }
  const exec: Exec = (cpu) => {
    const a = (cpu.r[n] + imm) >>> 0;
    if ((a & mask) !== 0) throw new GuestFault(FaultKind.Unaligned, a);
    if (cpu.exclusiveAddress === a) {
      const v = cpu.r[t];
      if (size === 4) cpu.writeA32(a, v);
      else if (size === 2) cpu.writeA16(a, v & 0xffff);
      else cpu.write8(a, v & 0xff);
      cpu.r[d] = 0;
    } else {
      cpu.r[d] = 1;
    }
    cpu.exclusiveAddress = -1;
  };
  const suffix = size === 4 ? '' : size === 2 ? 'h' : 'b';
  return insn(exec, 2, () => `strex${suffix} ${reg(d)}, ${reg(t)}, [${reg(n)}${imm ? `, #${imm}` : ''}]`);
}

/** TBB/TBH (A7.7.185): branch forward by twice the byte/halfword at Rn + Rm (Rm << 1 for TBH). */
function tableBranch(hw1: number, hw2: number, address: number, half: boolean): Decoded {
  const n = hw1 & 0xf;
  const m = hw2 & 0xf;
  const pcValue = (address + 4) >>> 0;
  let exec: Exec;
  if (n === 15) {
    exec = half
      ? (cpu) => { cpu.nextPc = (pcValue + 2 * cpu.read16(pcValue + (cpu.r[m] << 1))) >>> 0; cpu.cycles += REFILL; }
      : (cpu) => { cpu.nextPc = (pcValue + 2 * cpu.read8(pcValue + cpu.r[m])) >>> 0; cpu.cycles += REFILL; };
  } else {
    exec = half
      ? (cpu) => { cpu.nextPc = (pcValue + 2 * cpu.read16(cpu.r[n] + (cpu.r[m] << 1))) >>> 0; cpu.cycles += REFILL; }
      : (cpu) => { cpu.nextPc = (pcValue + 2 * cpu.read8(cpu.r[n] + cpu.r[m])) >>> 0; cpu.cycles += REFILL; };
  }
  return insn(exec, 2, () => half ? `tbh [${reg(n)}, ${reg(m)}, lsl #1]` : `tbb [${reg(n)}, ${reg(m)}]`);
}
