// FP context preservation across exceptions, through the whole Machine and exception model
// (ARMv7-M ARM B1.5.6 PushStack / B1.5.8 PopStack with the extended frame, B1.5.7 lazy context
// preservation with FPCCR.LSPEN/ASPEN, B3.2.20ff FPCCR/FPCAR/FPDSCR, EXC_RETURN in B1.5.8).
//
// The program below was assembled once (arm-none-eabi-as, then embedded as bytes) for the generic
// Cortex-M4F (flash at 0, SRAM at 0x20000000), so no cross tools are needed to run the test:
//
//   vectors: SP=0x20008000, Reset, 14 x fault (bkpt #0xee), IRQ0 = irq0, IRQ1 = irq1
//   0x048 reset:  CPACR |= 0xF << 20 (CP10/CP11 full access); dsb; isb
//   0x05a thread: vldmia thread_vals -> S0-S15; FPSCR = 0x63c00089; [LOG+0x40] = CONTROL
//                 NVIC_ISPR0 = 1 (pend IRQ0); dsb; isb             <- IRQ0 is taken here
//                 vstmia S0-S15 -> THREAD_OUT, then FPSCR, CONTROL; bkpt #1 (at 0x92)
//   0x096 irq0:   r7 = LOG; [LOG+0] = LR; [+4] = CONTROL; [+8] = FPCCR; r2 = [+12] = FPCAR;
//                 [+16] = SP; [+20] = [FPCAR]   (all before any FP instruction)
//                 if (MODE & 1) == 0: bx lr
//                 vmov s0, r7                   (first FP instruction: the deferred save happens)
//                 [+24] = FPCCR; [+28] = [FPCAR]; [+32] = [FPCAR+64]
//                 vldmia handler_vals -> S0-S15; FPSCR = 0; vdiv.f32 s5, s6, s7; vadd.f32 s1, s2, s3
//                 [+36] = CONTROL
//                 if (MODE & 2) == 0: bx lr
//                 NVIC_ISPR0 = 2 (pend IRQ1, higher priority); dsb; isb   <- IRQ1 preempts here
//                 vstmia S0-S15 -> IRQ0_OUT, then FPSCR; bx lr
//   0x10a irq1:   r3 = LOG; [+40] = LR; [+44] = SP; [+48] = FPCCR; [+52] = FPCAR
//                 vldmia nested_vals -> S0-S15; FPSCR = 0x00c00000; vmul.f32 s0, s1, s2; bx lr
//   0x15c thread_vals: 1.0 .. 16.0   0x19c handler_vals: -1.0 .. -16.0   0x1dc nested_vals: raw words

import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';

const IMAGE =
  '008000204900000095000000950000009500000095000000950000009500000095000000950000009500000095000000' +
  '95000000950000009500000095000000970000000b0100003a48016841f470010160bff34f8fbff36f8f374890ec100a' +
  '3649e1ee101a364feff314813964354801210160bff34f8fbff36f8f4ff00050a0ec100af1ee101a40f8041beff31481' +
  '016001beeebe2a4fc7f800e0eff31480786029490868b8604a68fa606846386110687861254b1b6813f0010f24d000ee' +
  '107a0868b8611068f861106c3862204890ec100a0020e1ee100ac3ee232a71ee210aeff31480786213f0020f0cd01548' +
  '02240460bff34f8fbff36f8f1548a0ec100af1ee104a046070470d4bc3f828e06846d8620c4908681863486858630e48' +
  '90ec100a4ff44000e1ee100a20ee810a7047000088ed00e05c0100008900c0630001002000e200e034ef00e000030020' +
  '9c01000000020020dc0100000000803f0000004000004040000080400000a0400000c0400000e0400000004100001041' +
  '00002041000030410000404100005041000060410000704100008041000080bf000000c0000040c0000080c00000a0c0' +
  '0000c0c00000e0c0000000c1000010c1000020c1000030c1000040c1000050c1000060c1000070c1000080c111111111' +
  '2222222233333333444444445555555566666666777777778888880899999909aaaaaa0abbbbbb0bcccccc0cdddddd0d' +
  'eeeeee0effffff0f10101010';

