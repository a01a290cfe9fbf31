// STM32F411 USART (RM0383 section 19), asynchronous mode. Transmission is paced by the baud rate:
// a byte written to DR moves to the shift register when it is free (TXE back to 1) and leaves the
// line one frame later (start + 8/9 data + stop bits at PCLK/baud, converted to core cycles with
// the APB divider), when it goes to the machine's UART observers; TC sets when the shift register
// empties with nothing queued. Received bytes (`receive`, or `send` paced at the baud rate) set
// RXNE, or ORE if the previous byte was not read yet. Reading DR clears RXNE; a debugger peek
// does not.
//
// The interrupt output is a level (TXE·TXEIE | TC·TCIE | (RXNE|ORE)·RXNEIE | IDLE·IDLEIE |
// PE·PEIE), driven as a level: a handler that leaves TXEIE set with TXE high is entered again.
//
// Frame ends are events of the run loop, which may bring the model up to date a few cycles late
// (a run slice ends at block boundaries). SR is therefore computed for the current cycle when read:
// a CPU read catches the model up; a debugger peek shows the same value without changing state.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice, PeripheralTimedDevice } from '../peripheral';
import { RegisterBlock } from '../register-block';
import { findRcc, type Bus } from './rcc';

const SR = 0x00, DR = 0x04, BRR = 0x08, CR1 = 0x0c, CR2 = 0x10, CR3 = 0x14, GTPR = 0x18;

export const SR_PE = 1 << 0, SR_FE = 1 << 1, SR_NF = 1 << 2, SR_ORE = 1 << 3, SR_IDLE = 1 << 4;
export const SR_RXNE = 1 << 5, SR_TC = 1 << 6, SR_TXE = 1 << 7, SR_LBD = 1 << 8, SR_CTS = 1 << 9;
const CR1_RE = 1 << 2, CR1_TE = 1 << 3, CR1_IDLEIE = 1 << 4, CR1_RXNEIE = 1 << 5, CR1_TCIE = 1 << 6;
const CR1_TXEIE = 1 << 7, CR1_PEIE = 1 << 8, CR1_M = 1 << 12, CR1_UE = 1 << 13, CR1_OVER8 = 1 << 15;

export interface UsartOptions {
  irq: number;
  /** The APB bus clocking it (USART2: APB1; USART1/6: APB2). */
  bus: Bus;
}

export class Usart extends RegisterBlock implements PeripheralTimedDevice {
  nextEventCycle = Infinity;
  private txBusy = false;
  private txShift = 0;
  private txFrameEnd = Infinity;
  private tdrFull = false;
  private tdr = 0;
  private rdr = 0;
  private readonly rxQueue: number[] = [];
  private rxNext = Infinity;
  private warnedBaud = false;

