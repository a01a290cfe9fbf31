// System control space registers: SCB, NVIC, SysTick and DWT views, per core.

import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { Cpu } from '../../../src/emulator/cpu/cpu';
import { Bus } from '../../../src/emulator/bus';
import { ExceptionModel, Exc } from '../../../src/emulator/exceptions';
import { SysTick } from '../../../src/emulator/scs/systick';

/** A machine with a valid vector table and `b .` at 0x100. */
function machine(chip = 'cortex-m3'): Machine {
  const m = new Machine(chipById(chip));
  const flash = m.chip.flash.base;
  m.poke(flash, 4, 0x20001000);
  m.poke(flash + 4, 4, (flash + 0x101) >>> 0);
  m.poke(flash + 0x100, 2, 0xe7fe);
  m.reset();
  return m;
}

describe('system control space', () => {
  it('CPUID per core', () => {
    assert.equal(machine('cortex-m0').peek(0xe000ed00, 4), 0x410cc200);
    assert.equal(machine('cortex-m3').peek(0xe000ed00, 4), 0x412fc231);
    assert.equal(machine('stm32f411re').peek(0xe000ed00, 4), 0x410fc241);
  });

  it('ICSR: pending and active state, VECTPENDING, ISRPENDING, PENDSV set/clear', () => {
    const m = machine();
    m.poke(0xe000e200, 4, 1 << 3); // ISPR: IRQ3 pending (not enabled)
    let icsr = m.peek(0xe000ed04, 4)!;
    assert.equal((icsr >>> 22) & 1, 1, 'ISRPENDING');
    assert.equal((icsr >>> 12) & 0x1ff, 0, 'VECTPENDING ignores disabled interrupts');
    m.poke(0xe000ed04, 4, 1 << 28);
    icsr = m.peek(0xe000ed04, 4)!;
    assert.equal((icsr >>> 28) & 1, 1, 'PENDSVSET reads back');
    m.poke(0xe000ed04, 4, 1 << 27);
    assert.equal((m.peek(0xe000ed04, 4)! >>> 28) & 1, 0, 'PENDSVCLR');
    m.setRegister('primask', 1);
    m.poke(0xe000e100, 4, 1 << 3);
    m.run({ maxInstructions: 2 });
    assert.equal((m.peek(0xe000ed04, 4)! >>> 12) & 0x1ff, 16 + 3, 'VECTPENDING = IRQ3');
    m.exceptions.active[Exc.SysTick] = 1;
    m.cpu.setModeAndControl(Exc.SysTick, 0);
    icsr = m.peek(0xe000ed04, 4)!;
    assert.equal(icsr & 0x1ff, 15, 'VECTACTIVE');
    assert.equal((icsr >>> 11) & 1, 1, 'RETTOBASE with one active exception');
  });

  it('VTOR, AIRCR key and PRIGROUP, SCR, CCR traps', () => {
    const m = machine();
    m.poke(0xe000ed08, 4, 0x20000080);
    assert.equal(m.peek(0xe000ed08, 4), 0x20000080);
    assert.equal(m.peek(0xe000ed0c, 4)! >>> 16, 0xfa05, 'VECTKEYSTAT');
    m.poke(0xe000ed0c, 4, 0x00000300); // no key: ignored
    assert.equal((m.peek(0xe000ed0c, 4)! >>> 8) & 7, 0);
    m.poke(0xe000ed0c, 4, 0x05fa0300);
    assert.equal((m.peek(0xe000ed0c, 4)! >>> 8) & 7, 3);
    m.poke(0xe000ed10, 4, 0x12);
    assert.equal(m.exceptions.sleepOnExit, true);
    assert.equal(m.exceptions.sevOnPend, true);
    assert.equal(m.peek(0xe000ed14, 4), 0x200, 'CCR resets with STKALIGN');
    m.poke(0xe000ed14, 4, 0x218);
    assert.equal(m.cpu.unalignTrap, true);
    assert.equal(m.cpu.divZeroTrap, true);
    assert.equal(m.peek(0xe000ed14, 4), 0x218);
  });

  it('SHPR and IPR byte access, masked to the implemented priority bits', () => {
    const m = machine(); // 3 bits: 0xe0
    m.poke(0xe000ed1f, 1, 0xff); // SVCall
    assert.equal(m.peek(0xe000ed1c, 4), 0xe0000000);
    assert.equal(m.exceptions.priority[Exc.SVCall], 0xe0);
    m.poke(0xe000e405, 1, 0x55); // IRQ5
    assert.equal(m.peek(0xe000e404, 4), 0x4000);
    m.poke(0xe000ed20, 4, 0xf0f00000); // PendSV, SysTick
    assert.equal(m.exceptions.priority[Exc.PendSV], 0xe0);
    const f4 = machine('stm32f411re'); // 4 bits
    f4.poke(0xe000e400, 1, 0xff);
    assert.equal(f4.peek(0xe000e400, 1), 0xf0);
  });

  it('SHCSR enables and CFSR/HFSR write-one-to-clear', () => {
    const m = machine();
    m.poke(0xe000ed24, 4, 0x70000);
    assert.equal(m.peek(0xe000ed24, 4), 0x70000);
    m.exceptions.cfsr = 0x00018200;
    m.exceptions.hfsr = 0x40000000;
    m.poke(0xe000ed29, 1, 0x82); // BFSR byte: clear PRECISERR and BFARVALID
    assert.equal(m.peek(0xe000ed28, 4), 0x00010000);
    m.poke(0xe000ed2a, 2, 1);
    assert.equal(m.peek(0xe000ed28, 4), 0);
    m.poke(0xe000ed2c, 4, 0x40000000);
    assert.equal(m.peek(0xe000ed2c, 4), 0);
  });

  it('NVIC enable/pending/active registers, ICTR, STIR', () => {
    const m = machine();
    m.poke(0xe000e104, 4, 0x3); // IRQ32, IRQ33
    assert.equal(m.peek(0xe000e104, 4), 3);
    assert.equal(m.peek(0xe000e184, 4), 3, 'ICER reads the enable state');
    m.poke(0xe000e184, 4, 1);
    assert.equal(m.peek(0xe000e104, 4), 2);
    m.setRegister('primask', 1);
    m.poke(0xe000ef00, 4, 33);
    assert.equal(m.peek(0xe000e204, 4), 2, 'STIR pended IRQ33');
    m.poke(0xe000e284, 4, 2);
    assert.equal(m.peek(0xe000e204, 4), 0);
    assert.equal(m.peek(0xe000e004, 4), 1, 'ICTR: 64 lines');
    assert.equal(m.peek(0xe000e108, 4), 0, 'beyond the implemented IRQs: RAZ');
  });

  it('unprivileged access to the SCS is a BusFault', () => {
    const m = machine();
    // ldr r0, [r1] at 0x104, then b .
    m.poke(0x104, 2, 0x6808);
    m.poke(0x106, 2, 0xe7fe);
    m.poke(0xe000ed24, 4, 1 << 17);
    m.setRegister('r1', 0xe000ed00);
    m.setRegister('control', 1); // unprivileged Thread mode
    m.setRegister('pc', 0x104);
    m.run({ maxInstructions: 3 });
    assert.equal(m.exceptions.bfar, 0xe000ed00);
    assert.ok((m.exceptions.cfsr & (1 << 9)) !== 0, 'PRECISERR');
  });

  it('CPACR is stored for the FPU (M4F) and read-as-zero without one', () => {
    const f4 = machine('stm32f411re');
    f4.poke(0xe000ed88, 4, 0x00f00000);
    assert.equal(f4.cpu.cpacr, 0x00f00000);
    assert.equal(f4.peek(0xe000ed88, 4), 0x00f00000);
    const m3 = machine('cortex-m3');
    m3.poke(0xe000ed88, 4, 0x00f00000);
    assert.equal(m3.peek(0xe000ed88, 4), 0);
  });

  it('DWT.CYCCNT counts core cycles only with DEMCR.TRCENA and CYCCNTENA', () => {
    const m = machine();
    m.poke(0xe0001000, 4, 1);
    m.run({ maxInstructions: 10 });
    assert.equal(m.peek(0xe0001004, 4), 0, 'TRCENA clear: not counting');
    m.poke(0xe000edfc, 4, 1 << 24);
    const before = m.cpu.cycles;
    m.run({ maxInstructions: 10 });
    assert.equal(m.peek(0xe0001004, 4), m.cpu.cycles - before);
    m.poke(0xe0001004, 4, 5);
    assert.equal(m.peek(0xe0001004, 4), 5);
    assert.equal(machine('cortex-m0').peek(0xe0001000, 4), null, 'no DWT cycle counter on ARMv6-M');
  });

  it('ARMv6-M subset: fixed CCR, no SHCSR/CFSR, priorities only in SHPR2/3 and IPR', () => {
    const m = machine('cortex-m0');
    assert.equal(m.peek(0xe000ed14, 4), 0x208);
    m.poke(0xe000ed24, 4, 0x70000);
    assert.equal(m.peek(0xe000ed24, 4), 0);
    m.poke(0xe000ed18, 4, 0xffffffff);
    assert.equal(m.peek(0xe000ed18, 4), 0, 'SHPR1 is reserved');
    m.poke(0xe000ed20, 4, 0xffffffff);
    assert.equal(m.peek(0xe000ed20, 4), 0xc0c00000, '2 bits of priority');
    assert.equal(m.peek(0xe000ed08, 4), 0, 'no VTOR on Cortex-M0');
    assert.equal(m.cpu.unalignTrap, true);
  });
});

