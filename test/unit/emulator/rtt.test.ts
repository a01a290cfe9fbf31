// RTT host side: a control block built by hand in a generic Cortex-M3's RAM, read and written as a
// probe does (RdOff/WrOff advanced in target memory), found by symbol address or by a RAM scan, and
// a hand-encoded store loop that writes an up channel while the core runs.

import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { RttControlBlock, RttHost, findRttControlBlock, type RttChannel } from '../../../src/emulator/rtt';

const CB = 0x20000100;
const UP0_BUF = 0x20000400;
const UP1_BUF = 0x20000440;
const DOWN0_BUF = 0x20000500;
const NAMES = 0x20000600;

function writeString(m: Machine, address: number, s: string): void {
  for (let i = 0; i < s.length; i++) m.poke(address + i, 1, s.charCodeAt(i));
  m.poke(address + s.length, 1, 0);
}

/** Descriptor address of up channel i (2 up, 1 down). */
const up = (i: number): number => CB + 24 + i * 24;
const down = (i: number): number => CB + 24 + (2 + i) * 24;

function buildBlock(m: Machine, withId = true): void {
  if (withId) writeString(m, CB, 'SEGGER RTT');
  m.poke(CB + 16, 4, 2);
  m.poke(CB + 20, 4, 1);
  writeString(m, NAMES, 'Terminal');
  writeString(m, NAMES + 16, 'defmt');
  writeString(m, NAMES + 32, 'Terminal');
  const descriptor = (d: number, name: number, buf: number, size: number): void => {
    m.poke(d, 4, name);
    m.poke(d + 4, 4, buf);
    m.poke(d + 8, 4, size);
    m.poke(d + 12, 4, 0);
    m.poke(d + 16, 4, 0);
    m.poke(d + 20, 4, 0);
  };
  descriptor(up(0), NAMES, UP0_BUF, 16);
  descriptor(up(1), NAMES + 16, UP1_BUF, 8);
  descriptor(down(0), NAMES + 32, DOWN0_BUF, 8);
}

/** The firmware's side of an up channel: copy bytes at WrOff and advance it. */
function firmwareWrite(m: Machine, d: number, text: string): void {
  const buf = m.peek(d + 4, 4)!;
  const size = m.peek(d + 8, 4)!;
  let wr = m.peek(d + 12, 4)!;
  for (const ch of text) {
    m.poke(buf + wr, 1, ch.charCodeAt(0));
    wr = (wr + 1) % size;
  }
  m.poke(d + 12, 4, wr);
}

const text = (d: Uint8Array): string => Buffer.from(d).toString('latin1');

