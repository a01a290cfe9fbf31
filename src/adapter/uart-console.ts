// The console UART's transmitted bytes as Debug Console text, a line at a time: one output event
// per byte would flood the client. The unfinished line is shown at a stop or exit. Carriage returns
// before a newline are dropped (firmware sends "\r\n" for serial terminals).

import type { Machine } from '../emulator/machine';

export class UartConsole {
  private line: number[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  private readonly detach: () => void;

  /** `uarts`: the peripheral names to show (e.g. ['USART2']); empty shows every UART. */
  constructor(machine: Machine, uarts: readonly string[], private readonly output: (text: string) => void) {
    const wanted = new Set(uarts.map((u) => u.toUpperCase()));
    this.detach = machine.onUartOutput((name, byte) => {
      if (wanted.size > 0 && !wanted.has(name)) return;
      if (byte === 0x0a) {
        if (this.line.length > 0 && this.line[this.line.length - 1] === 0x0d) this.line.pop();
        this.line.push(0x0a);
        this.emitLine();
      } else {
        this.line.push(byte);
        if (this.line.length >= 4096) this.emitLine();
      }
    });
  }

  /** Shows the unfinished line (at a stop or exit). */
  flush(): void {
    if (this.line.length > 0) this.emitLine();
  }

  dispose(): void {
    this.detach();
  }

  private emitLine(): void {
    const text = this.decoder.decode(Uint8Array.from(this.line), { stream: true });
    this.line = [];
    if (text !== '') this.output(text);
  }
}
