// A logic-analyser style record of what the board saw, in simulated time (core cycles): pin levels,
// bytes leaving or entering a UART, interrupt requests. Memory is bounded: events go into a ring of
// typed arrays (no allocation per event), and when it wraps the oldest events are dropped while each
// channel remembers the value it had before the oldest kept event, so a window can always be drawn
// (and exported) from its true starting levels. Exports to VCD (IEEE 1364 value change dump) for
// waveform viewers.

export type ChannelKind = 'pin' | 'uart' | 'irq';

export interface TimelineChannel {
  /** Index used by record(). */
  index: number;
  /** Unique name: "PA5", "USART2.tx", "IRQ40", "SysTick" (an exception: 1 while active). */
  name: string;
  kind: ChannelKind;
  /** Bits per value: 1 for a pin or an interrupt line, 8 for UART bytes. */
  width: number;
}

export interface TimelineEvent {
  cycle: number;
  channel: number;
  value: number;
}

export interface TimelineWindow {
  channels: TimelineChannel[];
  /** Each channel's value just before the first event returned (NaN: never seen). */
  initial: number[];
  /** Events in time order. */
  events: TimelineEvent[];
  /** Cycle of the first kept event: anything earlier was dropped (0 when nothing was). */
  oldestCycle: number;
  /** Events dropped because the ring wrapped since recording began. */
  dropped: number;
  /** True when more events than maxEvents matched (the newest were returned). */
  truncated: boolean;
}

export const DEFAULT_TIMELINE_CAPACITY = 1 << 16;

export class PinTimeline {
  readonly capacity: number;
  private readonly cycles: Float64Array;
  private readonly channelOf: Uint16Array;
  private readonly values: Int32Array;
  /** Next slot to write; count of kept events. */
  private head = 0;
  private count = 0;
  private droppedTotal = 0;
  private readonly channelList: TimelineChannel[] = [];
  private readonly byName = new Map<string, number>();
  /** Per channel: the value before the oldest kept event (NaN = unknown). */
  private baseline: number[] = [];
  /** Per channel: the latest value recorded. */
  private latest: number[] = [];

  constructor(capacity = DEFAULT_TIMELINE_CAPACITY) {
    if (!(capacity >= 1)) throw new RangeError(`timeline capacity must be at least 1, not ${capacity}`);
    this.capacity = capacity;
    this.cycles = new Float64Array(capacity);
    this.channelOf = new Uint16Array(capacity);
    this.values = new Int32Array(capacity);
  }

  /** The channel called `name`, created on first use. `initial` is its value at time 0, if known. */
  channel(name: string, kind: ChannelKind, width = kind === 'uart' ? 8 : 1, initial = NaN): number {
    const existing = this.byName.get(name);
    if (existing !== undefined) return existing;
    const index = this.channelList.length;
    if (index >= 0xffff) throw new RangeError('too many timeline channels');
    this.channelList.push({ index, name, kind, width });
    this.byName.set(name, index);
    this.baseline.push(initial);
    this.latest.push(initial);
    return index;
  }

  get channels(): readonly TimelineChannel[] {
    return this.channelList;
  }

