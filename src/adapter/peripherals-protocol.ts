// The peripheral register panel's protocol: the payloads of the custom requests
// cortex-m-sim/peripherals, /writeRegister and /registerHistory. Plain JSON types with no Node
// imports, so the webview (webview-ui/peripherals) type-checks against them too.

import type { SvdAccess, SvdModifiedWriteValues } from '../debuginfo/svd/model';
import type { WriteRecord } from '../emulator/peripherals/register-block';

export interface EnumValueInfo {
  name: string;
  value: number;
  description?: string;
  /** 'read', 'write' or 'read-write': whether the name describes what is read, written, or both. */
  usage: string;
}

export interface FieldInfo {
  name: string;
  description?: string;
  lsb: number;
  width: number;
  access: SvdAccess;
  readAction?: string;
  modifiedWriteValues?: SvdModifiedWriteValues;
  enums: EnumValueInfo[];
}

export interface RegisterInfo {
  /** Index into PeripheralValues.values. */
  id: number;
  name: string;
  /** "PERIPHERAL.CLUSTER.REG". */
  qualifiedName: string;
  description?: string;
  address: number;
  /** Bits. */
  size: number;
  access: SvdAccess;
  resetValue: number;
  readAction?: string;
  modifiedWriteValues?: SvdModifiedWriteValues;
  fields: FieldInfo[];
}

export interface ClusterInfo {
  name: string;
  description?: string;
  address: number;
  registers: RegisterInfo[];
  clusters: ClusterInfo[];
}

export interface PeripheralInfo {
  name: string;
  description?: string;
  groupName?: string;
  baseAddress: number;
  derivedFrom?: string;
  registers: RegisterInfo[];
  clusters: ClusterInfo[];
}

export interface PeripheralTree {
  device: string;
  svdFile: string;
  peripherals: PeripheralInfo[];
  registerCount: number;
}

export interface PeripheralValues {
  state: 'stopped' | 'running' | 'exited';
  /** Stops seen so far (a panel refreshes when it changes). */
  stopCount: number;
  /** Register values by RegisterInfo.id; null where nothing can be read (write-only, unmapped). */
  values: (number | null)[];
  /** Ids of registers whose value differs from the previous stop (while running: from the last). */
  changed: number[];
  /** The value each `changed` register had then (same order), so fields can be highlighted too. */
  changedFrom: (number | null)[];
}

export interface PeripheralsResponse extends Partial<PeripheralValues> {
  tree?: PeripheralTree | null;
  /** Why there is no tree (no SVD for the chip, or it does not parse). */
  error?: string;
}

export interface PeripheralsArguments {
  /** Include the tree (default true; panels ask once, then only for values). */
  tree?: boolean;
  /** Include the values (default true). */
  values?: boolean;
}

/** A register named by id, by absolute address, or as "PERIPHERAL.REG" / "PERIPHERAL.CLUSTER.REG". */
export interface RegisterSelector {
  id?: number;
  address?: number;
  register?: string;
}

export interface WriteRegisterArguments extends RegisterSelector {
  /** Field to change (the rest of the register is written so that it does not change). */
  field?: string;
  /** Number, or a string: decimal, 0x…, 0b…, or an enumerated value's name. */
  value: number | string;
  /** Write `value` into the field's bits as is, instead of as the value the field should get. */
  raw?: boolean;
}

export interface WriteRegisterResponse {
  /** The register as a peek reads it after the write (null for write-only registers). */
  value: number | null;
  /** The word written to the bus. */
  written: number;
}

export interface HistoryRecord extends WriteRecord {
  /** Written by the debugger (panel, Variables view), not by the firmware. */
  byDebugger: boolean;
  /** Function at the PC. */
  function?: string;
  /** Source line of the PC in the function (for inlined code: the outermost call site). */
  source?: { path: string; line: number };
  /** For a write in inlined code: the innermost line (e.g. in core::ptr). */
  inlinedFrom?: { path: string; line: number };
}

export interface RegisterHistoryResponse {
  register: string;
  address: number;
  /** Oldest first; empty when the register's model keeps no history (plain registers). */
  records: HistoryRecord[];
  /** Core clock, to turn cycles into time. */
  clockHz: number;
}

/** What a Variables-view handle of the Peripherals scope stands for. */
export type PeripheralVariableRef =
  | { level: 'root' }
  | { level: 'peripheral'; index: number }
  | { level: 'cluster'; cluster: ClusterInfo }
  | { level: 'register'; id: number };