const THREAD_BKPT = 0x92;
const THREAD_OUT = 0x20000000;
const LOG = 0x20000100;
const IRQ0_OUT = 0x20000200;
const MODE = 0x20000300;
const MODE_HANDLER_USES_FP = 1;
const MODE_NESTED_IRQ1 = 2;
const INITIAL_MSP = 0x20008000;
const PSP_TOP = 0x20004000;

const NVIC_ISER0 = 0xe000e100;
const NVIC_IPR = 0xe000e400;
const FPCCR = 0xe000ef34;
const SHCSR = 0xe000ed24;
const SHPR1 = 0xe000ed18;
const SHCSR_MEMFAULTENA = 1 << 16;
const SHCSR_BUSFAULTENA = 1 << 17;

const enum FpccrBit { LSPACT = 1, USER = 2, THREAD = 8, HFRDY = 0x10, MMRDY = 0x20, BFRDY = 0x40, MONRDY = 0x100, LSPEN = 1 << 30, ASPEN = 1 << 31 }
const CONTROL_SPSEL = 2;
const CONTROL_FPCA = 4;

/** Basic frame (8 words) + S0-S15, FPSCR and a reserved word. */
const EXTENDED_FRAME = 0x68;
const BASIC_FRAME = 0x20;

const THREAD_FPSCR = 0x63c00089;
const THREAD_VALS = Array.from({ length: 16 }, (_, i) => f32Bits(i + 1));
const HANDLER_VALS_AFTER = (() => {
  const v = Array.from({ length: 16 }, (_, i) => f32Bits(-(i + 1)));
  v[1] = f32Bits(-3 + -4); // vadd.f32 s1, s2, s3
  v[5] = f32Bits(-7 / -8); // vdiv.f32 s5, s6, s7
  return v;
})();

function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

interface Options {
  fpccr?: number;
  mode: number;
  onPsp?: boolean;
  setup?: (m: Machine) => void;
}

interface Outcome {
  thread: { s: number[]; fpscr: number; control: number; controlBefore: number };
  irq0: {
    lr: number; control: number; fpccr: number; fpcar: number; sp: number; slot0Before: number;
    fpccrAfterFirstFp: number; slot0After: number; fpscrSlotAfter: number; controlAfterFp: number;
    s: number[]; fpscr: number;
  };
  irq1: { lr: number; sp: number; fpccr: number; fpcar: number };
  fpccrAtEnd: number;
  m: Machine;
}

function run(options: Options): Outcome {
  const m = new Machine(chipById('cortex-m4'));
  m.loadBytes(0, bytes(IMAGE));
  m.reset();
  if (options.fpccr !== undefined) m.poke(FPCCR, 4, options.fpccr);
  m.poke(MODE, 4, options.mode);
  m.poke(NVIC_IPR + 0, 1, 0x80);
  m.poke(NVIC_IPR + 1, 1, 0x40);
  m.poke(NVIC_ISER0, 4, 3);
  options.setup?.(m);
  if (options.onPsp) {
    m.setRegister('psp', PSP_TOP);
    m.setRegister('control', CONTROL_SPSEL);
  }
  const result = m.run({ maxInstructions: 10_000 });
  assert.equal(result.reason, 'breakpoint', `stopped for ${result.reason}`);
  assert.equal(m.getRegister('pc'), THREAD_BKPT, 'back in Thread mode at the final bkpt (not in a fault handler)');
  const w = (a: number) => m.peek(a, 4)!;
  const words = (a: number, n: number) => Array.from({ length: n }, (_, i) => w(a + 4 * i));
  return {
    thread: { s: words(THREAD_OUT, 16), fpscr: w(THREAD_OUT + 64), control: w(THREAD_OUT + 68), controlBefore: w(LOG + 0x40) },
    irq0: {
      lr: w(LOG), control: w(LOG + 4), fpccr: w(LOG + 8), fpcar: w(LOG + 12), sp: w(LOG + 16), slot0Before: w(LOG + 20),
      fpccrAfterFirstFp: w(LOG + 24), slot0After: w(LOG + 28), fpscrSlotAfter: w(LOG + 32), controlAfterFp: w(LOG + 36),
      s: words(IRQ0_OUT, 16), fpscr: w(IRQ0_OUT + 64),
    },
    irq1: { lr: w(LOG + 40), sp: w(LOG + 44), fpccr: w(LOG + 48), fpcar: w(LOG + 52) },
    fpccrAtEnd: w(FPCCR),
    m,
  };
}

