// Real-time pacing: simulated time kept in step with a (fake) wall clock; fast mode unpaced.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { RealTimePacer } from '../../../src/emulator/realtime';
import { fixture } from '../../fixtures/firmware/fixtures';

/** Runs like the debug target does: wait as told, run until the deadline halts the machine. */
function runPaced(m: Machine, pacer: RealTimePacer, clock: { now: number }, wallMs: number): number {
  let halts = 0;
  const end = clock.now + wallMs;
  while (clock.now < end) {
    const wait = pacer.beforeSlice();
    if (wait > 0) {
      clock.now += wait;
      continue;
    }
    const r = m.run({ maxInstructions: 5_000_000 });
    if (r.reason === 'halted') {
      assert.ok(pacer.takeDeadlineHalt());
      halts++;
    } else if (r.reason !== 'limit') {
      throw new Error(`unexpected stop ${r.reason}`);
    }
    clock.now += 0.5; // the host's own time per slice
  }
  return halts;
}

describe('real-time pacer', function () {
  it('keeps simulated time within a slice of the wall clock, at any speed factor', function () {
    const f = fixture('rust/nucleo');
    const m = Machine.fromElf(chipById('stm32f411re'), fs.readFileSync(f.elfPath), f.elfPath);
    const clock = { now: 1000 };
    const pacer = new RealTimePacer(m, 'realtime', () => clock.now);
    const toggles: number[] = [];
    m.onPinChange((port, pin) => {
      if (port === 'A' && pin === 5) toggles.push(clock.now);
    });
    const start = clock.now;
    const halts = runPaced(m, pacer, clock, 1000);
    assert.ok(halts > 50, `${halts} deadline halts`);
    const sim = pacer.simulatedSeconds;
    assert.ok(Math.abs(sim - 1) < 0.03, `simulated ${sim} s in 1 s of wall time`);
    // TIM2 toggles LD2 every 100 ms of simulated time: at 100 ms of wall time too.
    const gaps = toggles.slice(1).map((t, i) => t - toggles[i]);
    assert.ok(gaps.length >= 8, `${gaps.length} toggles`);
    for (const g of gaps) assert.ok(Math.abs(g - 100) < 12, `toggle gap ${g} ms`);
    assert.ok(toggles[0] - start < 150);

    pacer.speed = 0.5;
    const before = pacer.simulatedSeconds;
    runPaced(m, pacer, clock, 400);
    assert.ok(Math.abs(pacer.simulatedSeconds - before - 0.2) < 0.02, `half speed: ${pacer.simulatedSeconds - before} s`);
  });

  it('a firmware that sleeps forever (WFI, nothing enabled) stops with sleep-forever in real-time mode too', function () {
    const m = new Machine(chipById('stm32f411re'));
    const vectors = new Uint32Array(16);
    vectors[0] = 0x20020000;
    vectors[1] = 0x08000401;
    m.loadBytes(0x08000000, new Uint8Array(vectors.buffer));
    m.loadBytes(0x08000400, Uint8Array.of(0x30, 0xbf, 0xfd, 0xe7)); // wfi ; b .-2
    m.reset();
    const clock = { now: 0 };
    const pacer = new RealTimePacer(m, 'realtime', () => clock.now);
    assert.equal(pacer.beforeSlice(), 0);
    assert.notEqual(pacer.nextEventCycle, Infinity, 'a deadline is armed');
    const r = m.run({ maxInstructions: 1_000_000 });
    assert.equal(r.reason, 'sleep-forever');
    assert.match(r.message ?? '', /WFI at 0x08000400 with no enabled interrupt source/);
    assert.equal(pacer.takeDeadlineHalt(), false);

    // With SysTick running the same loop is paced, not reported: it wakes every tick.
    m.reset();
    m.poke(0xe000e014, 4, 15_999); // SYST_RVR: 1 ms at 16 MHz
    m.poke(0xe000e010, 4, 7); // SYST_CSR: enable, interrupt, core clock
    m.loadBytes(0x08000000 + 4 * 15, Uint8Array.of(0x05, 0x04, 0x00, 0x08)); // SysTick → 0x08000404 (bx lr)
    m.loadBytes(0x08000404, Uint8Array.of(0x70, 0x47));
    pacer.resetTime();
    assert.equal(runPaced(m, pacer, clock, 50) > 0, true);
    assert.ok(Math.abs(pacer.simulatedSeconds - 0.05) < 0.01, `paced: ${pacer.simulatedSeconds} s`);
  });

  it('fast mode never waits nor arms a deadline', function () {
    const f = fixture('rust/nucleo');
    const m = Machine.fromElf(chipById('stm32f411re'), fs.readFileSync(f.elfPath), f.elfPath);
    const clock = { now: 0 };
    const pacer = new RealTimePacer(m, 'fast', () => clock.now);
    assert.equal(pacer.beforeSlice(), 0);
    assert.equal(pacer.nextEventCycle, Infinity);
    const r = m.run({ maxInstructions: 400_000_000 });
    assert.equal(r.reason, 'exit');
    assert.ok(pacer.simulatedSeconds > 1.9, 'the 20 toggles took 2 s of simulated time');
  });
});
