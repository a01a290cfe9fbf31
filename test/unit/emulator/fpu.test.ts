// FPv4-SP / FPv5 unit tests: rounding in every mode, NaN rules, FZ/DN/AHP, exception flags, the
// CPACR check and lazy FP context preservation. Encodings are from the ARMv7-M ARM (A7.7).
import { strict as assert } from 'node:assert';
import { Bus } from '../../../src/emulator/bus';
import { Cpu } from '../../../src/emulator/cpu/cpu';
import { GuestFault } from '../../../src/emulator/cpu/fault';
import { decodeFp32 } from '../../../src/emulator/cpu/fpu/vfp-decode';
import { Fpccr, popFpContext, pushFpContext } from '../../../src/emulator/cpu/fpu/fp-state';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bits = (x: number) => { f32[0] = x; return u32[0]; };

function machine(double = false): Cpu {
  const bus = new Bus();
  bus.addRam('ram', 0x20000000, 0x1000, { writable: true, executable: true });
  const cpu = new Cpu(bus, 'v7em');
  cpu.hasFpu = true;
  cpu.hasDoubleFpu = double;
  cpu.cpacr = 0xf << 20;
  return cpu;
}
function run(cpu: Cpu, hw1: number, hw2: number): void {
  const d = decodeFp32(hw1, hw2, 0x20000000, 'v7em');
  assert.ok(d, 'decodes');
  d.exec(cpu);
}
const RMODE = (m: number) => m << 22;
// vadd.f32 s0, s1, s2 = ee30 0a81; vmul.f32 s0, s1, s2 = ee20 0a81; vdiv.f32 s0, s1, s2 = ee80 0a81
// vfma.f32 s0, s1, s2 = eea0 0a81; vsqrt.f32 s0, s1 = eeb1 0ae0; vcmpe.f32 s0, s1 = eeb4 0ae0
// vcvt.s32.f32 s0, s1 = eebd 0ae0; vcvtr.s32.f32 s0, s1 = eebd 0a60; vcvtb.f16.f32 s0, s1 = eeb3 0a60

