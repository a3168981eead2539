/**
 * Typed access to device-tree property values (raw big-endian bytes):
 * u32 / u64 cells, strings, string lists, and `reg` decoded with the parent's
 * #address-cells / #size-cells.
 *
 * Getters throw InputError naming the node and property when the value has the
 * wrong shape, so callers such as the hypervisor's DT walker get one clear
 * message ("/cpus/cpu@0: property reg is 3 bytes, not a multiple of 4").
 * Numbers are JS numbers; 64-bit values ≥ 2^53 are rejected, not rounded.
 */
import { InputError, hex } from '../util/errors.js';
import type { FdtNode } from './tree.js';

const utf8 = new TextEncoder();
const latin = new TextDecoder('latin1');

function where(node: FdtNode, prop: string): string {
  return `${node.name || '/'}: property ${prop}`;
}

/** Combine two 32-bit halves, rejecting values that a JS number cannot hold exactly. */
export function joinU64(hi: number, lo: number, at: string): number {
  const v = hi * 0x1_0000_0000 + lo;
  if (!Number.isSafeInteger(v)) {
    throw new InputError(at, `64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} does not fit in 53 bits`);
  }
  return v;
}

// ---- encoders ------------------------------------------------------------

function checkU32(v: number, at: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InputError(at, `cell value ${v} is not a 32-bit unsigned integer`);
}

/** <a b c ...> as bytes. */
export function encodeCells(cells: readonly number[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => {
    checkU32(c, 'cells');
    dv.setUint32(i * 4, c);
  });
  return out;
}

/** Split a number into `count` 32-bit cells, most significant first. */
export function toCells(value: number, count: number, at = 'cells'): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new InputError(at, `${value} is not a non-negative integer`);
  if (!Number.isInteger(count) || count < 0 || count > 4) throw new InputError(at, `unsupported cell count ${count}`);
  const hi = Math.floor(value / 0x1_0000_0000);
  const lo = value % 0x1_0000_0000;
  if (count === 0) {
    if (value !== 0) throw new InputError(at, `${hex(value)} cannot be encoded in 0 cells`);
    return [];
  }
  if (count === 1) {
    if (hi !== 0) throw new InputError(at, `${hex(value)} does not fit in one 32-bit cell`);
    return [lo];
  }
  // #address-cells = 3 (PCI) and up: the leading cells are zero.
  return [...new Array<number>(count - 2).fill(0), hi, lo];
}

export function encodeU32(v: number): Uint8Array {
  return encodeCells([v]);
}

export function encodeU64(v: number): Uint8Array {
  return encodeCells(toCells(v, 2, 'u64'));
}

/** A NUL-terminated string. */
export function encodeString(s: string): Uint8Array {
  return encodeStringList([s]);
}

/** "a\0b\0c\0" — a DT string list (compatible, clock-names). */
export function encodeStringList(list: readonly string[]): Uint8Array {
  const parts = list.map((s) => {
    if (s.includes('\0')) throw new InputError('string property', `string ${JSON.stringify(s)} contains NUL`);
    return utf8.encode(s);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length + 1;
  }
  return out;
}

// ---- setters ---------------------------------------------------------------

export function setEmpty(node: FdtNode, prop: string): void {
  node.props.set(prop, new Uint8Array(0));
}
export function setBytes(node: FdtNode, prop: string, bytes: Uint8Array): void {
  node.props.set(prop, bytes.slice());
}
export function setU32(node: FdtNode, prop: string, v: number): void {
  node.props.set(prop, encodeU32(v));
}
export function setU64(node: FdtNode, prop: string, v: number): void {
  node.props.set(prop, encodeU64(v));
}
export function setCells(node: FdtNode, prop: string, cells: readonly number[]): void {
  node.props.set(prop, encodeCells(cells));
}
export function setString(node: FdtNode, prop: string, s: string): void {
  node.props.set(prop, encodeString(s));
}
export function setStringList(node: FdtNode, prop: string, list: readonly string[]): void {
  node.props.set(prop, encodeStringList(list));
}

/** A (address, size) pair as found in `reg`. */
export interface RegEntry {
  address: number;
  size: number;
}

/** Write `reg` using the given cell counts (the *parent's* #address-cells/#size-cells). */
export function setReg(node: FdtNode, prop: string, entries: readonly RegEntry[], addressCells: number, sizeCells: number): void {
  const at = where(node, prop);
  const cells: number[] = [];
  for (const e of entries) cells.push(...toCells(e.address, addressCells, at), ...toCells(e.size, sizeCells, at));
  node.props.set(prop, encodeCells(cells));
}

// ---- getters ---------------------------------------------------------------

function need(node: FdtNode, prop: string): Uint8Array {
  const v = node.props.get(prop);
  if (!v) throw new InputError(node.name || '/', `missing property ${prop}`);
  return v;
}

/** All cells of a property (length must be a multiple of 4). */
export function getCells(node: FdtNode, prop: string): number[] {
  const v = need(node, prop);
  if (v.length % 4 !== 0) throw new InputError(where(node, prop), `is ${v.length} bytes, not a multiple of 4`);
  const dv = new DataView(v.buffer, v.byteOffset, v.length);
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 4) out.push(dv.getUint32(i));
  return out;
}

