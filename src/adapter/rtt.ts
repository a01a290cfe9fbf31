// RTT in a debug session: polls the firmware's up channels at every run slice and every stop and
// turns them into Debug Console text (channel 0 as is, other channels line by line behind their
// name), and feeds Debug Console input to down channel 0. The protocol itself is emulator/rtt.ts.

import type { Machine } from '../emulator/machine';
import { RttHost, type RttChannel } from '../emulator/rtt';

/** The control block's symbol in every RTT implementation's firmware. */
export const RTT_SYMBOL = '_SEGGER_RTT';

/** True when the firmware defines the RTT control block symbol. */
export function firmwareHasRtt(machine: Machine): boolean {
  return machine.elf?.symbolByName(RTT_SYMBOL) !== undefined;
}

export class RttConsole {
  readonly host: RttHost;
  private readonly decoders = new Map<number, InstanceType<typeof TextDecoder>>();
  /** Partial lines of the named (non-zero) channels, which are shown one prefixed line at a time. */
  private readonly partial = new Map<number, string>();
  private pendingInput: Uint8Array = new Uint8Array(0);

  constructor(private readonly machine: Machine, private readonly output: (text: string) => void) {
    const symbol = machine.elf?.symbolByName(RTT_SYMBOL);
    this.host = new RttHost(machine, {
      address: symbol?.address,
      ranges: machine.chip.sram.map((s) => ({ base: s.base, size: s.size })),
    });
    machine.onReset(() => {
      this.host.reset();
      this.partial.clear();
      this.decoders.clear();
    });
  }

  /** True once the firmware's control block has been found. */
  get attached(): boolean {
    return this.host.block !== null;
  }

  /** Queues text for down channel 0 (written as the firmware makes room). */
  sendInput(text: string): void {
    const bytes = new TextEncoder().encode(text);
    const joined = new Uint8Array(this.pendingInput.length + bytes.length);
    joined.set(this.pendingInput);
    joined.set(bytes, this.pendingInput.length);
    this.pendingInput = joined;
    this.poll();
  }

  /** Moves new up-channel bytes to the console and pending input into the target. */
  poll(): void {
    this.host.poll(this.onData);
    if (this.pendingInput.length > 0) {
      const n = this.host.write(0, this.pendingInput);
      if (n > 0) this.pendingInput = this.pendingInput.slice(n);
    }
  }

  /** At a stop: also shows the named channels' unfinished lines. */
  flush(): void {
    this.poll();
    for (const [index, rest] of this.partial) {
      if (rest !== '') this.output(`${this.label(index)}${rest}\n`);
    }
    this.partial.clear();
  }

  private label(index: number): string {
    const name = this.host.block?.up[index]?.name;
    return `[${name !== undefined && name !== '' ? name : `rtt${index}`}] `;
  }

  private readonly onData = (channel: RttChannel, data: Uint8Array): void => {
    let decoder = this.decoders.get(channel.index);
    if (!decoder) this.decoders.set(channel.index, (decoder = new TextDecoder('utf-8')));
    const text = decoder.decode(data, { stream: true });
    if (channel.index === 0) {
      this.output(text);
      return;
    }
    const lines = ((this.partial.get(channel.index) ?? '') + text).split('\n');
    this.partial.set(channel.index, lines.pop() ?? '');
    for (const line of lines) this.output(`${this.label(channel.index)}${line}\n`);
  };
}
