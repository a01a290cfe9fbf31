// Data breakpoints (watchpoints) for the debugger: what DAP calls a dataId is "address/size", so a
// data breakpoint set on a variable keeps watching the same bytes (as a hardware watchpoint does).
// The emulator marks watched memory in the bus, so any number of them costs nothing until touched;
// a hit stops after the accessing instruction, and the stop is reported at that instruction's line.

import type { Machine, DataBreakpointAccess, DataBreakpointHit } from '../emulator/machine';
import { compileExpression, type Compiled, type EvalContext } from './expression';
import { parseHitCondition } from './target';

export interface DataBreakpointSpec {
  id: number;
  address: number;
  size: number;
  access: DataBreakpointAccess;
  condition?: string;
  hitCondition?: string;
}

interface ActiveDataBreakpoint extends DataBreakpointSpec {
  compiledCondition?: Compiled;
  hitTest?: (hits: number) => boolean;
  hits: number;
}

/** "0x20000010/4" ⇄ address and size. */
export function dataIdFor(address: number, size: number): string {
  return `0x${(address >>> 0).toString(16).padStart(8, '0')}/${size}`;
}

export function parseDataId(dataId: string): { address: number; size: number } | undefined {
  const m = /^(0x[0-9a-f]+|\d+)(?:\/(\d+))?$/i.exec(dataId.trim());
  if (!m) return undefined;
  const size = m[2] !== undefined ? Number(m[2]) : 4;
  if (size <= 0 || size > 1 << 20) return undefined;
  return { address: Number(m[1]) >>> 0, size };
}

export interface DataBreakpointDecision {
  /** Ids to report as hit; empty = continue silently (false condition, hit count not reached). */
  ids: number[];
  conditionError?: string;
}

export class DataBreakpoints {
  private active: ActiveDataBreakpoint[] = [];

  constructor(private readonly machine: Machine) {}

  /** Replaces all data breakpoints; returns an error message per id whose condition does not parse. */
  set(specs: DataBreakpointSpec[]): Map<number, string> {
    const errors = new Map<number, string>();
    this.machine.clearDataBreakpoints();
    this.active = specs.map((s) => {
      const a: ActiveDataBreakpoint = { ...s, hits: 0 };
      try {
        if (s.condition && s.condition.trim() !== '') a.compiledCondition = compileExpression(s.condition);
        if (s.hitCondition && s.hitCondition.trim() !== '') a.hitTest = parseHitCondition(s.hitCondition);
      } catch (e) {
        errors.set(s.id, e instanceof Error ? e.message : String(e));
      }
      this.machine.addDataBreakpoint(s.address, s.size, s.access);
      return a;
    });
    return errors;
  }

  get count(): number {
    return this.active.length;
  }

  resetHits(): void {
    for (const b of this.active) b.hits = 0;
  }

  /** Which of ours the emulator's hit belongs to, after conditions and hit counts. */
  decide(hit: DataBreakpointHit, ctx: EvalContext): DataBreakpointDecision {
    const ids: number[] = [];
    let conditionError: string | undefined;
    const end = hit.accessAddress + hit.accessSize;
    for (const b of this.active) {
      if (b.access === 'read' && hit.write) continue;
      if (b.access === 'write' && !hit.write) continue;
      if (end <= b.address || hit.accessAddress >= b.address + b.size) continue;
      if (b.compiledCondition) {
        try {
          if (b.compiledCondition(ctx) === 0) continue;
        } catch (e) {
          conditionError = `data breakpoint condition '${b.condition}': ${e instanceof Error ? e.message : String(e)}`;
          ids.push(b.id);
          continue;
        }
      }
      b.hits++;
      if (b.hitTest && !b.hitTest(b.hits)) continue;
      ids.push(b.id);
    }
    return { ids, conditionError };
  }
}