export function getU32(node: FdtNode, prop: string): number {
  const v = need(node, prop);
  if (v.length !== 4) throw new InputError(where(node, prop), `is ${v.length} bytes, expected a 4-byte u32`);
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0);
}

/** A u64 property; also accepts a single u32 cell, as Linux does for linux,initrd-start. */
export function getU64(node: FdtNode, prop: string): number {
  const v = need(node, prop);
  const dv = new DataView(v.buffer, v.byteOffset, v.length);
  if (v.length === 4) return dv.getUint32(0);
  if (v.length !== 8) throw new InputError(where(node, prop), `is ${v.length} bytes, expected 4 or 8`);
  return joinU64(dv.getUint32(0), dv.getUint32(4), where(node, prop));
}

/** A u32 property, or `fallback` when absent. */
export function getU32Or(node: FdtNode, prop: string, fallback: number): number {
  return node.props.has(prop) ? getU32(node, prop) : fallback;
}

/** Decode a value as a string list (every string NUL-terminated). */
export function decodeStringList(v: Uint8Array, at: string): string[] {
  if (v.length === 0 || v[v.length - 1] !== 0) throw new InputError(at, 'is not a NUL-terminated string');
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) {
      out.push(new TextDecoder().decode(v.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}

export function getStringList(node: FdtNode, prop: string): string[] {
  return decodeStringList(need(node, prop), where(node, prop));
}

export function getString(node: FdtNode, prop: string): string {
  const list = getStringList(node, prop);
  return list[0] ?? '';
}

/** Whether a `compatible` list contains `compat`. */
export function isCompatible(node: FdtNode, compat: string): boolean {
  const v = node.props.get('compatible');
  if (!v || v.length === 0) return false;
  return latin.decode(v).split('\0').includes(compat);
}

/** Combine `count` cells starting at `i` into one number (leading cells beyond 2 must be 0). */
export function readCells(cells: readonly number[], i: number, count: number, at: string): number {
  if (count === 0) return 0;
  if (count === 1) return cells[i] ?? 0;
  for (let k = 0; k < count - 2; k++) {
    if ((cells[i + k] ?? 0) !== 0) throw new InputError(at, 'value wider than 64 bits');
  }
  return joinU64(cells[i + count - 2] ?? 0, cells[i + count - 1] ?? 0, at);
}

/** #address-cells / #size-cells of a node as seen by its children (defaults 2 and 1, per the spec). */
export function cellCounts(parent: FdtNode): { addressCells: number; sizeCells: number } {
  const addressCells = getU32Or(parent, '#address-cells', 2);
  const sizeCells = getU32Or(parent, '#size-cells', 1);
  const at = parent.name || '/';
  if (addressCells > 4) throw new InputError(at, `#address-cells = ${addressCells} is not supported`);
  if (sizeCells > 4) throw new InputError(at, `#size-cells = ${sizeCells} is not supported`);
  return { addressCells, sizeCells };
}

/** Decode `reg` (or any reg-shaped property) of `node`, using its `parent`'s cell counts. */
export function getReg(parent: FdtNode, node: FdtNode, prop = 'reg'): RegEntry[] {
  const { addressCells, sizeCells } = cellCounts(parent);
  const cells = getCells(node, prop);
  const stride = addressCells + sizeCells;
  const at = where(node, prop);
  if (stride === 0 || cells.length % stride !== 0) {
    throw new InputError(at, `has ${cells.length} cells, not a multiple of #address-cells + #size-cells = ${stride}`);
  }
  const out: RegEntry[] = [];
  for (let i = 0; i < cells.length; i += stride) {
    out.push({ address: readCells(cells, i, addressCells, at), size: readCells(cells, i + addressCells, sizeCells, at) });
  }
  return out;
}
