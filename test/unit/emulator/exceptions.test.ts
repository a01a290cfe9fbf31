// The exception model against the ARMv7-M ARM rules (B1.5): preemption, tail-chaining, priority
// grouping, fault escalation, lockup, SVC on the process stack, SysTick timing, WFI/WFE and
// SYSRESETREQ. The program below is hand-assembled (arm-none-eabi-as, then embedded as bytes) for
// the generic Cortex-M3 (flash at 0, SRAM at 0x20000000, 3 priority bits).
//
//   vectors: SP=0x20008000, Reset, NMI, HardFault, MemManage, BusFault, UsageFault, …, SVCall, …,
//            PendSV, SysTick, IRQ0, IRQ1, IRQ2
//   0x080 reset:   counter at 0x20000000 += 1; if it is 3: bkpt #1, else AIRCR = 0x05FA0004 (SYSRESETREQ)
//   0x09c nmi_h: bkpt #2 | 0x09e hard_h: bkpt #3 | 0x0a0 mm_h: bkpt #4 | 0x0a2 bus_h: bkpt #5 | 0x0a4 usage_h: bkpt #6
//   0x0a6 svc_h:   mov r4, lr; mrs r5, psp; mrs r6, msp; bx lr
//   0x0b2 log_entry: append r0, IPSR, SP, LR, r5 to the log at r7 (5 words); bx r12
//   0x0ce pendsv_h/irq1_h/irq2_h: log_entry; bx lr
//   0x0d8 irq0_h:  log_entry; NVIC_ISPR0 = 6 (pend IRQ1, IRQ2); dsb; isb; stacked r0 = 0xC0FFEE; r0 = 0x42; bx lr
//   0x0f8 systick_h: r6 += 1; append DWT_CYCCNT to the log; bx lr
//   0x104 t_svc: svc #0; bkpt #1        0x108 t_loop: adds r5, #1; b t_loop
//   0x10c t_udf: udf #0                 0x10e t_ldr: ldr r0, [r1]; bkpt #1
//   0x112 t_wfi: wfi; bkpt #1           0x116 t_wfe: sev; wfe; wfe; bkpt #1

import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { explainFault } from '../../../src/emulator/fault-explanation';

const IMAGE =
  '00800020810000009d0000009f000000a1000000a3000000a500000000000000000000000000000000000000a7000000' +
  '0000000000000000cf000000f9000000d9000000cf000000cf0000000000000000000000000000000000000000000000' +
  '00000000000000000000000000000000000000000000000000000000000000004ff00050016801310160032905d02448' +
  '24490160bff34f8ffee701be02be03be04be05be06be7446eff30985eff30886704747f8040beff3058047f8040b6846' +
  '47f8040b47f804eb47f8045b604771460ff2030cede7084771460ff2050ce8e7114a4ff006031360bff34f8fbff36f8f' +
  '0e4800904220084701360d48006847f8040b704700df01be0135fde700de086801be30bf01be40bf20bf20bf01be0000' +
  '0ced00e00400fa0500e200e0eeffc000041000e0';

const A = {
  reset: 0x80, nmi: 0x9c, hard: 0x9e, memManage: 0xa0, bus: 0xa2, usage: 0xa4,
  tSvc: 0x104, tLoop: 0x108, tUdf: 0x10c, tLdr: 0x10e, tWfi: 0x112, tWfe: 0x116,
};
const LOG = 0x20001000;
const INITIAL_SP = 0x20008000;
const NVIC_ISER0 = 0xe000e100;
const NVIC_ISPR0 = 0xe000e200;
const NVIC_IPR = 0xe000e400;
const ICSR = 0xe000ed04;
const AIRCR = 0xe000ed0c;
const SHPR1 = 0xe000ed18;
const SHCSR = 0xe000ed24;
const CFSR = 0xe000ed28;
const HFSR = 0xe000ed2c;
const BFAR = 0xe000ed38;

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

function machine(start?: number): Machine {
  const m = new Machine(chipById('cortex-m3'));
  m.loadBytes(0, bytes(IMAGE));
  m.reset();
  m.setRegister('r7', LOG);
  if (start !== undefined) m.setRegister('pc', start);
  return m;
}

interface LogEntry { r0: number; ipsr: number; sp: number; lr: number; r5: number }

function entries(m: Machine): LogEntry[] {
  const out: LogEntry[] = [];
  for (let a = LOG; a < m.getRegister('r7'); a += 20) {
    const w = (i: number) => m.peek(a + 4 * i, 4)!;
    out.push({ r0: w(0), ipsr: w(1), sp: w(2), lr: w(3), r5: w(4) });
  }
  return out;
}

