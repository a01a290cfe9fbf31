// A board wired to a running Machine: LEDs follow their pins (with a brightness that is the
// fraction of simulated time they were lit, so a fast-toggled LED shows its PWM duty), buttons and
// switches drive their input pins, a UART terminal sends bytes to a USART's receiver and collects
// what it transmits. Every pin change, UART byte and button action also goes to a PinTimeline, and
// so does every exception entry and return (a channel per exception, 1 while it is active).
//
// The pin observer runs inside the emulator's hot loop whenever the firmware writes a GPIO output,
// so it does a table lookup and a few number stores: no strings built, nothing allocated.

import { exceptionName } from '../exceptions';
import type { Machine } from '../machine';
import { PinTimeline } from '../pin-timeline';
import type { Board, BoardPart, Polarity } from './board-description';
import { parsePinName } from './board-description';

/** What a GPIO model offers to drive an input from outside (STM32 GPIO: setInputLevel). */
interface DrivablePort {
  setInputLevel(pin: number, level: boolean | null): void;
}
/** What a UART model offers to receive bytes (STM32 USART: send, paced at the baud rate). */
interface ReceivingUart {
  send(bytes: Iterable<number>): void;
}

function isDrivable(p: unknown): p is DrivablePort {
  return typeof (p as DrivablePort | undefined)?.setInputLevel === 'function';
}
function isReceiving(p: unknown): p is ReceivingUart {
  return typeof (p as ReceivingUart | undefined)?.send === 'function';
}

export interface LedState {
  id: string;
  on: boolean;
  /** Fraction of simulated time lit since the previous sample, 0..1. */
  brightness: number;
}

export interface InputState {
  id: string;
  /** Button held down / switch closed. */
  active: boolean;
}

export interface BoardState {
  leds: LedState[];
  inputs: InputState[];
  /** Simulated cycles when the state was sampled. */
  cycles: number;
}

/** Index of a pin in the per-pin tables: port letter A..K × 16 + pin. */
function pinKey(port: string, pin: number): number {
  return (port.charCodeAt(0) - 65) * 16 + pin;
}
const PIN_KEYS = 11 * 16;

class Led {
  on = false;
  /** Cycle the LED last turned on, or of the window start if it was on then. */
  onSince = 0;
  /** Cycles lit in the current window before onSince. */
  litCycles = 0;
  constructor(readonly id: string, readonly activeHigh: boolean, readonly channel: number) {}
}

class Input {
  active = false;
  constructor(readonly part: BoardPart & { pin: string; polarity: Polarity }, readonly port: DrivablePort | null, readonly pin: number, readonly channel: number) {}
}

export class BoardRuntime {
  readonly timeline: PinTimeline;
  private readonly leds: Led[] = [];
  /** LEDs per pin key (usually one). */
  private readonly ledsByPin: (Led[] | undefined)[] = new Array(PIN_KEYS);
  /** Timeline channel per pin key (-1: not recorded). */
  private readonly pinChannel = new Int32Array(PIN_KEYS).fill(-1);
  private readonly inputs = new Map<string, Input>();
  private readonly uartChannels = new Map<string, { tx: number; rx: number }>();
  private readonly terminalsByUart = new Map<string, string[]>();
  private readonly uartListeners: ((terminalId: string, byte: number) => void)[] = [];
  private readonly pinListeners: (() => void)[] = [];
  private windowStart = 0;
  /** Timeline channel per exception number (-1: created on its first entry). */
  private readonly exceptionChannel: Int32Array;
  private readonly disposers: (() => void)[] = [];
  /** Something changed since takeChanged() was last called. */
  private changed = true;