describe('RTT', () => {
  it('attaches to a control block and names its channels', () => {
    const m = new Machine(chipById('cortex-m3'));
    buildBlock(m);
    const cb = RttControlBlock.attach(m, CB)!;
    assert.ok(cb);
    assert.deepEqual(cb.up.map((c) => c.name), ['Terminal', 'defmt']);
    assert.deepEqual(cb.down.map((c) => c.name), ['Terminal']);
  });

  it('does not attach without the ID, or with absurd channel counts', () => {
    const m = new Machine(chipById('cortex-m3'));
    buildBlock(m, false);
    assert.equal(RttControlBlock.attach(m, CB), null);
    buildBlock(m);
    m.poke(CB + 16, 4, 100000);
    assert.equal(RttControlBlock.attach(m, CB), null);
  });

  it('reads up channels, wrapping around the ring, and advances RdOff in target memory', () => {
    const m = new Machine(chipById('cortex-m3'));
    buildBlock(m);
    const cb = RttControlBlock.attach(m, CB)!;
    assert.equal(cb.readUp(0).length, 0);
    firmwareWrite(m, up(0), 'hello, world');
    assert.equal(text(cb.readUp(0)), 'hello, world');
    assert.equal(m.peek(up(0) + 16, 4), 12, 'RdOff written back');
    assert.equal(cb.readUp(0).length, 0, 'nothing new');
    firmwareWrite(m, up(0), 'wrapped!'); // 12 + 8 > 16: crosses the end of the ring
    assert.equal(m.peek(up(0) + 12, 4), 4);
    assert.equal(text(cb.readUp(0)), 'wrapped!');
    firmwareWrite(m, up(1), 'ch1');
    assert.equal(text(cb.readUp(1)), 'ch1');
  });

  it('ignores descriptors with offsets outside the buffer', () => {
    const m = new Machine(chipById('cortex-m3'));
    buildBlock(m);
    const cb = RttControlBlock.attach(m, CB)!;
    m.poke(up(0) + 12, 4, 99);
    assert.equal(cb.readUp(0).length, 0);
    assert.equal(m.peek(up(0) + 16, 4), 0);
  });

  it('writes down channels, leaving one byte free, and advances WrOff', () => {
    const m = new Machine(chipById('cortex-m3'));
    buildBlock(m);
    const cb = RttControlBlock.attach(m, CB)!;
    assert.equal(cb.writeDown(0, Buffer.from('0123456789')), 7, 'an 8-byte ring holds 7');
    assert.equal(m.peek(down(0) + 12, 4), 7);
    assert.equal(text(m.readMemory(DOWN0_BUF, 7)), '0123456');
    assert.equal(cb.writeDown(0, Buffer.from('x')), 0, 'full');
    m.poke(down(0) + 16, 4, 5); // the firmware consumed 5 bytes
    assert.equal(cb.writeDown(0, Buffer.from('abcdef')), 5);
    assert.equal(m.peek(down(0) + 12, 4), 4, 'wrapped');
    assert.equal(text(m.readMemory(DOWN0_BUF, 4)), 'bcde');
    assert.equal(m.peek(DOWN0_BUF + 7, 1), 'a'.charCodeAt(0));
  });

  it('finds the control block by scanning RAM (ID written late: found on a later poll)', () => {
    const m = new Machine(chipById('cortex-m3'));
    const ranges = m.chip.sram.map((s) => ({ base: s.base, size: s.size }));
    assert.equal(findRttControlBlock(m, ranges), null);
    buildBlock(m, false);
    const host = new RttHost(m, { ranges }, 1);
    const got: string[] = [];
    const sink = (c: RttChannel, d: Uint8Array): void => void got.push(`${c.index}:${c.name}:${text(d)}`);
    firmwareWrite(m, up(0), 'early');
    host.poll(sink);
    assert.equal(got.length, 0, 'no ID yet');
    writeString(m, CB, 'SEGGER RTT');
    assert.equal(findRttControlBlock(m, ranges), CB);
    host.poll(sink);
    assert.deepEqual(got, ['0:Terminal:early']);
    assert.equal(host.write(0, Buffer.from('in')), 2);
  });

  it('follows a running firmware that stores into the up buffer (hand-encoded store loop)', () => {
    const m = new Machine(chipById('cortex-m3'));
    const base = m.chip.flash.base;
    m.poke(base, 4, 0x20002000);
    m.poke(base + 4, 4, (base + 8) | 1);
    const code = [
      0x2168, // movs r1, #'h'
      0x7001, // strb r1, [r0, #0]
      0x2169, // movs r1, #'i'
      0x7041, // strb r1, [r0, #1]
      0x2102, // movs r1, #2
      0x60d1, // str r1, [r2, #12]   (WrOff = 2)
      0xe7fe, // b .
    ];
    code.forEach((h, i) => m.poke(base + 8 + i * 2, 2, h));
    m.reset();
    buildBlock(m);
    m.setRegister('r0', UP0_BUF);
    m.setRegister('r2', up(0));
    const host = new RttHost(m, { address: CB, ranges: [] });
    const got: string[] = [];
    m.run({ maxInstructions: 3 });
    host.poll((_c, d) => void got.push(text(d)));
    assert.equal(got.length, 0, 'WrOff not yet advanced');
    m.run({ maxInstructions: 100 });
    host.poll((_c, d) => void got.push(text(d)));
    assert.deepEqual(got, ['hi']);
  });
});