const hex = (xs: number[]) => xs.map((x) => '0x' + (x >>> 0).toString(16).padStart(8, '0'));

function assertThreadStateIntact(o: Outcome, control: number): void {
  assert.deepEqual(hex(o.thread.s), hex(THREAD_VALS), 'S0-S15 of the thread survive the interrupt');
  assert.equal(o.thread.fpscr, THREAD_FPSCR, 'FPSCR of the thread survives the interrupt');
  assert.equal(o.thread.control, control, 'CONTROL (FPCA) restored from EXC_RETURN[4]');
}

describe('FP context across exceptions (Machine + exception model)', () => {
  it('resets FPCCR to ASPEN|LSPEN (automatic, lazy preservation)', () => {
    const m = new Machine(chipById('cortex-m4'));
    m.loadBytes(0, bytes(IMAGE));
    m.reset();
    assert.equal(m.peek(FPCCR, 4), (FpccrBit.ASPEN | FpccrBit.LSPEN) >>> 0);
  });

  it('lazy (LSPEN=1): space reserved on entry, saved by the handler\'s first FP instruction, thread state restored', () => {
    const o = run({ mode: MODE_HANDLER_USES_FP });
    assert.equal(o.thread.controlBefore, CONTROL_FPCA, 'the thread\'s FP instructions set CONTROL.FPCA (ASPEN)');
    assert.equal(o.irq0.lr >>> 0, 0xffffffe9, 'EXC_RETURN: Thread mode, MSP, extended frame');
    assert.equal(o.irq0.control, 0, 'CONTROL.FPCA cleared for the handler');
    assert.equal(o.irq0.sp, INITIAL_MSP - EXTENDED_FRAME, 'extended frame (26 words) on the MSP');
    assert.equal(o.irq0.fpcar, o.irq0.sp + BASIC_FRAME, 'FPCAR = the S0 slot, just above the basic frame');
    assert.equal(o.irq0.fpccr & FpccrBit.LSPACT, FpccrBit.LSPACT, 'LSPACT: the save is pending');
    assert.equal(o.irq0.fpccr & FpccrBit.THREAD, FpccrBit.THREAD, 'THREAD: the context belongs to Thread mode');
    assert.equal(o.irq0.fpccr & FpccrBit.USER, 0, 'USER clear: the thread was privileged');
    assert.equal(o.irq0.fpccr & FpccrBit.HFRDY, FpccrBit.HFRDY, 'HFRDY: HardFault could be taken');
    assert.equal(o.irq0.fpccr & (FpccrBit.MMRDY | FpccrBit.BFRDY | FpccrBit.MONRDY), 0,
      'MMRDY/BFRDY/MONRDY clear: MemManage, BusFault and DebugMonitor are disabled');
    assert.equal(o.irq0.fpccr, 0xc0000019, 'FPCCR on entry (as qemu-system-arm mps2-an386 reports for this program)');
    assert.equal(o.irq0.slot0Before, 0, 'nothing written to the frame on entry');
    assert.equal(o.irq0.fpccrAfterFirstFp & FpccrBit.LSPACT, 0, 'the first FP instruction cleared LSPACT');
    assert.equal(o.irq0.slot0After, THREAD_VALS[0], '... and wrote S0 at FPCAR');
    assert.equal(o.irq0.fpscrSlotAfter, THREAD_FPSCR, '... and FPSCR at FPCAR + 64');
    assert.deepEqual(hex(Array.from({ length: 16 }, (_, i) => o.m.peek(o.irq0.fpcar + 4 * i, 4)!)), hex(THREAD_VALS),
      'S0-S15 all saved at FPCAR');
    assert.equal(o.irq0.controlAfterFp, CONTROL_FPCA, 'the handler\'s own FP use set FPCA again');
    assertThreadStateIntact(o, CONTROL_FPCA);
    assert.equal(o.fpccrAtEnd & FpccrBit.LSPACT, 0);
  });

  it('lazy: MMRDY/BFRDY follow the SHCSR enables and whether those faults could preempt the context owner', () => {
    const cases = [
      // MemManage priority 0x00, BusFault 0x20 (SHPR1 bytes 0 and 1): both can preempt IRQ0 (0x80).
      { shcsr: SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA, shpr1: 0x2000, thread: FpccrBit.MMRDY | FpccrBit.BFRDY, irq0: FpccrBit.MMRDY | FpccrBit.BFRDY },
      // BusFault at 0xc0: it can preempt Thread mode but not IRQ0; MemManage disabled.
      { shcsr: SHCSR_BUSFAULTENA, shpr1: 0xc000, thread: FpccrBit.BFRDY, irq0: 0 },
    ];
    for (const c of cases) {
      const o = run({ mode: MODE_HANDLER_USES_FP | MODE_NESTED_IRQ1, setup: (m) => {
        m.poke(SHCSR, 4, c.shcsr);
        m.poke(SHPR1, 4, c.shpr1);
      } });
      const rdy = (fpccr: number) => fpccr & (FpccrBit.MMRDY | FpccrBit.BFRDY);
      assert.equal(rdy(o.irq0.fpccr), c.thread, `thread context, SHCSR ${c.shcsr.toString(16)}`);
      assert.equal(rdy(o.irq1.fpccr), c.irq0, `IRQ0 context, SHCSR ${c.shcsr.toString(16)}`);
      assertThreadStateIntact(o, CONTROL_FPCA);
    }
  });

  it('lazy (LSPEN=1), handler without FP instructions: nothing is ever written, LSPACT cleared on return', () => {
    const o = run({ mode: 0 });
    assert.equal(o.irq0.lr >>> 0, 0xffffffe9);
    assert.equal(o.irq0.fpccr & FpccrBit.LSPACT, FpccrBit.LSPACT);
    assertThreadStateIntact(o, CONTROL_FPCA);
    assert.equal(o.m.peek(o.irq0.fpcar, 4), 0, 'the reserved S0 slot was never written');
    assert.equal(o.m.peek(o.irq0.fpcar + 64, 4), 0, 'nor the FPSCR slot');
    assert.equal(o.fpccrAtEnd & FpccrBit.LSPACT, 0, 'exception return cleared LSPACT');
  });

  it('eager (LSPEN=0, ASPEN=1): S0-S15 and FPSCR written on entry, restored on return', () => {
    const o = run({ fpccr: FpccrBit.ASPEN >>> 0, mode: MODE_HANDLER_USES_FP });
    assert.equal(o.irq0.lr >>> 0, 0xffffffe9);
    assert.equal(o.irq0.sp, INITIAL_MSP - EXTENDED_FRAME);
    assert.equal(o.irq0.fpccr & FpccrBit.LSPACT, 0, 'no lazy save pending');
    // FPCAR is only written by lazy stacking (B1.5.6 PushStack: UpdateFPCCR only when LSPEN = 1),
    // and the handler's FP instructions never write the frame when LSPACT is clear, so thread
    // values in the frame were written by exception entry itself.
    const frame = o.irq0.sp + BASIC_FRAME;
    assert.notEqual(o.irq0.fpcar, frame, 'FPCAR not updated by eager stacking');
    assert.deepEqual(hex(Array.from({ length: 16 }, (_, i) => o.m.peek(frame + 4 * i, 4)!)), hex(THREAD_VALS));
    assert.equal(o.m.peek(frame + 64, 4), THREAD_FPSCR);
    assertThreadStateIntact(o, CONTROL_FPCA);
  });

  it('thread on the PSP: EXC_RETURN 0xFFFFFFED, the extended frame on the PSP', () => {
    const o = run({ mode: MODE_HANDLER_USES_FP, onPsp: true });
    assert.equal(o.thread.controlBefore, CONTROL_FPCA | CONTROL_SPSEL);
    assert.equal(o.irq0.lr >>> 0, 0xffffffed, 'EXC_RETURN: Thread mode, PSP, extended frame');
    assert.equal(o.irq0.sp, INITIAL_MSP, 'the handler runs on an untouched MSP');
    assert.equal(o.irq0.fpcar, PSP_TOP - EXTENDED_FRAME + BASIC_FRAME, 'FPCAR points into the PSP frame');
    assert.equal(o.irq0.slot0After, THREAD_VALS[0]);
    assertThreadStateIntact(o, CONTROL_FPCA | CONTROL_SPSEL);
    assert.equal(o.m.getRegister('psp'), PSP_TOP, 'the PSP frame was popped');
  });

  it('nested: a higher-priority IRQ preempting an FP-using handler gets EXC_RETURN 0xFFFFFFE1; both contexts survive', () => {
    for (const fpccr of [(FpccrBit.ASPEN | FpccrBit.LSPEN) >>> 0, FpccrBit.ASPEN >>> 0]) {
      const o = run({ fpccr, mode: MODE_HANDLER_USES_FP | MODE_NESTED_IRQ1 });
      const lazy = (fpccr & FpccrBit.LSPEN) !== 0;
      assert.equal(o.irq1.lr >>> 0, 0xffffffe1, 'EXC_RETURN: Handler mode, MSP, extended frame');
      assert.equal(o.irq1.sp, o.irq0.sp - EXTENDED_FRAME);
      assert.equal(o.irq1.fpcar, lazy ? o.irq1.sp + BASIC_FRAME : o.irq0.fpcar, 'FPCAR moves only with lazy stacking');
      assert.equal(o.irq1.fpccr & FpccrBit.LSPACT, lazy ? FpccrBit.LSPACT : 0);
      assert.equal(o.irq1.fpccr & FpccrBit.THREAD, 0, 'THREAD clear: the pending context is a handler\'s');
      assert.deepEqual(hex(o.irq0.s), hex(HANDLER_VALS_AFTER), 'IRQ0\'s S0-S15 survive IRQ1');
      assert.equal(o.irq0.fpscr, 0, 'IRQ0\'s FPSCR survives IRQ1 (which set RMode = 3)');
      assertThreadStateIntact(o, CONTROL_FPCA);
    }
  });

  it('without preservation (ASPEN=0, LSPEN=0) the handler clobbers the thread\'s FP state', () => {
    const o = run({ fpccr: 0, mode: MODE_HANDLER_USES_FP });
    assert.equal(o.thread.controlBefore, 0, 'FPCA is not set automatically');
    assert.equal(o.irq0.lr >>> 0, 0xfffffff9, 'EXC_RETURN: basic frame');
    assert.equal(o.irq0.sp, INITIAL_MSP - BASIC_FRAME);
    assert.equal(o.irq0.controlAfterFp, 0);
    assert.deepEqual(hex(o.thread.s), hex(HANDLER_VALS_AFTER), 'the thread sees the handler\'s registers');
    assert.equal(o.thread.fpscr, 0, 'and the handler\'s FPSCR');
    assert.equal(o.thread.control, 0);
  });

  it('ASPEN=0 but FPCA set by software still stacks the extended frame (lazily with LSPEN=1)', () => {
    const m = new Machine(chipById('cortex-m4'));
    m.loadBytes(0, bytes(IMAGE));
    m.reset();
    m.poke(FPCCR, 4, FpccrBit.LSPEN);
    m.poke(MODE, 4, MODE_HANDLER_USES_FP);
    m.poke(NVIC_IPR, 1, 0x80);
    m.poke(NVIC_ISER0, 4, 1);
    m.setRegister('control', CONTROL_FPCA);
    assert.equal(m.run({ maxInstructions: 10_000 }).reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), THREAD_BKPT);
    assert.equal(m.peek(LOG, 4), 0xffffffe9);
    assert.deepEqual(hex(Array.from({ length: 16 }, (_, i) => m.peek(THREAD_OUT + 4 * i, 4)!)), hex(THREAD_VALS));
    assert.equal(m.peek(THREAD_OUT + 64, 4), THREAD_FPSCR);
  });
});
