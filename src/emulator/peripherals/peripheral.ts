// What a peripheral model sees of the machine, and what the machine sees of a model. Models get a
// context instead of the Machine itself so that they stay testable on their own and so that the
// dependency points one way (machine → models).

import type { MemoryDevice } from '../bus';
import type { Cpu } from '../cpu/cpu';
import type { PeripheralBlockDescription } from '../chips/chip';

/** A device whose next event (an interrupt request) is known in advance, in core cycles. */
export interface PeripheralTimedDevice {
  readonly nextEventCycle: number;
  /** Bring the device up to the current cycle count (called at or after nextEventCycle). */
  advance(): void;
}

export interface PeripheralContext {
  /** Time (`cpu.cycles`) and the address of the instruction being executed (`cpu.pc`). */
  readonly cpu: Cpu;
  /** Pend an external interrupt line (IRQ number, not exception number). */
  pendIrq(irq: number): void;
  /** Drive an external interrupt line as a level (IRQ number): while it is asserted, returning
   *  from its handler pends it again. Models whose flags stay set until software clears them
   *  use this instead of pendIrq. */
  setIrqLevel(irq: number, asserted: boolean): void;
  /** Register a device with timed events with the run loop. */
  addTimedDevice(device: PeripheralTimedDevice): void;
  /** A timed device's nextEventCycle changed: end the current run slice. */
  requestAttention(): void;
  /** A GPIO pin's level changed (port letter, pin number). */
  emitPinChange(port: string, pin: number, level: boolean): void;
  /** A byte left a UART's transmitter (peripheral name, byte). */
  emitUartOutput(name: string, byte: number): void;
  warn(message: string): void;
  /** A system reset from a peripheral (watchdog timeout); it happens between instructions. */
  requestSystemReset(): void;
  /** The core clock frequency changed (the clock tree was reprogrammed). */
  setCoreClockHz(hz: number): void;
  /** Another peripheral of the same chip, by name (models that cooperate: GPIO → EXTI, RCC). */
  peripheral(name: string): PeripheralDevice | undefined;
}

/** A peripheral block on the bus: plain registers or a behavioural model. */
export interface PeripheralDevice extends MemoryDevice {
  readonly description: PeripheralBlockDescription;
  /** Power-on / system reset. */
  reset(): void;
  /** Called once after every peripheral of the chip exists (find partners, subscribe). */
  link?(): void;
}

/** Creates a model for a block; the chip description names it. */
export type PeripheralFactory = (description: PeripheralBlockDescription, context: PeripheralContext) => PeripheralDevice;
