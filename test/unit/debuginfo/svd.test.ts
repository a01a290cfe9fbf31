// CMSIS-SVD parser: every construct on hand-made files, errors that name the file and element,
// a differential check of the XML reader against fast-xml-parser, speed on a large synthetic SVD,
// and a seeded fuzz (mutated XML → a parse or an SvdError, never a crash or a hang).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { findPeripheral, findRegister, parseSvd, readXml, SvdError } from '../../../src/debuginfo/svd';
import { largeSvdText } from '../../support/large-svd';

const svd = (peripherals: string, defaults = '<size>32</size><access>read-write</access><resetValue>0</resetValue><resetMask>0xFFFFFFFF</resetMask>') =>
  `<?xml version="1.0"?>\n<!-- test -->\n<device schemaVersion="1.3"><name>TEST</name>${defaults}<peripherals>${peripherals}</peripherals></device>`;

describe('CMSIS-SVD parser', () => {
  it('device defaults are inherited by peripherals, clusters and registers; fields by bitRange, bitOffset/bitWidth, lsb/msb', () => {
    const d = parseSvd(svd(`
      <peripheral><name>P</name><baseAddress>0x40000000</baseAddress><access>read-only</access>
        <registers>
          <register><name>A</name><addressOffset>0x4</addressOffset><resetValue>0x12</resetValue>
            <fields>
              <field><name>F1</name><bitRange>[7:4]</bitRange></field>
              <field><name>F2</name><bitOffset>8</bitOffset><bitWidth>3</bitWidth><access>write-only</access></field>
              <field><name>F3</name><lsb>12</lsb><msb>15</msb></field>
              <field><name>F4</name><bitOffset>31</bitOffset></field>
            </fields></register>
          <register><name>B</name><addressOffset>8</addressOffset><size>16</size><access>read-write</access><resetMask>0xff</resetMask></register>
        </registers></peripheral>`, '<size>0x20</size><access>read-write</access><resetValue>0x5</resetValue><resetMask>0xFFFFFFFF</resetMask>'), 't.svd');
    assert.equal(d.name, 'TEST');
    const p = findPeripheral(d, 'P')!;
    const a = findRegister(p, 'A')!;
    assert.deepEqual([a.address, a.offset, a.size, a.access, a.resetValue, a.resetMask], [0x40000004, 4, 32, 'read-only', 0x12, 0xffffffff]);
    assert.deepEqual(a.fields.map((f) => [f.name, f.lsb, f.msb, f.width, f.access]), [
      ['F1', 4, 7, 4, 'read-only'], ['F2', 8, 10, 3, 'write-only'], ['F3', 12, 15, 4, 'read-only'], ['F4', 31, 31, 1, 'read-only'],
    ]);
    const b = findRegister(p, 'B')!;
    assert.deepEqual([b.size, b.access, b.resetValue, b.resetMask], [16, 'read-write', 5, 0xff]);
  });

  it('derivedFrom peripherals (also forward), dim peripheral arrays, interrupts', () => {
    const d = parseSvd(svd(`
      <peripheral derivedFrom="BASE"><name>COPY</name><baseAddress>0x40001000</baseAddress>
        <interrupt><name>COPY_IRQ</name><value>7</value></interrupt></peripheral>
      <peripheral><name>BASE</name><description>base one</description><baseAddress>0x40000000</baseAddress>
        <interrupt><name>BASE_IRQ</name><value>6</value></interrupt>
        <registers><register><name>R</name><addressOffset>0</addressOffset><resetValue>0x7</resetValue></register></registers></peripheral>
      <peripheral><dim>3</dim><dimIncrement>0x400</dimIncrement><dimIndex>A-C</dimIndex><name>PORT%s</name><description>port %s</description><baseAddress>0x50000000</baseAddress>
        <registers><register><name>ODR</name><addressOffset>0x14</addressOffset></register></registers></peripheral>`), 't.svd');
    const copy = findPeripheral(d, 'COPY')!;
    assert.equal(copy.derivedFrom, 'BASE');
    assert.equal(copy.description, 'base one');
    assert.deepEqual(copy.interrupts.map((i) => [i.name, i.value]), [['COPY_IRQ', 7]]);
    assert.equal(findRegister(copy, 'R')!.address, 0x40001000);
    assert.equal(findRegister(copy, 'R')!.resetValue, 7);
    assert.deepEqual(d.peripherals.filter((p) => p.name.startsWith('PORT')).map((p) => [p.name, p.baseAddress, p.description]),
      [['PORTA', 0x50000000, 'port A'], ['PORTB', 0x50000400, 'port B'], ['PORTC', 0x50000800, 'port C']]);
    assert.equal(findRegister(findPeripheral(d, 'PORTC')!, 'ODR')!.address, 0x50000814);
  });

  it('nested clusters with dim, register arrays ([%s] and dimIndex lists), derived registers, alternateRegister', () => {
    const d = parseSvd(svd(`
      <peripheral><name>DMA</name><baseAddress>0x40026000</baseAddress><registers>
        <register><name>ISR</name><addressOffset>0</addressOffset><readAction>clear</readAction></register>
        <register derivedFrom="ISR"><name>ISR_ALT</name><addressOffset>0</addressOffset><alternateRegister>ISR</alternateRegister></register>
        <cluster><dim>2</dim><dimIncrement>0x20</dimIncrement><name>ST[%s]</name><addressOffset>0x10</addressOffset>
          <register><name>CR</name><addressOffset>0</addressOffset><resetValue>0x1</resetValue></register>
          <cluster><name>INNER</name><addressOffset>0x8</addressOffset>
            <register><dim>2</dim><dimIncrement>4</dimIncrement><dimIndex>X,Y</dimIndex><name>M%sAR</name><addressOffset>0</addressOffset></register>
          </cluster>
        </cluster>
        <register><dim>2</dim><dimIncrement>4</dimIncrement><name>ARR[%s]</name><addressOffset>0x80</addressOffset></register>
      </registers></peripheral>`), 't.svd');
    const p = findPeripheral(d, 'DMA')!;
    assert.deepEqual(p.allRegisters.map((r) => [r.path, r.address - p.baseAddress]), [
      ['ISR', 0], ['ISR_ALT', 0], ['ST[0].CR', 0x10], ['ST[0].INNER.MXAR', 0x18], ['ST[0].INNER.MYAR', 0x1c],
      ['ST[1].CR', 0x30], ['ST[1].INNER.MXAR', 0x38], ['ST[1].INNER.MYAR', 0x3c], ['ARR[0]', 0x80], ['ARR[1]', 0x84],
    ]);
    assert.equal(findRegister(p, 'ISR_ALT')!.readAction, 'clear');
    assert.equal(findRegister(p, 'ISR_ALT')!.alternateRegister, 'ISR');
    assert.equal(p.clusters[1].name, 'ST[1]');
    assert.equal(p.clusters[1].clusters[0].address, 0x40026038);
  });

  it('enumeratedValues: values, x don\'t-care bits, isDefault, derivedFrom by name and by path; modifiedWriteValues; writeConstraint', () => {
    const d = parseSvd(svd(`
      <peripheral><name>P</name><baseAddress>0</baseAddress><registers>
        <register><name>R</name><addressOffset>0</addressOffset><modifiedWriteValues>oneToClear</modifiedWriteValues>
          <writeConstraint><range><minimum>0</minimum><maximum>5</maximum></range></writeConstraint>
          <fields>
            <field><name>MODE</name><bitRange>[1:0]</bitRange>
              <enumeratedValues><name>ModeEnum</name><usage>read-write</usage>
                <enumeratedValue><name>Off</name><value>0</value></enumeratedValue>
                <enumeratedValue><name>On</name><value>#1x</value></enumeratedValue>
                <enumeratedValue><name>Other</name><isDefault>true</isDefault></enumeratedValue>
              </enumeratedValues></field>
            <field><name>MODE2</name><bitRange>[3:2]</bitRange><enumeratedValues derivedFrom="ModeEnum"/></field>
            <field><name>MODE3</name><bitRange>[5:4]</bitRange><enumeratedValues derivedFrom="P.R.MODE.ModeEnum"/>
              <modifiedWriteValues>zeroToToggle</modifiedWriteValues><readAction>modifyExternal</readAction>
              <writeConstraint><writeAsRead>true</writeAsRead></writeConstraint></field>
          </fields></register></registers></peripheral>`), 't.svd');
    const r = findRegister(findPeripheral(d, 'P')!, 'R')!;
    assert.equal(r.modifiedWriteValues, 'oneToClear');
    assert.deepEqual(r.writeConstraint, { range: { minimum: 0, maximum: 5 } });
    const [mode, mode2, mode3] = r.fields;
    assert.deepEqual(mode.enumerations[0].values.map((v) => [v.name, v.value, v.mask, v.isDefault]), [
      ['Off', 0, 3, false], ['On', 2, 2, false], ['Other', undefined, 3, true],
    ]);
    assert.deepEqual(mode2.enumerations[0].values.map((v) => v.name), ['Off', 'On', 'Other']);
    assert.deepEqual(mode3.enumerations[0].values.map((v) => v.name), ['Off', 'On', 'Other']);
    assert.deepEqual([mode3.modifiedWriteValues, mode3.readAction, mode3.writeConstraint], ['zeroToToggle', 'modifyExternal', { writeAsRead: true }]);
  });

  it('errors name the file and the element path', () => {
    const cases: [string, RegExp][] = [
      [svd('<peripheral><name>P</name><baseAddress>0</baseAddress><registers><register><name>R</name></register></registers></peripheral>'),
        /^bad\.svd: \/device\/peripherals\/peripheral\[P\]\/registers\/register\[R\]: missing <addressOffset>$/],
      [svd('<peripheral><name>P</name></peripheral>'), /peripheral\[P\]: missing <baseAddress>/],
      [svd('<peripheral derivedFrom="Q"><name>P</name><baseAddress>0</baseAddress></peripheral>'), /peripheral\[P\]: derivedFrom 'Q': no such element/],
      [svd('<peripheral derivedFrom="P"><name>P</name><baseAddress>0</baseAddress></peripheral>'), /circular/],
      [svd('<peripheral><name>P</name><baseAddress>0x4Q</baseAddress></peripheral>'), /peripheral\[P\]\/baseAddress: '0x4Q' is not a number/],
      [svd('<peripheral><name>P</name><baseAddress>0</baseAddress><registers><register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitRange>[40:0]</bitRange></field></fields></register></registers></peripheral>'),
        /field\[F\]: bits \[40:0\] do not fit a 32-bit register/],
      [svd('<peripheral><name>P</name><baseAddress>0</baseAddress><access>rw</access></peripheral>'), /access: 'rw' is not one of/],
      ['<device><name>X</name><peripherals><peripheral></peripherals></device>', /^bad\.svd: malformed XML at line 1, column \d+: end tag <\/peripherals> does not match <peripheral>/],
      ['<notsvd/>', /not a CMSIS-SVD file/],
    ];
    for (const [text, re] of cases) {
      assert.throws(() => parseSvd(text, 'bad.svd'), (e: Error) => e instanceof SvdError && re.test(e.message), re.source);
    }
  });

  it('the XML reader agrees with fast-xml-parser on the bundled SVD', () => {
    const text = readFileSync(join(__dirname, '../../../media/svd/STM32F411.svd'), 'utf8');
    const repeated = new Set(['peripheral', 'register', 'cluster', 'field', 'enumeratedValues', 'enumeratedValue', 'interrupt', 'addressBlock']);
    const oracle = new XMLParser({
      ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true, ignoreDeclaration: true,
      isArray: (name: string) => repeated.has(name),
    }).parse(text);
    assert.deepEqual(readXml(text, repeated), oracle);
    const small = '<a x="1&amp;2"><b>t &lt; u</b><b><![CDATA[<raw>]]></b><c/><d y=\'q\'/></a>';
    assert.deepEqual(readXml(small), new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(small));
  });

  it('parses a large synthetic SVD (about 15 MB, a third of the peripherals derivedFrom): derived peripherals get their own registers', function () {
    // Its speed is measured by `npm run bench` (bench/svd.ts), not here.
    this.timeout(120000);
    const text = largeSvdText(200);
    assert.ok(text.length > 14e6, `${text.length} bytes`);
    const d = parseSvd(text, 'big.svd');
    assert.equal(d.peripherals.length, 200);
    assert.equal(d.peripherals[199].allRegisters[23].fields[15].enumerations[0].values.length, 2);
    const derived = d.peripherals[197];
    assert.equal(derived.derivedFrom, 'P196');
    assert.equal(derived.allRegisters[1].address, 0x40000000 + 0x400 * 197 + 4);
    assert.notEqual(derived.allRegisters[1].fields[0], d.peripherals[196].allRegisters[1].fields[0], 'fields are not shared between peripherals');
  });

  it('fuzz: mutated SVDs parse or fail with SvdError, never crash or hang (seeded)', function () {
    this.timeout(60000);
    const base = readFileSync(join(__dirname, '../../../media/svd/STM32F411.svd'), 'utf8').slice(0, 60000);
    const seed = base.slice(0, base.lastIndexOf('</peripheral>') + 13) + '</peripherals></device>';
    let state = 0x5eed1234;
    const rand = (n: number) => {
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      return state % n;
    };
    const tokens = ['<', '>', '/', '"', '&', '&amp;', '<field>', '</field>', '<dim>3</dim>', '%s', 'derivedFrom="GPIOA"', '0x', '[%s]', '<![CDATA[', '<!--', '\u0000', '99999999999999999999'];
    let ok = 0, errors = 0;
    for (let i = 0; i < 300; i++) {
      let text = seed;
      const edits = 1 + rand(4);
      for (let k = 0; k < edits; k++) {
        const at = rand(text.length);
        const kind = rand(3);
        if (kind === 0) text = text.slice(0, at) + text.slice(at + 1 + rand(20));
        else if (kind === 1) text = text.slice(0, at) + tokens[rand(tokens.length)] + text.slice(at);
        else { const from = rand(text.length); text = text.slice(0, at) + text.slice(from, from + rand(200)) + text.slice(at); }
      }
      const t0 = performance.now();
      try {
        parseSvd(text, `fuzz${i}.svd`);
        ok++;
      } catch (e) {
        assert.ok(e instanceof SvdError, `case ${i}: ${e instanceof Error ? e.stack : String(e)}`);
        assert.match(e.message, new RegExp(`^fuzz${i}\\.svd: `));
        errors++;
      }
      assert.ok(performance.now() - t0 < 2000, `case ${i} took too long`);
    }
    assert.ok(ok > 0 && errors > 0, `${ok} parsed, ${errors} rejected`);
  });
});
