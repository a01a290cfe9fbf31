// CMSIS-SVD reader: XML text → the resolved device model (model.ts). The XML is read by xml.ts
// into plain objects; resolution then walks them once, following `derivedFrom`
// (peripherals, clusters, registers, fields, enumeratedValues; by name in the same scope or by a
// dotted path from the device), expanding `dim` arrays and inheriting the register properties.
// Every error names the file and the element path, e.g.
//   board.svd: /device/peripherals/peripheral[GPIOA]/registers/register[MODER]: missing <addressOffset>

import type {
  SvdAccess, SvdAddressBlock, SvdCluster, SvdCpu, SvdDevice, SvdEnumeratedValue, SvdEnumeration, SvdEnumUsage,
  SvdField, SvdInterrupt, SvdModifiedWriteValues, SvdPeripheral, SvdReadAction, SvdRegister, SvdWriteConstraint,
} from './model';
import { readXml, XmlSyntaxError } from './xml';

export class SvdError extends Error {
  constructor(readonly fileName: string, readonly elementPath: string, readonly detail: string) {
    super(`${fileName}: ${elementPath === '' ? '' : elementPath + ': '}${detail}`);
    this.name = 'SvdError';
  }
}

type XNode = { [key: string]: unknown };

/** Elements that may repeat: always arrays after parsing. */
const REPEATED = new Set([
  'peripheral', 'register', 'cluster', 'field', 'enumeratedValues', 'enumeratedValue', 'interrupt', 'addressBlock',
]);

const ACCESS: readonly SvdAccess[] = ['read-only', 'write-only', 'read-write', 'writeOnce', 'read-writeOnce'];
const READ_ACTIONS: readonly SvdReadAction[] = ['clear', 'set', 'modify', 'modifyExternal'];
const MODIFIED_WRITE_VALUES: readonly SvdModifiedWriteValues[] = [
  'oneToClear', 'oneToSet', 'oneToToggle', 'zeroToClear', 'zeroToSet', 'zeroToToggle', 'clear', 'set', 'modify',
];
const USAGES: readonly SvdEnumUsage[] = ['read', 'write', 'read-write'];

/** Properties inherited down the tree (the "registerPropertiesGroup"). */
interface RegisterProperties {
  size: number;
  access: SvdAccess;
  resetValue: number;
  resetMask: number;
}

export function parseSvd(text: string, fileName = '<svd>'): SvdDevice {
  let root: XNode;
  try {
    root = readXml(text, REPEATED);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new SvdError(fileName, '', `malformed XML at ${e.message}`);
    throw e;
  }
  return new Resolver(fileName, root).device();
}

// ---- small readers --------------------------------------------------------------------------------