describe('fpu', () => {
  it('adds with correct rounding in all four modes (1 + 2^-24 + 2^-30: just above a midpoint)', () => {
    const cpu = machine();
    for (const [mode, expected] of [[0, 0x3f800001], [1, 0x3f800001], [2, 0x3f800000], [3, 0x3f800000]]) {
      cpu.fpscr = RMODE(mode);
      cpu.fpRegs[1] = 0x3f800000;
      cpu.fpRegs[2] = bits(2 ** -24 + 2 ** -30);
      run(cpu, 0xee30, 0x0a81);
      assert.equal(cpu.fpRegs[0], expected, `mode ${mode}`);
      assert.equal(cpu.fpscr & 0x10, 0x10, 'IXC');
    }
  });

  it('rounds ties to even and directed modes on negative results', () => {
    const cpu = machine();
    cpu.fpRegs[1] = 0xbf800000; // -1
    cpu.fpRegs[2] = bits(-(2 ** -24)); // exactly half an ulp below
    cpu.fpscr = RMODE(0);
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0xbf800000, 'RN tie to even');
    cpu.fpscr = RMODE(2);
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0xbf800001, 'RM away from zero');
  });

  it('gives -0 for x - x only when rounding towards minus infinity', () => {
    const cpu = machine();
    cpu.fpRegs[1] = 0x3f800000;
    cpu.fpRegs[2] = 0xbf800000;
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0);
    cpu.fpscr = RMODE(2);
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0x80000000);
  });

  it('overflows to infinity or the largest normal per mode with OFC|IXC', () => {
    const cpu = machine();
    for (const [mode, expected] of [[0, 0x7f800000], [1, 0x7f800000], [2, 0x7f7fffff], [3, 0x7f7fffff]]) {
      cpu.fpscr = RMODE(mode);
      cpu.fpRegs[1] = 0x7f7fffff;
      cpu.fpRegs[2] = 0x40000000;
      run(cpu, 0xee20, 0x0a81);
      assert.equal(cpu.fpRegs[0], expected);
      assert.equal(cpu.fpscr & 0x14, 0x14);
    }
  });

  it('produces denormals with UFC, or flushes them with FZ (UFC, no IXC; IDC on inputs)', () => {
    const cpu = machine();
    cpu.fpRegs[1] = 0x00800000; // min normal
    cpu.fpRegs[2] = bits(0.75);
    run(cpu, 0xee20, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0x00600000);
    assert.equal(cpu.fpscr & 0x18, 0, 'exact tiny result: no UFC');
    cpu.fpRegs[2] = bits(0.7);
    run(cpu, 0xee20, 0x0a81);
    assert.equal(cpu.fpscr & 0x18, 0x18, 'inexact tiny: UFC|IXC');
    cpu.fpscr = 1 << 24;
    run(cpu, 0xee20, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0);
    assert.equal(cpu.fpscr & 0x9f, 0x08);
    cpu.fpscr = 1 << 24;
    cpu.fpRegs[1] = 0x00000001;
    cpu.fpRegs[2] = 0x3f800000;
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0x3f800000);
    assert.equal(cpu.fpscr & 0x80, 0x80, 'IDC');
  });

  it('propagates NaNs: signalling first (quietened, IOC), first operand first, DN', () => {
    const cpu = machine();
    cpu.fpRegs[1] = 0x7fc00001;
    cpu.fpRegs[2] = 0x7f800002;
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0x7fc00002);
    assert.equal(cpu.fpscr & 1, 1);
    cpu.fpscr = 0;
    cpu.fpRegs[2] = 0xffc00003;
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0x7fc00001);
    assert.equal(cpu.fpscr & 1, 0);
    cpu.fpscr = 1 << 25;
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0x7fc00000);
  });

  it('divides by zero (DZC) and takes invalid square roots (IOC, default NaN)', () => {
    const cpu = machine();
    cpu.fpRegs[1] = 0xbf800000;
    cpu.fpRegs[2] = 0;
    run(cpu, 0xee80, 0x0a81);
    assert.equal(cpu.fpRegs[0], 0xff800000);
    assert.equal(cpu.fpscr & 2, 2);
    run(cpu, 0xeeb1, 0x0ae0);
    assert.equal(cpu.fpRegs[0], 0x7fc00000);
    assert.equal(cpu.fpscr & 1, 1);
  });

  it('fuses multiply-add with a single rounding', () => {
    const cpu = machine();
    const a = 1 + 2 ** -12;
    cpu.fpRegs[1] = bits(a);
    cpu.fpRegs[2] = bits(a);
    cpu.fpRegs[0] = bits(-(1 + 2 ** -11)); // a*a - that = 2^-24 exactly
    run(cpu, 0xeea0, 0x0a81);
    assert.equal(cpu.fpRegs[0], bits(2 ** -24));
    assert.equal(cpu.fpscr & 0x10, 0, 'exact');
  });

  it('compares (VCMPE raises IOC on quiet NaNs) and converts with saturation', () => {
    const cpu = machine();
    cpu.fpRegs[0] = 0x7fc00000;
    cpu.fpRegs[1] = 0;
    run(cpu, 0xeeb4, 0x0ae0);
    assert.equal(cpu.fpscr >>> 28, 0x3);
    assert.equal(cpu.fpscr & 1, 1);
    cpu.fpscr = 0;
    cpu.fpRegs[1] = bits(3e9);
    run(cpu, 0xeebd, 0x0ae0);
    assert.equal(cpu.fpRegs[0], 0x7fffffff);
    assert.equal(cpu.fpscr & 1, 1);
    cpu.fpscr = RMODE(0);
    cpu.fpRegs[1] = bits(-2.5);
    run(cpu, 0xeebd, 0x0a60); // vcvtr: ties to even
    assert.equal(cpu.fpRegs[0] | 0, -2);
    run(cpu, 0xeebd, 0x0ae0); // vcvt: towards zero
    assert.equal(cpu.fpRegs[0] | 0, -2);
    cpu.fpRegs[1] = bits(-2.7);
    run(cpu, 0xeebd, 0x0ae0);
    assert.equal(cpu.fpRegs[0] | 0, -2);
    assert.equal(cpu.fpscr & 0x10, 0x10);
  });

  it('converts to half precision, IEEE and alternative formats', () => {
    const cpu = machine();
    cpu.fpRegs[0] = 0xabcd0000;
    cpu.fpRegs[1] = bits(65520); // rounds to infinity in IEEE half
    run(cpu, 0xeeb3, 0x0a60);
    assert.equal(cpu.fpRegs[0], 0xabcd7c00);
    cpu.fpscr = 1 << 26; // AHP: 65520 is representable-ish (rounds to 65536)
    run(cpu, 0xeeb3, 0x0a60);
    assert.equal(cpu.fpRegs[0], 0xabcd7c00);
    cpu.fpRegs[1] = 0x7f800000; // infinity under AHP: max with IOC
    run(cpu, 0xeeb3, 0x0a60);
    assert.equal(cpu.fpRegs[0], 0xabcd7fff);
    assert.equal(cpu.fpscr & 1, 1);
  });

  it('raises NOCP when CPACR denies access or the core has no FPU', () => {
    const cpu = machine();
    cpu.cpacr = 0;
    assert.throws(() => run(cpu, 0xee30, 0x0a81), (e: unknown) => e instanceof GuestFault && e.kind === 'NOCP');
    cpu.cpacr = 0x5 << 20; // privileged only
    cpu.control = 1; // unprivileged thread
    assert.throws(() => run(cpu, 0xee30, 0x0a81), (e: unknown) => e instanceof GuestFault && e.kind === 'NOCP');
    cpu.control = 0;
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.control & 4, 4, 'CONTROL.FPCA set by the first FP instruction');
    cpu.hasFpu = false;
    assert.throws(() => run(cpu, 0xee30, 0x0a81), (e: unknown) => e instanceof GuestFault && e.kind === 'NOCP');
  });

  it('treats double precision as UNDEFINED on FPv4-SP and computes it on FPv5', () => {
    const sp = machine(false);
    // vadd.f64 d0, d1, d2 = ee31 0b02
    assert.throws(() => run(sp, 0xee31, 0x0b02), (e: unknown) => e instanceof GuestFault && e.kind === 'UNDEFINSTR');
    const dp = machine(true);
    const f64 = new Float64Array([0.1, 0.2]);
    const w = new Uint32Array(f64.buffer);
    dp.fpRegs.set(w, 2);
    run(dp, 0xee31, 0x0b02);
    const out = new Float64Array(new Uint32Array([dp.fpRegs[0], dp.fpRegs[1]]).buffer)[0];
    assert.equal(out, 0.1 + 0.2);
  });

  it('loads FPSCR defaults from FPDSCR for a new context and preserves state lazily', () => {
    const cpu = machine();
    cpu.fpdscr = RMODE(3);
    cpu.fpccr = Fpccr.ASPEN | Fpccr.LSPEN;
    run(cpu, 0xee30, 0x0a81);
    assert.equal((cpu.fpscr >>> 22) & 3, 3);
    // exception entry: reserve the space, registers still live
    cpu.fpRegs[0] = 0x12345678;
    pushFpContext(cpu, 0x20000100);
    assert.equal(cpu.fpccr & Fpccr.LSPACT, Fpccr.LSPACT);
    assert.equal(cpu.bus.read32(0x20000100), 0, 'nothing written yet');
    cpu.control &= ~4;
    // first FP instruction in the handler saves S0-S15 and FPSCR to FPCAR
    run(cpu, 0xee30, 0x0a81);
    assert.equal(cpu.bus.read32(0x20000100), 0x12345678);
    assert.equal(cpu.fpccr & Fpccr.LSPACT, 0);
    cpu.fpRegs[0] = 0;
    popFpContext(cpu, 0x20000100);
    assert.equal(cpu.fpRegs[0], 0x12345678, 'restored on return');
  });
});
