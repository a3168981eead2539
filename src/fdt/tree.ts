/**
 * The in-memory device tree: a plain tree of nodes whose properties are raw
 * big-endian byte strings, exactly as they sit in a DTB. Interpreting the
 * bytes (cells, strings, reg) is props.ts's job; reading and writing blobs is
 * dtb.ts's; DTS text is dts.ts's.
 *
 * Keeping values as bytes means a DTB survives parse → build unchanged, and
 * nothing here needs to know what a property "is" — which is also how libfdt
 * and Xen's device-tree code see it.
 *
 * Addresses and sizes in this module and its neighbours are JS `number`s:
 * every physical address the Arm architecture can produce (≤ 52 bits) is
 * exact below 2^53. 64-bit fields that do not fit are rejected, never rounded.
 */
import { InputError, hex } from '../util/errors.js';

export interface FdtNode {
  /** Node name with its unit address ("cpu@0"); "" for the root. */
  name: string;
  /** Properties in blob order; values are the raw bytes. */
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

/** One entry of the DTB memory reservation block (/memreserve/). */
export interface FdtReserve {
  address: number;
  size: number;
}

/** A whole device tree: what a DTB or a DTS file holds. */
export interface Fdt {
  root: FdtNode;
  reserve: FdtReserve[];
  /** Header field boot_cpuid_phys; dtc writes 0. */
  bootCpuidPhys: number;
}

export function fdtNode(name: string, props?: Iterable<[string, Uint8Array]>, children?: FdtNode[]): FdtNode {
  return { name, props: new Map(props ?? []), children: children ?? [] };
}

/** Node name without its unit address: "cpu@0" → "cpu". */
export function baseName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** Unit address part of a node name, or undefined: "cpu@0" → "0". */
export function unitAddress(name: string): string | undefined {
  const at = name.indexOf('@');
  return at < 0 ? undefined : name.slice(at + 1);
}

/**
 * Child lookup the way libfdt's fdt_subnode_offset() does it: an exact name
 * match wins; a component without '@' also matches "name@anything", so
 * "/memory" finds "memory@40000000" (QEMU and Xen both rely on this).
 */
export function findChild(node: FdtNode, name: string): FdtNode | undefined {
  const exact = node.children.find((c) => c.name === name);
  if (exact || name.includes('@')) return exact;
  return node.children.find((c) => baseName(c.name) === name);
}

function splitPath(path: string): string[] {
  if (!path.startsWith('/')) throw new InputError(path, 'device-tree path must start with "/"');
  return path.split('/').filter((s) => s.length > 0);
}

/** Find a node by absolute path ("/", "/chosen", "/cpus/cpu@0"). */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let node: FdtNode | undefined = root;
  for (const part of splitPath(path)) {
    node = findChild(node, part);
    if (!node) return undefined;
  }
  return node;
}

/** Like findNode, but a missing node is an InputError naming `where` and the path. */
export function getNode(root: FdtNode, path: string, where = 'device tree'): FdtNode {
  const node = findNode(root, path);
  if (!node) throw new InputError(where, `node ${path} not found`);
  return node;
}

/** The parent of the node at `path` (root for "/x"); undefined for "/" or a missing path. */
export function findParent(root: FdtNode, path: string): FdtNode | undefined {
  const parts = splitPath(path);
  if (parts.length === 0) return undefined;
  return findNode(root, '/' + parts.slice(0, -1).join('/'));
}

/** Find or create every node along `path`, like qemu_fdt_add_path(). New nodes are appended. */
export function ensureNode(root: FdtNode, path: string): FdtNode {
  let node = root;
  for (const part of splitPath(path)) {
    let next = node.children.find((c) => c.name === part);
    if (!next) {
      next = fdtNode(part);
      node.children.push(next);
    }
    node = next;
  }
  return node;
}

/** Add a new child; a duplicate name is an error (dtc and libfdt refuse them too). */
export function addChild(parent: FdtNode, child: FdtNode): FdtNode {
  if (parent.children.some((c) => c.name === child.name)) {
    throw new InputError(parent.name || '/', `duplicate child node ${child.name}`);
  }
  parent.children.push(child);
  return child;
}

/** Remove the node at `path`; returns whether it existed. */
export function removeNode(root: FdtNode, path: string): boolean {
  const parent = findParent(root, path);
  const node = findNode(root, path);
  if (!parent || !node) return false;
  parent.children.splice(parent.children.indexOf(node), 1);
  return true;
}

/** Depth-first walk, parents before children, calling `visit(node, path)`. */
export function walk(root: FdtNode, visit: (node: FdtNode, path: string) => void): void {
  const rec = (node: FdtNode, path: string): void => {
    visit(node, path);
    for (const c of node.children) rec(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`);
  };
  rec(root, '/');
}

/** Deep copy (values are copied too, so the clone can be edited freely). */
export function cloneNode(node: FdtNode): FdtNode {
  return {
    name: node.name,
    props: new Map([...node.props].map(([k, v]) => [k, v.slice()])),
    children: node.children.map(cloneNode),
  };
}

// ---- phandles ------------------------------------------------------------

function phandleOf(node: FdtNode): number | undefined {
  const v = node.props.get('phandle') ?? node.props.get('linux,phandle');
  if (!v || v.length !== 4) return undefined;
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0);
}

/** The node's phandle, or undefined if it has none. */
export function getPhandle(node: FdtNode): number | undefined {
  return phandleOf(node);
}

/** Highest phandle used anywhere in the tree (0 if none). */
export function maxPhandle(root: FdtNode): number {
  let max = 0;
  walk(root, (n) => {
    const p = phandleOf(n);
    if (p !== undefined && p !== 0xffffffff && p > max) max = p;
  });
  return max;
}

/** Node with the given phandle, or undefined. */
export function findByPhandle(root: FdtNode, phandle: number): FdtNode | undefined {
  let found: FdtNode | undefined;
  walk(root, (n) => {
    if (!found && phandleOf(n) === phandle) found = n;
  });
  return found;
}

/**
 * Give `node` a phandle if it lacks one: one above the highest in use, which is
 * what libfdt's fdt_generate_phandle() and Xen's domain builders do.
 */
export function ensurePhandle(root: FdtNode, node: FdtNode): number {
  const have = phandleOf(node);
  if (have !== undefined) return have;
  const next = maxPhandle(root) + 1;
  if (next >= 0xffffffff) throw new InputError('device tree', 'no free phandle values left');
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, next);
  node.props.set('phandle', v);
  return next;
}

/** Allocator handing out consecutive phandles from `first`, like qemu_fdt_alloc_phandle(). */
export class PhandleAllocator {
  private next: number;
  constructor(first = 1) {
    this.next = first;
  }
  alloc(): number {
    if (this.next >= 0xffffffff) throw new InputError('device tree', `phandle ${hex(this.next)} out of range`);
    return this.next++;
  }
}