function isNode(value: unknown): value is XNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Resolver {
  private readonly rawPeripherals = new Map<string, XNode>();
  private enumIndex: Map<string, XNode[]> | null = null;
  /** Fields resolved per register element and inherited size/access: a derivedFrom peripheral
   *  (GPIOB from GPIOA, USART2 from USART1: most of a vendor file) shares its base's register
   *  elements, and its fields come out the same, so they are resolved once and copied. */
  private readonly fieldCache = new WeakMap<XNode, { size: number; access: string; fields: SvdField[] }>();

  constructor(private readonly fileName: string, private readonly root: XNode) {}

  private fail(path: string, message: string): never {
    throw new SvdError(this.fileName, path, message);
  }

  private text(node: XNode, key: string, path: string): string | undefined {
    const v = node[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (isNode(v)) {
      const t = v['#text'];
      if (t === undefined) return '';
      return String(t);
    }
    this.fail(path, `<${key}> appears more than once`);
  }

  private required(node: XNode, key: string, path: string): string {
    const v = this.text(node, key, path);
    if (v === undefined || v === '') this.fail(path, `missing <${key}>`);
    return v;
  }

  private number(node: XNode, key: string, path: string): number | undefined {
    const v = this.text(node, key, path);
    return v === undefined ? undefined : this.parseNumber(v, `${path}/${key}`);
  }

  private parseNumber(s: string, path: string): number {
    // Plain decimal and 0x-hex numbers are nearly all of them: no regular expression, no trim.
    const quick = quickNumber(s);
    if (quick >= 0) return quick;
    const t = s.trim();
    let m: RegExpExecArray | null;
    let value: number;
    if ((m = /^0[xX]([0-9a-fA-F]+)([kKmMgGtT]?)$/.exec(t))) value = parseInt(m[1], 16) * scale(m[2]);
    else if ((m = /^(?:#|0[bB])([01]+)$/.exec(t))) value = parseInt(m[1], 2);
    else if ((m = /^\+?([0-9]+)([kKmMgGtT]?)$/.exec(t))) value = parseInt(m[1], 10) * scale(m[2]);
    else this.fail(path, `'${s}' is not a number`);
    if (!Number.isSafeInteger(value)) this.fail(path, `'${s}' is too large`);
    return value;
  }

  private boolean(node: XNode, key: string, path: string): boolean | undefined {
    const v = this.text(node, key, path);
    if (v === undefined) return undefined;
    const t = v.trim();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    this.fail(`${path}/${key}`, `'${v}' is not a boolean`);
  }

  private oneOf<T extends string>(node: XNode, key: string, allowed: readonly T[], path: string): T | undefined {
    const v = this.text(node, key, path);
    if (v === undefined) return undefined;
    const t = v.trim();
    if (!(allowed as readonly string[]).includes(t)) this.fail(`${path}/${key}`, `'${v}' is not one of ${allowed.join(', ')}`);
    return t as T;
  }

  private child(node: XNode, key: string, path: string): XNode | undefined {
    const v = node[key];
    if (v === undefined) return undefined;
    if (v === '') return {};
    if (!isNode(v)) this.fail(path, `<${key}> is not an element with children`);
    return v;
  }

  private list(node: XNode | undefined, key: string, path: string): XNode[] {
    if (node === undefined) return [];
    const v = node[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(path, `<${key}> is malformed`);
    return v.map((e) => (isNode(e) ? e : e === '' ? {} : this.fail(path, `<${key}> has no children`)));
  }

  private attribute(node: XNode, name: string): string | undefined {
    const v = node['@_' + name];
    return v === undefined ? undefined : String(v);
  }

  // ---- device ------------------------------------------------------------------------------------

  device(): SvdDevice {
    const dev = this.root['device'];
    if (!isNode(dev)) this.fail('', 'no <device> element: not a CMSIS-SVD file');
    const path = '/device';
    const props: RegisterProperties = {
      size: this.number(dev, 'size', path) ?? 32,
      access: this.oneOf(dev, 'access', ACCESS, path) ?? 'read-write',
      resetValue: this.number(dev, 'resetValue', path) ?? 0,
      resetMask: this.number(dev, 'resetMask', path) ?? 0xffffffff,
    };
    const peripheralsNode = this.child(dev, 'peripherals', path);
    const raws = this.list(peripheralsNode, 'peripheral', `${path}/peripherals`);
    for (const [i, raw] of raws.entries()) {
      const name = this.text(raw, 'name', `${path}/peripherals/peripheral[${i}]`);
      if (name !== undefined && !this.rawPeripherals.has(name)) this.rawPeripherals.set(name, raw);
    }
    const peripherals: SvdPeripheral[] = [];
    for (const [i, raw] of raws.entries()) {
      const name = this.text(raw, 'name', `${path}/peripherals/peripheral[${i}]`) ?? `#${i}`;
      peripherals.push(...this.peripheral(raw, props, `${path}/peripherals/peripheral[${name}]`));
    }
    const cpuNode = this.child(dev, 'cpu', path);
    let cpu: SvdCpu | undefined;
    if (cpuNode) {
      const p = `${path}/cpu`;
      cpu = {
        name: this.text(cpuNode, 'name', p), revision: this.text(cpuNode, 'revision', p), endian: this.text(cpuNode, 'endian', p),
        mpuPresent: this.boolean(cpuNode, 'mpuPresent', p), fpuPresent: this.boolean(cpuNode, 'fpuPresent', p),
        nvicPrioBits: this.number(cpuNode, 'nvicPrioBits', p),
      };
    }
    return {
      name: this.required(dev, 'name', path),
      description: this.text(dev, 'description', path),
      vendor: this.text(dev, 'vendor', path),
      version: this.text(dev, 'version', path),
      cpu,
      addressUnitBits: this.number(dev, 'addressUnitBits', path) ?? 8,
      width: this.number(dev, 'width', path) ?? 32,
      ...props,
      peripherals,
    };
  }

  private properties(node: XNode, inherited: RegisterProperties, path: string): RegisterProperties {
    return {
      size: this.number(node, 'size', path) ?? inherited.size,
      access: this.oneOf(node, 'access', ACCESS, path) ?? inherited.access,
      resetValue: this.number(node, 'resetValue', path) ?? inherited.resetValue,
      resetMask: this.number(node, 'resetMask', path) ?? inherited.resetMask,
    };
  }

  // ---- derivedFrom -------------------------------------------------------------------------------

  /** The node with its derivedFrom chain applied: elements of the derived node override. */
  private derive(node: XNode, path: string, lookup: (name: string) => XNode | undefined, seen: Set<XNode> = new Set()): XNode {
    const from = this.attribute(node, 'derivedFrom');
    if (from === undefined) return node;
    if (seen.has(node)) this.fail(path, `derivedFrom '${from}' is circular`);
    seen.add(node);
    const base = lookup(from.trim());
    if (base === undefined) this.fail(path, `derivedFrom '${from}': no such element`);
    const resolvedBase = this.derive(base, path, lookup, seen);
    const merged: XNode = { ...resolvedBase };
    for (const key of Object.keys(node)) if (key !== '@_derivedFrom') merged[key] = node[key];
    // dim arrays are not inherited by name (a derived element is one element unless it says so).
    if (node['dim'] === undefined) delete merged['dim'];
    return merged;
  }

  /** Resolve a dotted path (PERIPH.REG, PERIPH.CLUSTER.REG.FIELD) from the device. */
  private byDottedPath(dotted: string): XNode | undefined {
    const parts = dotted.split('.');
    let node = this.rawPeripherals.get(parts[0]);
    for (let i = 1; node !== undefined && i < parts.length; i++) {
      const name = parts[i];
      const container = isNode(node['registers']) ? (node['registers'] as XNode) : isNode(node['fields']) ? (node['fields'] as XNode) : node;
      const candidates = [
        ...asNodes(container['register']), ...asNodes(container['cluster']), ...asNodes(container['field']),
        ...asNodes(node['register']), ...asNodes(node['cluster']),
      ];
      node = candidates.find((c) => String(c['name']) === name);
    }
    return node;
  }

  private siblingLookup(siblings: XNode[]): (name: string) => XNode | undefined {
    return (name) => siblings.find((s) => typeof s['name'] === 'string' && s['name'] === name) ?? this.byDottedPath(name);
  }

  // ---- dim ---------------------------------------------------------------------------------------

  /** Expand a dim array: [name, offset step index, substituted values]. */
  private dims(node: XNode, path: string): { name: string; index: number; label: string }[] | null {
    const dim = this.number(node, 'dim', path);
    if (dim === undefined) return null;
    if (dim < 1 || dim > 65536) this.fail(`${path}/dim`, `dim ${dim} is out of range`);
    const name = this.required(node, 'name', path);
    const indexText = this.text(node, 'dimIndex', path);
    const labels = indexText === undefined ? Array.from({ length: dim }, (_, i) => String(i)) : this.dimIndex(indexText, `${path}/dimIndex`);
    if (labels.length !== dim) this.fail(`${path}/dimIndex`, `${labels.length} indices for dim ${dim}`);
    const isArray = name.includes('[%s]');
    if (!isArray && !name.includes('%s')) this.fail(`${path}/name`, `'${name}' has dim but no %s`);
    return labels.map((label, index) => ({ name: isArray ? name.replace('[%s]', `[${label}]`) : name.replace('%s', label), index, label }));
  }

  private dimIndex(text: string, path: string): string[] {
    const t = text.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([0-9]+)\s*-\s*([0-9]+)$/.exec(t))) {
      const a = Number(m[1]), b = Number(m[2]);
      if (b < a || b - a > 65535) this.fail(path, `bad range '${text}'`);
      return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
    }
    if ((m = /^([A-Z])\s*-\s*([A-Z])$/.exec(t))) {
      const a = m[1].charCodeAt(0), b = m[2].charCodeAt(0);
      if (b < a) this.fail(path, `bad range '${text}'`);
      return Array.from({ length: b - a + 1 }, (_, i) => String.fromCharCode(a + i));
    }
    const items = t.split(',').map((s) => s.trim());
    if (items.some((s) => !/^[_0-9a-zA-Z]+$/.test(s))) this.fail(path, `bad dimIndex '${text}'`);
    return items;
  }

  // ---- peripherals -------------------------------------------------------------------------------

  private peripheral(rawNode: XNode, deviceProps: RegisterProperties, path: string): SvdPeripheral[] {
    const node = this.derive(rawNode, path, (name) => this.rawPeripherals.get(name));
    const props = this.properties(node, deviceProps, path);
    const base = this.number(node, 'baseAddress', path);
    if (base === undefined) this.fail(path, 'missing <baseAddress>');
    const instances = this.dims(node, path) ?? [{ name: this.required(node, 'name', path), index: 0, label: '' }];
    const increment = instances.length > 1 || node['dim'] !== undefined ? this.number(node, 'dimIncrement', path) : 0;
    if (increment === undefined) this.fail(path, 'missing <dimIncrement> for a dim array');
    return instances.map(({ name, index, label }) => {
      const baseAddress = base + index * increment;
      const p = instances.length > 1 ? `${path}[${label}]` : path;
      const registersNode = this.child(node, 'registers', p);
      const { registers, clusters } = this.registerBlock(registersNode, props, baseAddress, '', `${p}/registers`);
      const allRegisters: SvdRegister[] = [...registers];
      const collect = (cs: SvdCluster[]) => {
        for (const c of cs) {
          allRegisters.push(...c.registers);
          collect(c.clusters);
        }
      };
      collect(clusters);
      allRegisters.sort((a, b) => a.address - b.address);
      for (const r of allRegisters) r.offset = r.address - baseAddress;
      const interrupts: SvdInterrupt[] = this.list(node, 'interrupt', p).map((n, i) => {
        const ip = `${p}/interrupt[${i}]`;
        const value = this.number(n, 'value', ip);
        if (value === undefined) this.fail(ip, 'missing <value>');
        return { name: this.required(n, 'name', ip), value, description: this.text(n, 'description', ip) };
      });
      const addressBlocks: SvdAddressBlock[] = this.list(node, 'addressBlock', p).map((n, i) => {
        const ap = `${p}/addressBlock[${i}]`;
        return { offset: this.number(n, 'offset', ap) ?? 0, size: this.number(n, 'size', ap) ?? 0, usage: this.text(n, 'usage', ap) };
      });
      return {
        name,
        description: substitute(this.text(node, 'description', p), label),
        groupName: this.text(node, 'groupName', p),
        derivedFrom: this.attribute(rawNode, 'derivedFrom'),
        baseAddress,
        addressBlocks,
        interrupts,
        registers,
        clusters,
        allRegisters,
      };
    });
  }

  /** The registers and clusters of a <registers> or <cluster> element. */
  private registerBlock(node: XNode | undefined, props: RegisterProperties, base: number, prefix: string, path: string): { registers: SvdRegister[]; clusters: SvdCluster[] } {
    const registers: SvdRegister[] = [];
    const clusters: SvdCluster[] = [];
    if (node === undefined) return { registers, clusters };
    const rawRegisters = this.list(node, 'register', path);
    const rawClusters = this.list(node, 'cluster', path);
    const lookup = this.siblingLookup([...rawRegisters, ...rawClusters]);
    for (const [i, raw] of rawRegisters.entries()) {
      const p = `${path}/register[${this.text(raw, 'name', path) ?? i}]`;
      registers.push(...this.register(this.derive(raw, p, lookup), props, base, prefix, p));
    }
    for (const [i, raw] of rawClusters.entries()) {
      const p = `${path}/cluster[${this.text(raw, 'name', path) ?? i}]`;
      clusters.push(...this.cluster(this.derive(raw, p, lookup), props, base, prefix, p));
    }
    return { registers, clusters };
  }

  private cluster(node: XNode, inherited: RegisterProperties, base: number, prefix: string, path: string): SvdCluster[] {
    const props = this.properties(node, inherited, path);
    const offset = this.number(node, 'addressOffset', path);
    if (offset === undefined) this.fail(path, 'missing <addressOffset>');
    const instances = this.dims(node, path) ?? [{ name: this.required(node, 'name', path), index: 0, label: '' }];
    const increment = node['dim'] !== undefined ? this.number(node, 'dimIncrement', path) : 0;
    if (increment === undefined) this.fail(path, 'missing <dimIncrement> for a dim array');
    return instances.map(({ name, index, label }) => {
      const clusterOffset = offset + index * increment;
      const p = node['dim'] !== undefined ? `${path}[${label}]` : path;
      const inner = this.registerBlock(node, props, base + clusterOffset, `${prefix}${name}.`, p);
      // Offsets inside a cluster are relative to it; registers report offsets from the peripheral.
      return {
        name, description: substitute(this.text(node, 'description', p), label),
        offset: clusterOffset, address: base + clusterOffset, registers: inner.registers, clusters: inner.clusters,
      };
    });
  }

  private register(node: XNode, inherited: RegisterProperties, base: number, prefix: string, path: string): SvdRegister[] {
    const props = this.properties(node, inherited, path);
    const offset = this.number(node, 'addressOffset', path);
    if (offset === undefined) this.fail(path, 'missing <addressOffset>');
    const instances = this.dims(node, path) ?? [{ name: this.required(node, 'name', path), index: 0, label: '' }];
    const increment = node['dim'] !== undefined ? this.number(node, 'dimIncrement', path) : 0;
    if (increment === undefined) this.fail(path, 'missing <dimIncrement> for a dim array');
    const readAction = this.oneOf(node, 'readAction', READ_ACTIONS, path);
    const modifiedWriteValues = this.oneOf(node, 'modifiedWriteValues', MODIFIED_WRITE_VALUES, path);
    const writeConstraint = this.writeConstraint(node, path);
    const fields = this.fields(node, props, path);
    return instances.map(({ name, index, label }) => {
      const address = base + offset + index * increment;
      return {
        name,
        displayName: substitute(this.text(node, 'displayName', path), label),
        description: substitute(this.text(node, 'description', path), label),
        path: prefix + name,
        offset: 0, // from the peripheral's base: set by peripheral()
        address,
        ...props,
        readAction, modifiedWriteValues, writeConstraint,
        alternateRegister: this.text(node, 'alternateRegister', path),
        alternateGroup: this.text(node, 'alternateGroup', path),
        fields: index === 0 ? fields : fields.map((f) => ({ ...f })),
      };
    });
  }

  private writeConstraint(node: XNode, path: string): SvdWriteConstraint | undefined {
    const wc = this.child(node, 'writeConstraint', path);
    if (wc === undefined) return undefined;
    const p = `${path}/writeConstraint`;
    const out: SvdWriteConstraint = {};
    const writeAsRead = this.boolean(wc, 'writeAsRead', p);
    const useEnumeratedValues = this.boolean(wc, 'useEnumeratedValues', p);
    if (writeAsRead !== undefined) out.writeAsRead = writeAsRead;
    if (useEnumeratedValues !== undefined) out.useEnumeratedValues = useEnumeratedValues;
    const range = this.child(wc, 'range', p);
    if (range !== undefined) {
      const minimum = this.number(range, 'minimum', `${p}/range`);
      const maximum = this.number(range, 'maximum', `${p}/range`);
      if (minimum === undefined || maximum === undefined) this.fail(`${p}/range`, 'needs <minimum> and <maximum>');
      out.range = { minimum, maximum };
    }
    if (Object.keys(out).length === 0) this.fail(p, 'empty <writeConstraint>');
    return out;
  }

  // ---- fields ------------------------------------------------------------------------------------

  private fields(registerNode: XNode, props: RegisterProperties, path: string): SvdField[] {
    const cached = this.fieldCache.get(registerNode);
    if (cached !== undefined && cached.size === props.size && cached.access === props.access) return cached.fields.map((f) => ({ ...f }));
    const fields = this.resolveFields(registerNode, props, path);
    this.fieldCache.set(registerNode, { size: props.size, access: props.access, fields });
    return fields;
  }

  private resolveFields(registerNode: XNode, props: RegisterProperties, path: string): SvdField[] {
    const fieldsNode = this.child(registerNode, 'fields', path);
    const raws = this.list(fieldsNode, 'field', `${path}/fields`);
    const lookup = this.siblingLookup(raws);
    const out: SvdField[] = [];
    for (const [i, raw] of raws.entries()) {
      const p = `${path}/fields/field[${this.text(raw, 'name', path) ?? i}]`;
      const node = this.derive(raw, p, lookup);
      const instances = this.dims(node, p) ?? [{ name: this.required(node, 'name', p), index: 0, label: '' }];
      const increment = node['dim'] !== undefined ? this.number(node, 'dimIncrement', p) : 0;
      if (increment === undefined) this.fail(p, 'missing <dimIncrement> for a dim array');
      const [lsb0, msb0] = this.bitPosition(node, p);
      if (msb0 < lsb0 || msb0 >= Math.max(props.size, 1)) this.fail(p, `bits [${msb0}:${lsb0}] do not fit a ${props.size}-bit register`);
      const access = this.oneOf(node, 'access', ACCESS, p) ?? props.access;
      const readAction = this.oneOf(node, 'readAction', READ_ACTIONS, p);
      const modifiedWriteValues = this.oneOf(node, 'modifiedWriteValues', MODIFIED_WRITE_VALUES, p);
      const writeConstraint = this.writeConstraint(node, p);
      const width = msb0 - lsb0 + 1;
      const enumerations = this.list(node, 'enumeratedValues', p).map((e, k) => this.enumeration(e, width, `${p}/enumeratedValues[${k}]`));
      for (const { name, index, label } of instances) {
        const lsb = lsb0 + index * increment;
        const msb = msb0 + index * increment;
        if (msb >= Math.max(props.size, 1)) this.fail(p, `array element ${name} bits [${msb}:${lsb}] do not fit the register`);
        out.push({
          name, description: substitute(this.text(node, 'description', p), label),
          lsb, msb, width, access, readAction, modifiedWriteValues, writeConstraint, enumerations,
        });
      }
    }
    return out;
  }

  /** [lsb, msb] from bitRange "[msb:lsb]", bitOffset + bitWidth, or lsb + msb. */
  private bitPosition(node: XNode, path: string): [number, number] {
    const range = this.text(node, 'bitRange', path);
    if (range !== undefined) {
      const m = /^\[\s*([0-9]+)\s*:\s*([0-9]+)\s*\]$/.exec(range.trim());
      if (!m) this.fail(`${path}/bitRange`, `'${range}' is not [msb:lsb]`);
      return [Number(m[2]), Number(m[1])];
    }
    const offset = this.number(node, 'bitOffset', path);
    if (offset !== undefined) return [offset, offset + (this.number(node, 'bitWidth', path) ?? 1) - 1];
    const lsb = this.number(node, 'lsb', path);
    const msb = this.number(node, 'msb', path);
    if (lsb !== undefined && msb !== undefined) return [lsb, msb];
    this.fail(path, 'no bit position (<bitRange>, <bitOffset>/<bitWidth> or <lsb>/<msb>)');
  }

  // ---- enumerated values -------------------------------------------------------------------------

  private enumeration(rawNode: XNode, width: number, path: string): SvdEnumeration {
    const node = this.derive(rawNode, path, (name) => this.findEnumeration(name));
    const usage = this.oneOf(node, 'usage', USAGES, path) ?? 'read-write';
    const values: SvdEnumeratedValue[] = this.list(node, 'enumeratedValue', path).map((v, i) => {
      const p = `${path}/enumeratedValue[${this.text(v, 'name', path) ?? i}]`;
      const isDefault = this.boolean(v, 'isDefault', p) ?? false;
      const text = this.text(v, 'value', p);
      if (text === undefined && !isDefault) this.fail(p, 'needs <value> or <isDefault>true</isDefault>');
      const entry: SvdEnumeratedValue = { name: this.required(v, 'name', p), description: this.text(v, 'description', p), mask: fieldMask(width), isDefault };
      if (text !== undefined) {
        const [value, mask] = this.enumValue(text, width, `${p}/value`);
        entry.value = value;
        entry.mask = mask;
      }
      return entry;
    });
    return { name: this.text(node, 'name', path), usage, values };
  }

  /** An enumeratedValue <value>: a number, or a binary pattern with 'x' for don't-care bits. */
  private enumValue(text: string, width: number, path: string): [number, number] {
    const quick = quickNumber(text);
    if (quick >= 0 && (width >= 53 || quick < 2 ** width)) return [quick, fieldMask(width)];
    const t = text.trim();
    const m = /^(?:#|0[bB])([01xX]+)$/.exec(t);
    if (m && /[xX]/.test(m[1])) {
      let value = 0, mask = 0;
      for (const ch of m[1]) {
        value = value * 2 + (ch === '1' ? 1 : 0);
        mask = mask * 2 + (ch === 'x' || ch === 'X' ? 0 : 1);
      }
      return [value, mask];
    }
    const value = this.parseNumber(t, path);
    if (width < 53 && value >= 2 ** width) this.fail(path, `${t} does not fit a ${width}-bit field`);
    return [value, fieldMask(width)];
  }

  private findEnumeration(name: string): XNode | undefined {
    if (this.enumIndex === null) {
      const index = new Map<string, XNode[]>();
      const add = (key: string, node: XNode) => {
        const list = index.get(key);
        if (list) list.push(node);
        else index.set(key, [node]);
      };
      const walk = (node: XNode, prefix: string) => {
        const regs = isNode(node['registers']) ? (node['registers'] as XNode) : node;
        for (const r of [...asNodes(regs['register']), ...asNodes(regs['cluster'])]) {
          const rp = `${prefix}.${String(r['name'])}`;
          walk(r, rp);
          const fields = isNode(r['fields']) ? asNodes((r['fields'] as XNode)['field']) : [];
          for (const f of fields) {
            for (const e of asNodes(f['enumeratedValues'])) {
              if (typeof e['name'] !== 'string') continue;
              add(e['name'], e);
              add(`${rp}.${String(f['name'])}.${e['name']}`, e);
            }
          }
        }
      };
      for (const [pname, p] of this.rawPeripherals) walk(p, pname);
      this.enumIndex = index;
    }
    return this.enumIndex.get(name)?.[0];
  }
}

/** The value of an unsigned decimal or 0x-hex literal of up to 13 digits (no suffix, no spaces),
 *  else -1 for the general parser to handle (and to report). */
function quickNumber(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let value = 0;
  if (n > 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 0x20) === 120) {
    for (let i = 2; i < n; i++) {
      const c = s.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if ((c | 0x20) >= 97 && (c | 0x20) <= 102) d = (c | 0x20) - 87;
      else return -1;
      value = value * 16 + d;
    }
    return value;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

function asNodes(v: unknown): XNode[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.filter(isNode);
  return isNode(v) ? [v] : [];
}

function scale(suffix: string): number {
  switch (suffix.toLowerCase()) {
    case 'k': return 1024;
    case 'm': return 1024 ** 2;
    case 'g': return 1024 ** 3;
    case 't': return 1024 ** 4;
    default: return 1;
  }
}

function fieldMask(width: number): number {
  return width >= 32 ? 0xffffffff : (2 ** width) - 1;
}

function substitute(text: string | undefined, label: string): string | undefined {
  return text === undefined || label === '' ? text : text.replace(/\[%s\]|%s/g, label);
}