describe('SysTick counting', () => {
  function systick(divider = 0) {
    const cpu = new Cpu(new Bus(), 'v7m');
    const exceptions = new ExceptionModel(cpu, { irqCount: 0, priorityBits: 3 }, {
      attention: () => {}, lockup: () => {}, faultTaken: () => {}, sleepOnExit: () => {},
    });
    return { cpu, exceptions, st: new SysTick(cpu, exceptions, divider, 0, () => {}) };
  }

  it('period RVR+1, COUNTFLAG on 1→0 cleared by reading CSR, TICKINT pends', () => {
    const { cpu, exceptions, st } = systick();
    st.writeRvr(99);
    st.writeCvr();
    st.writeCsr(7);
    assert.equal(st.nextEventCycle, 100);
    cpu.cycles = 1;
    assert.equal(st.readCvr(), 99, 'reloads on the first clock');
    cpu.cycles = 50;
    assert.equal(st.readCvr(), 50);
    cpu.cycles = 100;
    assert.equal(st.readCvr(), 0);
    st.advance();
    assert.equal(exceptions.pending[Exc.SysTick], 1);
    assert.equal(st.nextEventCycle, 200);
    assert.equal(st.readCsr(true) >>> 16, 1, 'COUNTFLAG');
    assert.equal(st.readCsr(true) >>> 16, 0, 'cleared by the read');
    cpu.cycles = 101;
    assert.equal(st.readCvr(), 99);
    cpu.cycles = 1050;
    assert.equal(st.readCvr(), 50);
  });

  it('writing CVR clears the counter and COUNTFLAG; RVR = 0 stops it; disabled it holds', () => {
    const { cpu, st } = systick();
    st.writeRvr(9);
    st.writeCsr(5); // enabled, no interrupt
    assert.equal(st.nextEventCycle, Infinity, 'no interrupt to schedule');
    cpu.cycles = 25;
    assert.equal(st.readCsr(false) >>> 16, 1);
    st.writeCvr();
    assert.equal(st.readCsr(false) >>> 16, 0);
    assert.equal(st.readCvr(), 0);
    cpu.cycles = 26;
    assert.equal(st.readCvr(), 9);
    st.writeCsr(4); // disable
    cpu.cycles = 40;
    assert.equal(st.readCvr(), 9, 'holds while disabled');
    st.writeRvr(0);
    st.writeCsr(5);
    cpu.cycles = 60;
    assert.equal(st.readCvr(), 0, 'counted down to 0 and stopped (RVR = 0)');
  });

  it('the external reference clock divides the core clock', () => {
    const { cpu, st } = systick(8);
    st.writeRvr(9);
    st.writeCsr(3); // CLKSOURCE = 0: reference clock
    assert.equal(st.nextEventCycle, 80);
    cpu.cycles = 8 * 5;
    assert.equal(st.readCvr(), 5);
    assert.equal(st.readCsr(false) & 4, 0);
  });
});
