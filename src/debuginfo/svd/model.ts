// The resolved CMSIS-SVD device model: every `derivedFrom` followed, every `dim` array expanded,
// register properties (size, access, reset value and mask) inherited down from device → peripheral
// → cluster → register, and absolute addresses computed. Consumers (the peripheral panel, the
// register-model cross-check) never see the XML.

export type SvdAccess = 'read-only' | 'write-only' | 'read-write' | 'writeOnce' | 'read-writeOnce';
export type SvdReadAction = 'clear' | 'set' | 'modify' | 'modifyExternal';
export type SvdModifiedWriteValues =
  | 'oneToClear' | 'oneToSet' | 'oneToToggle' | 'zeroToClear' | 'zeroToSet' | 'zeroToToggle' | 'clear' | 'set' | 'modify';
export type SvdEnumUsage = 'read' | 'write' | 'read-write';

export interface SvdWriteConstraint {
  writeAsRead?: boolean;
  useEnumeratedValues?: boolean;
  range?: { minimum: number; maximum: number };
}

export interface SvdEnumeratedValue {
  name: string;
  description?: string;
  /** The value; with don't-care bits ('x' in the SVD) those bits are 0 here and 0 in `mask`. */
  value?: number;
  /** Bits that must match `value` (all ones unless the SVD used 'x'). */
  mask: number;
  /** This entry names every value not listed otherwise. */
  isDefault: boolean;
}

export interface SvdEnumeration {
  name?: string;
  usage: SvdEnumUsage;
  values: SvdEnumeratedValue[];
}

export interface SvdField {
  name: string;
  description?: string;
  lsb: number;
  msb: number;
  width: number;
  access: SvdAccess;
  readAction?: SvdReadAction;
  modifiedWriteValues?: SvdModifiedWriteValues;
  writeConstraint?: SvdWriteConstraint;
  enumerations: SvdEnumeration[];
}

export interface SvdRegister {
  name: string;
  displayName?: string;
  description?: string;
  /** Dotted path from the peripheral: "CLUSTER.REG" or "REG". */
  path: string;
  /** Offset from the peripheral's base address. */
  offset: number;
  /** Absolute address. */
  address: number;
  /** Bits. */
  size: number;
  access: SvdAccess;
  resetValue: number;
  resetMask: number;
  readAction?: SvdReadAction;
  modifiedWriteValues?: SvdModifiedWriteValues;
  writeConstraint?: SvdWriteConstraint;
  /** Another register at the same address (a different view of it). */
  alternateRegister?: string;
  alternateGroup?: string;
  fields: SvdField[];
}

export interface SvdCluster {
  name: string;
  description?: string;
  offset: number;
  address: number;
  registers: SvdRegister[];
  clusters: SvdCluster[];
}

export interface SvdInterrupt {
  name: string;
  value: number;
  description?: string;
}

export interface SvdAddressBlock {
  offset: number;
  size: number;
  usage?: string;
}

export interface SvdPeripheral {
  name: string;
  description?: string;
  groupName?: string;
  /** The peripheral it was derived from, if any. */
  derivedFrom?: string;
  baseAddress: number;
  addressBlocks: SvdAddressBlock[];
  interrupts: SvdInterrupt[];
  registers: SvdRegister[];
  clusters: SvdCluster[];
  /** Every register, also those inside clusters, by address. */
  allRegisters: SvdRegister[];
}

export interface SvdCpu {
  name?: string;
  revision?: string;
  endian?: string;
  mpuPresent?: boolean;
  fpuPresent?: boolean;
  nvicPrioBits?: number;
}

export interface SvdDevice {
  name: string;
  description?: string;
  vendor?: string;
  version?: string;
  cpu?: SvdCpu;
  addressUnitBits: number;
  width: number;
  size: number;
  access: SvdAccess;
  resetValue: number;
  resetMask: number;
  peripherals: SvdPeripheral[];
}

export function findPeripheral(device: SvdDevice, name: string): SvdPeripheral | undefined {
  return device.peripherals.find((p) => p.name === name);
}

export function findRegister(peripheral: SvdPeripheral, path: string): SvdRegister | undefined {
  return peripheral.allRegisters.find((r) => r.path === path);
}