  /** Number of events kept. */
  get size(): number {
    return this.count;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  /** The latest value of a channel (NaN before its first event). */
  valueOf(channel: number): number {
    return this.latest[channel];
  }

  /** Record a value change. Cycles must not go backwards (a reset calls clear()). */
  record(channel: number, cycle: number, value: number): void {
    const slot = this.head;
    if (this.count === this.capacity) {
      // Overwrite the oldest: it becomes its channel's starting value.
      this.baseline[this.channelOf[slot]] = this.values[slot];
      this.droppedTotal++;
    } else {
      this.count++;
    }
    this.cycles[slot] = cycle;
    this.channelOf[slot] = channel;
    this.values[slot] = value;
    this.latest[channel] = value;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** Forget all events (a machine reset); channels stay. Pins and UARTs start unknown until
   *  their next event; interrupt channels start inactive (0), as a reset leaves them. */
  clear(): void {
    this.head = 0;
    this.count = 0;
    this.droppedTotal = 0;
    this.baseline = this.channelList.map((c) => (c.kind === 'irq' ? 0 : NaN));
    this.latest = this.baseline.slice();
  }

  /** Slot of the i-th kept event (0 = oldest). */
  private slot(i: number): number {
    const s = this.head - this.count + i;
    return s < 0 ? s + this.capacity : s;
  }

  /** Events with cycle >= fromCycle (and < toCycle), at most maxEvents (the newest of them). */
  window(fromCycle = 0, toCycle = Infinity, maxEvents = 10_000): TimelineWindow {
    const initial = this.baseline.slice();
    // First kept event at or after fromCycle (events are in time order: binary search).
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cycles[this.slot(mid)] < fromCycle) lo = mid + 1;
      else hi = mid;
    }
    let first = lo;
    let end = first;
    while (end < this.count && this.cycles[this.slot(end)] < toCycle) end++;
    const truncated = end - first > maxEvents;
    if (truncated) first = end - maxEvents;
    for (let i = 0; i < first; i++) {
      const s = this.slot(i);
      initial[this.channelOf[s]] = this.values[s];
    }
    const events: TimelineEvent[] = [];
    for (let i = first; i < end; i++) {
      const s = this.slot(i);
      events.push({ cycle: this.cycles[s], channel: this.channelOf[s], value: this.values[s] });
    }
    return {
      channels: this.channelList.map((c) => ({ ...c })),
      initial,
      events,
      oldestCycle: this.droppedTotal > 0 && this.count > 0 ? this.cycles[this.slot(0)] : 0,
      dropped: this.droppedTotal,
      truncated,
    };
  }

  /**
   * The whole record as a VCD file. Time unit 1 ns; cycles convert at `clockHz`. Pins and interrupt
   * lines are 1-bit wires, UART channels 8-bit vectors holding the last byte (a byte repeated is
   * shown by a short 'x' between the two).
   */
  toVcd(options: { clockHz: number; scope?: string; date?: Date; endCycle?: number }): string {
    const { clockHz } = options;
    const nsPerCycle = 1e9 / clockHz;
    const scope = (options.scope ?? 'board').replace(/[^\w]/g, '_');
    const w = this.window(0, Infinity, Infinity);
    const ids = w.channels.map((_c, i) => vcdId(i));
    const lines: string[] = [];
    lines.push(`$date ${(options.date ?? new Date(0)).toISOString()} $end`);
    lines.push('$version Cortex-M Sim pin timeline $end');
    lines.push(`$comment core clock ${clockHz} Hz; ${w.dropped} oldest events dropped $end`);
    lines.push('$timescale 1ns $end');
    lines.push(`$scope module ${scope} $end`);
    w.channels.forEach((c, i) => lines.push(`$var wire ${c.width} ${ids[i]} ${c.name.replace(/[^\w.[\]]/g, '_')} $end`));
    lines.push('$upscope $end');
    lines.push('$enddefinitions $end');
    const value = (c: TimelineChannel, v: number): string => {
      if (Number.isNaN(v)) return c.width === 1 ? 'x' : 'bx ';
      return c.width === 1 ? String(v & 1) : `b${(v >>> 0).toString(2)} `;
    };
    const startNs = w.dropped > 0 ? Math.round(w.oldestCycle * nsPerCycle) : 0;
    lines.push(`#${startNs}`);
    lines.push('$dumpvars');
    w.channels.forEach((c, i) => lines.push(value(c, w.initial[i]) + ids[i]));
    lines.push('$end');
    let lastNs = startNs;
    for (const e of w.events) {
      const c = w.channels[e.channel];
      let ns = Math.round(e.cycle * nsPerCycle);
      if (ns < lastNs) ns = lastNs;
      if (c.kind === 'uart' && w.initial[e.channel] === e.value && ns - 1 > lastNs) {
        // The same byte again: mark the boundary so the viewer shows two bytes.
        lines.push(`#${ns - 1}`, value(c, NaN) + ids[e.channel]);
      }
      if (ns !== lastNs) lines.push(`#${ns}`);
      lines.push(value(c, e.value) + ids[e.channel]);
      w.initial[e.channel] = e.value;
      lastNs = ns;
    }
    if (options.endCycle !== undefined) {
      const endNs = Math.round(options.endCycle * nsPerCycle);
      if (endNs > lastNs) lines.push(`#${endNs}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** VCD identifier codes: printable ASCII '!'..'~', base 94. */
function vcdId(index: number): string {
  let s = '';
  let n = index;
  do {
    s += String.fromCharCode(33 + (n % 94));
    n = Math.floor(n / 94);
  } while (n > 0);
  return s;
}