function irqSetup(m: Machine, priorities: number[]): void {
  priorities.forEach((p, irq) => m.poke(NVIC_IPR + irq, 1, p));
  m.poke(NVIC_ISER0, 4, (1 << priorities.length) - 1);
}

describe('exception model', () => {
  it('takes SVCall from Thread mode on the PSP: frame on the PSP, EXC_RETURN 0xFFFFFFFD', () => {
    const m = machine(A.tSvc);
    m.setRegister('psp', 0x20004000);
    m.setRegister('control', 2);
    const r = m.run({ maxInstructions: 100 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), A.tSvc + 2);
    assert.equal(m.getRegister('r4'), 0xfffffffd, 'EXC_RETURN in LR');
    assert.equal(m.getRegister('r5'), 0x20004000 - 32, 'the frame was pushed on the PSP');
    assert.equal(m.getRegister('r6'), INITIAL_SP, 'the MSP was not used for the frame');
    assert.equal(m.peek(0x20004000 - 32 + 24, 4), A.tSvc + 2, 'stacked return address = the instruction after SVC');
    assert.equal(m.getRegister('psp'), 0x20004000, 'unstacked');
    assert.equal(m.getRegister('control'), 2, 'back on the PSP in Thread mode');
    assert.equal(m.getRegister('xpsr') & 0x1ff, 0);
  });

  it('SVC where SVCall cannot preempt (PRIMASK set) escalates to HardFault', () => {
    const m = machine(A.tSvc);
    m.setRegister('primask', 1);
    const r = m.run({ maxInstructions: 100 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), A.hard);
    assert.equal(m.peek(HFSR, 4), 0x40000000);
  });

  it('a higher priority interrupt preempts; an equal one waits and is tail-chained without unstacking', () => {
    const m = machine(A.tLoop);
    irqSetup(m, [0x40, 0x20, 0x40]);
    m.poke(NVIC_ISPR0, 4, 1);
    m.run({ maxInstructions: 200 });
    const log = entries(m);
    assert.deepEqual(log.map((e) => e.ipsr), [16, 17, 18]);
    assert.equal(log[0].lr, 0xfffffff9);
    assert.equal(log[0].sp, INITIAL_SP - 32);
    assert.equal(log[1].lr, 0xfffffff1, 'IRQ1 preempted IRQ0 (nested, return to Handler)');
    assert.equal(log[1].sp, INITIAL_SP - 64);
    assert.equal(log[2].lr, 0xfffffff9, 'IRQ2 runs on the frame IRQ0 left');
    assert.equal(log[2].sp, INITIAL_SP - 32);
    assert.equal(log[2].r0, 0x42, 'r0 still holds what IRQ0 left: no unstack/restack between them');
    assert.equal(m.getRegister('r0'), 0xc0ffee, 'the final return unstacked the frame IRQ0 modified');
    assert.ok(m.getRegister('r5') > 0, 'Thread mode resumed');
    assert.equal(m.getRegister('xpsr') & 0x1ff, 0);
  });

  it('priority grouping: a better subpriority does not preempt, but is taken first at tail-chain', () => {
    // PRIGROUP 5: group priority = bits [7:6]. IRQ0 0x60 and IRQ1 0x40 share group 0x40.
    const grouped = machine(A.tLoop);
    grouped.poke(AIRCR, 4, 0x05fa0500);
    irqSetup(grouped, [0x60, 0x40, 0x80]);
    grouped.poke(NVIC_ISPR0, 4, 1);
    grouped.run({ maxInstructions: 200 });
    const g = entries(grouped);
    assert.deepEqual(g.map((e) => e.ipsr), [16, 17, 18]);
    assert.equal(g[1].lr, 0xfffffff9, 'IRQ1 was tail-chained, not nested');
    assert.equal(g[2].lr, 0xfffffff9);

    // Without grouping (PRIGROUP 0) 0x40 is a higher group priority than 0x60: it preempts.
    const flat = machine(A.tLoop);
    irqSetup(flat, [0x60, 0x40, 0x80]);
    flat.poke(NVIC_ISPR0, 4, 1);
    flat.run({ maxInstructions: 200 });
    const f = entries(flat);
    assert.deepEqual(f.map((e) => e.ipsr), [16, 17, 18]);
    assert.equal(f[1].lr, 0xfffffff1, 'IRQ1 nested inside IRQ0');
  });

  it('PRIMASK holds interrupts back until it is cleared', () => {
    const m = machine(A.tLoop);
    irqSetup(m, [0x40]);
    m.setRegister('primask', 1);
    m.poke(NVIC_ISPR0, 4, 1);
    m.run({ maxInstructions: 50 });
    assert.equal(entries(m).length, 0);
    m.setRegister('primask', 0);
    m.run({ maxInstructions: 50 });
    assert.deepEqual(entries(m).map((e) => e.ipsr), [16]);
  });

  it('PendSV set through ICSR is taken; NMI preempts even with PRIMASK and FAULTMASK', () => {
    const m = machine(A.tLoop);
    m.poke(ICSR, 4, 1 << 28);
    m.run({ maxInstructions: 50 });
    assert.deepEqual(entries(m).map((e) => e.ipsr), [14]);
    m.setRegister('primask', 1);
    m.setRegister('faultmask', 1);
    m.poke(ICSR, 4, 1 << 31);
    assert.equal(m.run({ maxInstructions: 50 }).reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), A.nmi);
  });

  it('escalates a disabled UsageFault to HardFault with HFSR.FORCED', () => {
    const m = machine(A.tUdf);
    const r = m.run({ maxInstructions: 10 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), A.hard);
    assert.equal(m.peek(CFSR, 4), 1 << 16, 'UNDEFINSTR');
    assert.equal(m.peek(HFSR, 4), 1 << 30, 'FORCED');
    const e = explainFault(m)!;
    assert.equal(e.kind, 'HardFault');
    assert.equal(e.forced, true);
    assert.equal(e.pc, A.tUdf, 'stacked PC = the faulting instruction');
    assert.deepEqual(e.cfsrBits.map((b) => b.name), ['UNDEFINSTR']);
  });

  it('takes UsageFault itself when enabled in SHCSR, and escalates when BASEPRI masks it', () => {
    const enabled = machine(A.tUdf);
    enabled.poke(SHCSR, 4, 1 << 18);
    enabled.run({ maxInstructions: 10 });
    assert.equal(enabled.getRegister('pc'), A.usage);
    assert.equal(enabled.peek(HFSR, 4), 0);

    const masked = machine(A.tUdf);
    masked.poke(SHCSR, 4, 1 << 18);
    masked.poke(SHPR1 + 2, 1, 0x80); // UsageFault priority 0x80
    masked.setRegister('basepri', 0x40);
    masked.run({ maxInstructions: 10 });
    assert.equal(masked.getRegister('pc'), A.hard, 'cannot preempt at execution priority 0x40: escalated');
    assert.equal(masked.peek(HFSR, 4), 1 << 30);
  });

  it('a load from unmapped memory is a precise BusFault with BFAR', () => {
    const m = machine(A.tLdr);
    m.poke(SHCSR, 4, 1 << 17);
    m.setRegister('r1', 0x30000000);
    m.run({ maxInstructions: 10 });
    assert.equal(m.getRegister('pc'), A.bus);
    assert.equal(m.peek(CFSR, 4), (1 << 9) | (1 << 15), 'PRECISERR | BFARVALID');
    assert.equal(m.peek(BFAR, 4), 0x30000000);
    const e = explainFault(m)!;
    assert.equal(e.kind, 'BusFault');
    assert.equal(e.address, 0x30000000);
    assert.equal(e.pc, A.tLdr);
  });

  it('locks up on a fault inside the HardFault handler, and stays locked up', () => {
    const m = machine(A.tUdf);
    m.poke(3 * 4, 4, A.tUdf | 1); // HardFault vector → an undefined instruction
    const faults: boolean[] = [];
    m.onFault((e) => faults.push(e.lockup));
    assert.equal(m.run({ maxInstructions: 100 }).reason, 'fault-lockup');
    assert.deepEqual(faults, [false, true]);
    assert.equal(explainFault(m)!.lockup, true);
    assert.equal(m.run({ maxInstructions: 100 }).reason, 'fault-lockup');
  });

  it('locks up on a fault with FAULTMASK set', () => {
    const m = machine(A.tUdf);
    m.setRegister('faultmask', 1);
    assert.equal(m.run({ maxInstructions: 100 }).reason, 'fault-lockup');
  });

  it('jumping into the weeds faults instead of throwing', () => {
    const unmapped = machine(0x30000000);
    assert.equal(unmapped.run({ maxInstructions: 10 }).reason, 'breakpoint');
    assert.equal(unmapped.getRegister('pc'), A.hard);
    assert.equal(unmapped.peek(CFSR, 4), 1 << 8, 'IBUSERR');

    const xn = machine(0xfffffffe);
    xn.run({ maxInstructions: 10 });
    assert.equal(xn.getRegister('pc'), A.hard);
    assert.equal(xn.peek(CFSR, 4), 1 << 0, 'IACCVIOL: the system region is execute-never');

    const everywhere = machine(0x30000000);
    everywhere.poke(3 * 4, 4, 0x30000001); // HardFault handler in the weeds too
    assert.equal(everywhere.run({ maxInstructions: 10 }).reason, 'fault-lockup');
  });

  it('stacking onto unmapped memory raises STKERR and ends in lockup rather than a JS exception', () => {
    const m = machine(A.tSvc);
    m.setRegister('sp', 0x10000000);
    m.poke(SHCSR, 4, 1 << 17);
    const r = m.run({ maxInstructions: 100 });
    assert.ok(r.reason === 'fault-lockup' || r.reason === 'breakpoint', r.reason);
    assert.ok((m.exceptions.cfsr & (1 << 12)) !== 0, 'STKERR');
  });

  it('an invalid EXC_RETURN is an INVPC UsageFault', () => {
    const m = machine(A.tSvc);
    m.poke(SHCSR, 4, 1 << 18);
    m.poke(0xe000ed1f, 1, 0x80); // SVCall priority 0x80, so UsageFault (0) can preempt it
    // Run until inside the SVC handler, then corrupt LR before its bx lr.
    m.run({ until: () => m.getRegister('pc') === 0xb0, maxInstructions: 10 });
    m.setRegister('lr', 0xfffffff5);
    m.run({ maxInstructions: 10 });
    assert.equal(m.getRegister('pc'), A.usage);
    assert.equal(m.peek(CFSR, 4), 1 << 18, 'INVPC');
  });

  it('SysTick fires every RVR+1 core cycles', () => {
    const m = machine(A.tLoop);
    m.poke(0xe000edfc, 4, 1 << 24); // DEMCR.TRCENA
    m.poke(0xe0001000, 4, 1); // DWT_CTRL.CYCCNTENA
    m.poke(0xe000e014, 4, 999); // RVR
    m.poke(0xe000e018, 4, 0); // CVR
    m.poke(0xe000e010, 4, 7); // CLKSOURCE | TICKINT | ENABLE
    const start = m.cpu.cycles;
    m.run({ until: () => m.cpu.cycles - start >= 10_500 });
    assert.equal(m.getRegister('r6'), 10, 'ten SysTick exceptions in 10500 cycles');
    const stamps: number[] = [];
    for (let a = LOG; a < m.getRegister('r7'); a += 4) stamps.push(m.peek(a, 4)!);
    for (let i = 1; i < stamps.length; i++) assert.ok(Math.abs(stamps[i] - stamps[i - 1] - 1000) <= 3, `period ${stamps[i] - stamps[i - 1]}`);
  });

  it('WFI fast-forwards to the next SysTick instead of spinning', () => {
    const m = machine(A.tWfi);
    m.poke(0xe000e014, 4, 99_999);
    m.poke(0xe000e010, 4, 7);
    const r = m.run({ maxInstructions: 100 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.getRegister('r6'), 1);
    assert.ok(r.cycles >= 100_000, `slept ${r.cycles} cycles`);
    assert.ok(r.instructions < 20);
  });

  it('WFI with nothing that could wake the core stops with sleep-forever', () => {
    const m = machine(A.tWfi);
    assert.equal(m.run({ maxInstructions: 100 }).reason, 'sleep-forever');
  });

  it('WFE consumes the event SEV set, then sleeps', () => {
    const m = machine(A.tWfe);
    const r = m.run({ maxInstructions: 100 });
    assert.equal(r.reason, 'sleep-forever');
    assert.equal(r.instructions, 3, 'sev, the first wfe (returns at once) and the second');
  });

  it('AIRCR.SYSRESETREQ resets the machine', () => {
    const m = machine();
    let resets = 0;
    m.onReset(() => resets++);
    const r = m.run({ maxInstructions: 1000 });
    assert.equal(r.reason, 'breakpoint');
    assert.equal(m.peek(0x20000000, 4), 3, 'the reset handler ran three times');
    assert.equal(resets, 2);
    assert.equal(m.getRegister('sp'), INITIAL_SP);
  });
});