  constructor(description: PeripheralBlockDescription, context: PeripheralContext, readonly options: UsartOptions) {
    super(description, context);
    this.define([
      {
        name: 'SR', offset: SR, reset: SR_TXE | SR_TC, writable: 0, clearOnWrite0: SR_CTS | SR_LBD | SR_TC | SR_RXNE,
        beforeWrite: () => this.advanceTo(this.context.cpu.cycles),
        read: (stored, sideEffects) => {
          const now = this.context.cpu.cycles;
          if (!sideEffects) return this.statusAt(stored, now);
          this.advanceTo(now);
          this.evaluateIrq();
          return this.stored(SR);
        },
        write: () => this.evaluateIrq(),
        fields: [
          { name: 'PE', lsb: 0, width: 1, access: 'r' }, { name: 'FE', lsb: 1, width: 1, access: 'r' },
          { name: 'NF', lsb: 2, width: 1, access: 'r' }, { name: 'ORE', lsb: 3, width: 1, access: 'r' },
          { name: 'IDLE', lsb: 4, width: 1, access: 'r' }, { name: 'RXNE', lsb: 5, width: 1, access: 'rc_w0' },
          { name: 'TC', lsb: 6, width: 1, access: 'rc_w0' }, { name: 'TXE', lsb: 7, width: 1, access: 'r' },
          { name: 'LBD', lsb: 8, width: 1, access: 'rc_w0' }, { name: 'CTS', lsb: 9, width: 1, access: 'rc_w0' },
        ],
      },
      {
        name: 'DR', offset: DR, reset: 0, writable: 0,
        read: (_v, sideEffects) => this.readData(sideEffects),
        write: (value) => this.writeData(value & 0x1ff),
        fields: [{ name: 'DR', lsb: 0, width: 9 }],
      },
      {
        name: 'BRR', offset: BRR, reset: 0, writable: 0xffff,
        fields: [{ name: 'DIV_Fraction', lsb: 0, width: 4 }, { name: 'DIV_Mantissa', lsb: 4, width: 12 }],
      },
      {
        name: 'CR1', offset: CR1, reset: 0, writable: 0xbfff,
        write: () => {
          this.startTransmission(this.context.cpu.cycles);
          this.evaluateIrq();
        },
        fields: [
          { name: 'SBK', lsb: 0, width: 1 }, { name: 'RWU', lsb: 1, width: 1 }, { name: 'RE', lsb: 2, width: 1 },
          { name: 'TE', lsb: 3, width: 1 }, { name: 'IDLEIE', lsb: 4, width: 1 }, { name: 'RXNEIE', lsb: 5, width: 1 },
          { name: 'TCIE', lsb: 6, width: 1 }, { name: 'TXEIE', lsb: 7, width: 1 }, { name: 'PEIE', lsb: 8, width: 1 },
          { name: 'PS', lsb: 9, width: 1 }, { name: 'PCE', lsb: 10, width: 1 }, { name: 'WAKE', lsb: 11, width: 1 },
          { name: 'M', lsb: 12, width: 1 }, { name: 'UE', lsb: 13, width: 1 }, { name: 'OVER8', lsb: 15, width: 1 },
        ],
      },
      {
        name: 'CR2', offset: CR2, reset: 0, writable: 0x7f6f,
        fields: [
          { name: 'ADD', lsb: 0, width: 4 }, { name: 'LBDL', lsb: 5, width: 1 }, { name: 'LBDIE', lsb: 6, width: 1 },
          { name: 'LBCL', lsb: 8, width: 1 }, { name: 'CPHA', lsb: 9, width: 1 }, { name: 'CPOL', lsb: 10, width: 1 },
          { name: 'CLKEN', lsb: 11, width: 1 }, { name: 'STOP', lsb: 12, width: 2 }, { name: 'LINEN', lsb: 14, width: 1 },
        ],
      },
      { name: 'CR3', offset: CR3, reset: 0, writable: 0x0fff },
      { name: 'GTPR', offset: GTPR, reset: 0, writable: 0xffff },
    ]);
  }

  override reset(): void {
    super.reset();
    this.txBusy = false;
    this.txFrameEnd = Infinity;
    this.tdrFull = false;
    this.tdr = this.rdr = 0;
    this.rxQueue.length = 0;
    this.rxNext = Infinity;
    this.schedule();
  }

  /** Core cycles per frame (start bit + data bits + stop bits) at the current BRR and clocks. */
  frameCycles(): number {
    const brr = this.stored(BRR);
    const cr1 = this.stored(CR1);
    // fck / baud: BRR itself with 16x oversampling; 8·mantissa + fraction[2:0] with 8x (19.3.4).
    let clocksPerBit = (cr1 & CR1_OVER8) !== 0 ? (brr >>> 4) * 8 + (brr & 7) : brr;
    if (clocksPerBit === 0) {
      if (!this.warnedBaud) {
        this.warnedBaud = true;
        this.context.warn(`${this.description.name}: BRR is 0 (no baud rate); bytes are sent without delay`);
      }
      clocksPerBit = 1;
    }
    const stopBits = [1, 0.5, 2, 1.5][(this.stored(CR2) >>> 12) & 3];
    const bits = 1 + ((cr1 & CR1_M) !== 0 ? 9 : 8) + stopBits;
    const divider = findRcc(this.context)?.busDivider(this.options.bus) ?? 1;
    return Math.max(1, Math.round(bits * clocksPerBit * divider));
  }

  // ---- transmit ----------------------------------------------------------------------------------

  private writeData(value: number): void {
    this.advanceTo(this.context.cpu.cycles);
    // TC is cleared by the write to DR (the SR read half of the sequence is not enforced).
    this.store(SR, this.stored(SR) & ~(SR_TXE | SR_TC));
    this.tdr = value;
    this.tdrFull = true;
    this.startTransmission(this.context.cpu.cycles);
    this.evaluateIrq();
  }

  /** Move TDR into the shift register if the transmitter is enabled and idle. */
  private startTransmission(at: number): void {
    const cr1 = this.stored(CR1);
    if (this.txBusy || !this.tdrFull || (cr1 & (CR1_UE | CR1_TE)) !== (CR1_UE | CR1_TE)) return;
    this.txShift = this.tdr;
    this.tdrFull = false;
    this.txBusy = true;
    this.txFrameEnd = at + this.frameCycles();
    this.store(SR, (this.stored(SR) | SR_TXE) & ~SR_TC);
    this.schedule();
  }

