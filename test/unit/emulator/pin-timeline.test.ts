// The pin timeline: bounded ring of events in cycles, windows with true starting levels, VCD export.
import { strict as assert } from 'node:assert';
import { PinTimeline } from '../../../src/emulator/pin-timeline';

describe('pin timeline', function () {
  it('records events per channel in time order and reports windows with their starting values', function () {
    const t = new PinTimeline(16);
    const pa5 = t.channel('PA5', 'pin');
    const tx = t.channel('USART2.tx', 'uart');
    assert.equal(t.channel('PA5', 'pin'), pa5, 'channels are found by name');
    t.record(pa5, 100, 1);
    t.record(tx, 150, 0x41);
    t.record(pa5, 200, 0);
    t.record(pa5, 300, 1);
    const all = t.window();
    assert.deepEqual(all.channels.map((c) => [c.name, c.kind, c.width]), [['PA5', 'pin', 1], ['USART2.tx', 'uart', 8]]);
    assert.deepEqual(all.events.map((e) => [e.cycle, e.channel, e.value]), [[100, 0, 1], [150, 1, 0x41], [200, 0, 0], [300, 0, 1]]);
    assert.ok(Number.isNaN(all.initial[pa5]));
    const late = t.window(160);
    assert.deepEqual(late.events.map((e) => e.cycle), [200, 300]);
    assert.deepEqual(late.initial, [1, 0x41], 'levels just before the window');
    const capped = t.window(0, Infinity, 1);
    assert.equal(capped.truncated, true);
    assert.deepEqual(capped.events.map((e) => e.cycle), [300]);
    assert.equal(t.valueOf(pa5), 1);
  });

  it('keeps bounded memory: the oldest events are dropped and become starting values', function () {
    const t = new PinTimeline(4);
    const a = t.channel('PA0', 'pin');
    const b = t.channel('PB0', 'pin');
    t.record(b, 1, 1);
    for (let i = 0; i < 10; i++) t.record(a, 10 + i, i & 1);
    assert.equal(t.size, 4);
    assert.equal(t.dropped, 7);
    const w = t.window();
    assert.deepEqual(w.events.map((e) => e.cycle), [16, 17, 18, 19]);
    assert.equal(w.initial[b], 1, 'PB0 was high although its only event was dropped');
    assert.equal(w.initial[a], 1, 'PA0 was 1 at cycle 15');
    assert.equal(w.oldestCycle, 16);
  });

  it('clear() starts over (a machine reset)', function () {
    const t = new PinTimeline(8);
    const a = t.channel('PA0', 'pin');
    t.record(a, 5, 1);
    t.clear();
    assert.equal(t.size, 0);
    assert.ok(Number.isNaN(t.window().initial[a]));
  });

  it('exports VCD: header, $dumpvars with the starting levels, value changes in ns', function () {
    const t = new PinTimeline(64);
    const pa5 = t.channel('PA5', 'pin', 1, 0);
    const tx = t.channel('USART2.tx', 'uart');
    t.record(pa5, 16, 1); // 1 µs at 16 MHz
    t.record(tx, 32, 0x68);
    t.record(tx, 48, 0x68);
    t.record(pa5, 16_000_000, 0); // 1 s
    const vcd = t.toVcd({ clockHz: 16_000_000, date: new Date('2024-01-01T00:00:00Z'), endCycle: 32_000_000 });
    const lines = vcd.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 11), [
      '$date 2024-01-01T00:00:00.000Z $end',
      '$version Cortex-M Sim pin timeline $end',
      '$comment core clock 16000000 Hz; 0 oldest events dropped $end',
      '$timescale 1ns $end',
      '$scope module board $end',
      '$var wire 1 ! PA5 $end',
      '$var wire 8 " USART2.tx $end',
      '$upscope $end',
      '$enddefinitions $end',
      '#0',
      '$dumpvars',
    ]);
    assert.deepEqual(lines.slice(11), [
      '0!', 'bx "', '$end',
      '#1000', '1!',
      '#2000', 'b1101000 "',
      '#2999', 'bx "', '#3000', 'b1101000 "',
      '#1000000000', '0!',
      '#2000000000',
    ]);
  });
});
