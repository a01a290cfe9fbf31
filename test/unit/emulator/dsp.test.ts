// DSP extension unit tests: GE flags, saturation and Q, SEL, halving, multiplies.
import { strict as assert } from 'node:assert';
import { Bus } from '../../../src/emulator/bus';
import { Cpu } from '../../../src/emulator/cpu/cpu';
import { decodeDsp32 } from '../../../src/emulator/cpu/dsp';

function machine(): Cpu {
  return new Cpu(new Bus(), 'v7em');
}
function run(cpu: Cpu, hw1: number, hw2: number): void {
  const d = decodeDsp32(hw1, hw2, 0, 'v7em');
  assert.ok(d, 'decodes');
  d.exec(cpu);
}

describe('dsp', () => {
  it('is not decoded on ARMv7-M', () => {
    assert.equal(decodeDsp32(0xfa81, 0xf002, 0, 'v7m'), null);
  });

  it('SADD8 / UADD8 set GE per byte', () => {
    const cpu = machine();
    cpu.r[1] = 0x7f80ff01;
    cpu.r[2] = 0x01807f01;
    run(cpu, 0xfa81, 0xf002); // sadd8 r0, r1, r2
    assert.equal(cpu.r[0], 0x80007e02);
    assert.equal(cpu.ge, 0b1011);
    run(cpu, 0xfa81, 0xf042); // uadd8 r0, r1, r2
    assert.equal(cpu.r[0], 0x80007e02);
    assert.equal(cpu.ge, 0b0110);
  });

  it('SEL picks bytes by GE', () => {
    const cpu = machine();
    cpu.r[1] = 0x11223344;
    cpu.r[2] = 0xaabbccdd;
    cpu.ge = 0b0101;
    run(cpu, 0xfaa1, 0xf082); // sel r0, r1, r2
    assert.equal(cpu.r[0], 0xaa22cc44);
  });

  it('QADD / QDSUB saturate and set Q', () => {
    const cpu = machine();
    cpu.r[1] = 0x7fffffff;
    cpu.r[2] = 1;
    run(cpu, 0xfa82, 0xf081); // qadd r0, r1, r2
    assert.equal(cpu.r[0], 0x7fffffff);
    assert.equal(cpu.q, true);
    cpu.q = false;
    cpu.r[1] = 0;
    cpu.r[2] = 0x40000000;
    run(cpu, 0xfa82, 0xf0b1); // qdsub r0, r1, r2: 0 - sat(2 * 2^30)
    assert.equal(cpu.r[0], 0x80000001);
    assert.equal(cpu.q, true);
  });

  it('SHSUB16 halves and UQSUB8 clamps at zero', () => {
    const cpu = machine();
    cpu.r[1] = 0x80000001;
    cpu.r[2] = 0x7fff0003;
    run(cpu, 0xfad1, 0xf022); // shsub16 r0, r1, r2
    assert.equal(cpu.r[0], 0x8000ffff);
    run(cpu, 0xfac1, 0xf052); // uqsub8 r0, r1, r2
    assert.equal(cpu.r[0], 0x01000000);
  });

  it('SMLABB sets Q on overflow; SMMULR rounds; SMLALD accumulates 64-bit', () => {
    const cpu = machine();
    cpu.r[1] = 0x8000;
    cpu.r[2] = 0x8000;
    cpu.r[3] = 0x7fffffff;
    run(cpu, 0xfb11, 0x3002); // smlabb r0, r1, r2, r3
    assert.equal(cpu.r[0], 0xbfffffff);
    assert.equal(cpu.q, true);
    cpu.r[1] = 0x40000000;
    cpu.r[2] = 0x00000003;
    run(cpu, 0xfb51, 0xf012); // smmulr r0, r1, r2
    assert.equal(cpu.r[0], 1);
    cpu.r[0] = 0xffffffff;
    cpu.r[3] = 0;
    cpu.r[1] = 0x00020002;
    cpu.r[2] = 0x00030003;
    run(cpu, 0xfbc1, 0x03c2); // smlald r0, r3, r1, r2
    assert.equal(cpu.r[0], 11);
    assert.equal(cpu.r[3], 1);
  });

  it('SSAT16 / USAT16 saturate each halfword', () => {
    const cpu = machine();
    cpu.r[1] = 0x7fff8000;
    run(cpu, 0xf321, 0x0007); // ssat16 r0, #8, r1
    assert.equal(cpu.r[0], 0x007fff80);
    assert.equal(cpu.q, true);
    run(cpu, 0xf3a1, 0x0008); // usat16 r0, #8, r1
    assert.equal(cpu.r[0], 0x00ff0000);
  });

  it('UXTAB16 and PKHTB', () => {
    const cpu = machine();
    cpu.r[1] = 0x00010002;
    cpu.r[2] = 0x11ff22ff;
    run(cpu, 0xfa31, 0xf082); // uxtab16 r0, r1, r2
    assert.equal(cpu.r[0], 0x01000101);
    cpu.r[1] = 0xaaaa0000;
    cpu.r[2] = 0x80000000;
    run(cpu, 0xeac1, 0x0022); // pkhtb r0, r1, r2, asr #32
    assert.equal(cpu.r[0], 0xaaaaffff);
  });
});