  // ---- receive -----------------------------------------------------------------------------------

  /** A byte arrives now. Returns false if the receiver is off (the byte is lost). */
  receive(byte: number): boolean {
    const cr1 = this.stored(CR1);
    if ((cr1 & (CR1_UE | CR1_RE)) !== (CR1_UE | CR1_RE)) return false;
    const sr = this.stored(SR);
    if ((sr & SR_RXNE) !== 0) this.store(SR, sr | SR_ORE); // overrun: the new byte is lost (19.3.3)
    else {
      this.rdr = byte & 0x1ff;
      this.store(SR, sr | SR_RXNE);
    }
    this.evaluateIrq();
    return true;
  }

  /** Queue bytes to arrive one frame apart from now (a terminal typing into the RX pin). */
  send(bytes: Iterable<number>): void {
    for (const b of bytes) this.rxQueue.push(b & 0xff);
    if (this.rxNext === Infinity && this.rxQueue.length > 0) {
      this.rxNext = this.context.cpu.cycles + this.frameCycles();
      this.schedule();
    }
  }

  private readData(sideEffects: boolean): number {
    if (sideEffects) {
      // Reading DR clears RXNE, and ends the SR-then-DR sequence that clears the error flags.
      this.store(SR, this.stored(SR) & ~(SR_RXNE | SR_ORE | SR_IDLE | SR_NF | SR_FE | SR_PE));
      this.evaluateIrq();
    }
    return this.rdr;
  }

  // ---- time --------------------------------------------------------------------------------------

  /** SR as it would read at cycle `now`, from the stored value, without advancing the model: frames
   *  that ended by then set TXE/TC (the queued byte, if any, moved to the shift register), bytes
   *  due to arrive set RXNE (or ORE). */
  private statusAt(stored: number, now: number): number {
    let sr = stored;
    if (this.txBusy && this.txFrameEnd <= now) {
      // The frame on the line ended. A queued byte started next (TXE set on the move), and TC
      // sets once that one ended too.
      sr |= SR_TXE;
      const queuedDone = this.tdrFull && this.txFrameEnd + this.frameCycles() <= now;
      if (!this.tdrFull || queuedDone) sr |= SR_TC;
    }
    if (this.rxNext <= now && (this.stored(CR1) & (CR1_UE | CR1_RE)) === (CR1_UE | CR1_RE)) {
      sr |= (sr & SR_RXNE) !== 0 ? SR_ORE : SR_RXNE;
    }
    return sr >>> 0;
  }

  advance(): void {
    this.advanceTo(this.context.cpu.cycles);
    this.evaluateIrq();
  }

  private advanceTo(now: number): void {
    while (this.txBusy && this.txFrameEnd <= now) {
      const end = this.txFrameEnd;
      this.txBusy = false;
      this.txFrameEnd = Infinity;
      this.context.emitUartOutput(this.description.name, this.txShift & 0xff);
      if (this.tdrFull) this.startTransmission(end);
      else this.store(SR, this.stored(SR) | SR_TC);
    }
    while (this.rxNext <= now) {
      const at = this.rxNext;
      this.receive(this.rxQueue.shift()!);
      this.rxNext = this.rxQueue.length > 0 ? at + this.frameCycles() : Infinity;
    }
    this.schedule();
  }

  private schedule(): void {
    const next = Math.min(this.txFrameEnd, this.rxNext);
    if (next !== this.nextEventCycle) {
      this.nextEventCycle = next;
      this.context.requestAttention();
    }
  }

  private evaluateIrq(): void {
    const sr = this.stored(SR);
    const cr1 = this.stored(CR1);
    const asserted =
      ((cr1 & CR1_TXEIE) !== 0 && (sr & SR_TXE) !== 0) ||
      ((cr1 & CR1_TCIE) !== 0 && (sr & SR_TC) !== 0) ||
      ((cr1 & CR1_RXNEIE) !== 0 && (sr & (SR_RXNE | SR_ORE)) !== 0) ||
      ((cr1 & CR1_IDLEIE) !== 0 && (sr & SR_IDLE) !== 0) ||
      ((cr1 & CR1_PEIE) !== 0 && (sr & SR_PE) !== 0);
    // A level: a handler that leaves TXEIE set with TXE high is entered again (as on silicon).
    this.context.setIrqLevel(this.options.irq, asserted);
  }

  /** Transmitter busy (a frame on the line). */
  get transmitting(): boolean {
    return this.txBusy;
  }
}

export function createUsart(options: UsartOptions) {
  return (description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice => {
    const usart = new Usart(description, context, options);
    context.addTimedDevice(usart);
    return usart;
  };
}