  constructor(readonly machine: Machine, readonly board: Board, timeline?: PinTimeline) {
    this.timeline = timeline ?? new PinTimeline();
    const tl = this.timeline;
    for (const part of board.parts) {
      if (part.type === 'uart-terminal') {
        const channels = { tx: tl.channel(`${part.uart}.tx`, 'uart'), rx: tl.channel(`${part.uart}.rx`, 'uart') };
        this.uartChannels.set(part.uart, channels);
        const list = this.terminalsByUart.get(part.uart) ?? [];
        list.push(part.id);
        this.terminalsByUart.set(part.uart, list);
        continue;
      }
      const parsed = parsePinName(part.pin)!;
      const key = pinKey(parsed.port, parsed.pin);
      if (this.pinChannel[key] < 0) this.pinChannel[key] = tl.channel(part.pin, 'pin');
      const channel = this.pinChannel[key];
      if (part.type === 'led') {
        const led = new Led(part.id, part.polarity === 'active-high', channel);
        this.leds.push(led);
        (this.ledsByPin[key] ??= []).push(led);
      } else {
        const gpio = machine.peripheral(`GPIO${parsed.port}`);
        const input = new Input(part, isDrivable(gpio) ? gpio : null, parsed.pin, channel);
        if (part.type === 'switch') input.active = part.initiallyOn;
        this.inputs.set(part.id, input);
      }
    }
    this.disposers.push(machine.onPinChange((port, pin, level) => this.onPin(port, pin, level)));
    this.disposers.push(machine.onUartOutput((name, byte) => this.onUartByte(name, byte)));
    this.disposers.push(machine.onReset(() => this.onReset()));
    this.exceptionChannel = new Int32Array(machine.exceptions.count).fill(-1);
    this.disposers.push(machine.onException((n, entered) => this.onException(n, entered)));
    this.driveAllInputs();
    this.syncLeds();
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  /** Terminal output: (terminal part id, byte). */
  onUart(listener: (terminalId: string, byte: number) => void): void {
    this.uartListeners.push(listener);
  }

  /** Called after any LED or input change (no arguments: cheap to call in the hot loop). */
  onChange(listener: () => void): void {
    this.pinListeners.push(listener);
  }

  /** True if anything visible changed since the last call. */
  takeChanged(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }

  private onPin(port: string, pin: number, level: boolean): void {
    const key = pinKey(port, pin);
    const channel = this.pinChannel[key];
    if (channel < 0) return;
    const now = this.machine.cpu.cycles;
    this.timeline.record(channel, now, level ? 1 : 0);
    const leds = this.ledsByPin[key];
    if (leds !== undefined) {
      for (let i = 0; i < leds.length; i++) this.setLed(leds[i], level === leds[i].activeHigh, now);
    }
    this.changed = true;
    for (let i = 0; i < this.pinListeners.length; i++) this.pinListeners[i]();
  }

  private setLed(led: Led, on: boolean, now: number): void {
    if (on === led.on) return;
    if (on) led.onSince = now;
    else led.litCycles += now - Math.max(led.onSince, this.windowStart);
    led.on = on;
  }

  private onException(n: number, entered: boolean): void {
    let channel = this.exceptionChannel[n];
    if (channel < 0) {
      // Created on first entry: before it, the exception was inactive.
      channel = this.exceptionChannel[n] = this.timeline.channel(exceptionName(n), 'irq', 1, 0);
    }
    this.timeline.record(channel, this.machine.cpu.cycles, entered ? 1 : 0);
  }

  private onUartByte(name: string, byte: number): void {
    const channels = this.uartChannels.get(name);
    if (!channels) return;
    this.timeline.record(channels.tx, this.machine.cpu.cycles, byte);
    for (const id of this.terminalsByUart.get(name) ?? []) for (const l of this.uartListeners) l(id, byte);
  }

  private onReset(): void {
    // Cycle counting restarts: so does the record. Inputs keep their positions (the wiring).
    this.timeline.clear();
    this.windowStart = this.machine.cpu.cycles;
    for (const led of this.leds) {
      led.litCycles = 0;
      led.onSince = this.windowStart;
    }
    this.driveAllInputs();
    this.syncLeds();
    this.changed = true;
  }

  /** Read the LED pins' current levels (after a reset or at start: no change event came). */
  private syncLeds(): void {
    const now = this.machine.cpu.cycles;
    for (let key = 0; key < PIN_KEYS; key++) {
      const leds = this.ledsByPin[key];
      if (!leds) continue;
      const gpio = this.machine.peripheral(`GPIO${String.fromCharCode(65 + (key >> 4))}`) as { pinLevel?: (pin: number) => boolean } | undefined;
      const level = gpio?.pinLevel?.(key & 15) ?? false;
      this.timeline.record(this.pinChannel[key], now, level ? 1 : 0);
      for (const led of leds) this.setLed(led, level === led.activeHigh, now);
    }
  }

  private driveAllInputs(): void {
    for (const input of this.inputs.values()) this.drive(input);
  }

  /** Active: the pin is driven to its active level. Inactive: to the other level, as the board's
   *  pull resistor does (B1 on the NUCLEO has an external pull-up). */
  private drive(input: Input): void {
    const activeHigh = input.part.polarity === 'active-high';
    input.port?.setInputLevel(input.pin, input.active === activeHigh);
  }

  /** Press (true) or release (false) a button, or close/open a switch. Unknown ids throw. */
  setInput(id: string, active: boolean): void {
    const input = this.inputs.get(id);
    if (!input) throw new Error(`no button or switch '${id}' on ${this.board.name} (inputs: ${[...this.inputs.keys()].join(', ') || 'none'})`);
    if (!input.port) throw new Error(`'${id}' is wired to ${input.part.pin}, whose port is not modelled on ${this.machine.chip.name}`);
    if (input.active === active) return;
    input.active = active;
    this.drive(input);
    this.changed = true;
  }

  /** Bytes typed into a UART terminal: delivered to the USART's receiver at its baud rate. */
  uartInput(terminalId: string, bytes: Uint8Array): void {
    const part = this.board.parts.find((p) => p.id === terminalId && p.type === 'uart-terminal');
    if (!part || part.type !== 'uart-terminal') throw new Error(`no UART terminal '${terminalId}' on ${this.board.name}`);
    const uart = this.machine.peripheral(part.uart);
    if (!isReceiving(uart)) throw new Error(`${part.uart} is not modelled on ${this.machine.chip.name}`);
    const channels = this.uartChannels.get(part.uart)!;
    const now = this.machine.cpu.cycles;
    for (const b of bytes) this.timeline.record(channels.rx, now, b);
    uart.send(bytes);
  }

  /** The first UART terminal's id, if any. */
  get defaultTerminal(): string | undefined {
    return this.board.parts.find((p) => p.type === 'uart-terminal')?.id;
  }

  /** LED states and brightness since the previous sample; starts a new brightness window. */
  sample(): BoardState {
    const now = this.machine.cpu.cycles;
    const span = now - this.windowStart;
    const leds: LedState[] = this.leds.map((led) => {
      let lit = led.litCycles;
      if (led.on) lit += now - Math.max(led.onSince, this.windowStart);
      const brightness = span > 0 ? Math.min(1, Math.max(0, lit / span)) : led.on ? 1 : 0;
      led.litCycles = 0;
      return { id: led.id, on: led.on, brightness };
    });
    // An empty window (the core did not run): keep showing the steady state.
    if (span > 0) this.windowStart = now;
    const inputs = [...this.inputs.values()].map((i) => ({ id: i.part.id, active: i.active }));
    return { leds, inputs, cycles: now };
  }
}
