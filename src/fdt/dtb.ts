/**
 * Flattened device tree blob (DTB, "FDT") reader and writer — the format of
 * the Devicetree Specification §5, version 17, as produced by dtc and libfdt
 * and consumed by Linux, Xen and QEMU.
 *
 *   header (40 bytes, big-endian u32s) | memory reservation block |
 *   structure block (tokens) | strings block
 *
 * parseDtb() checks everything a hostile blob could get wrong and reports the
 * first problem as one InputError carrying the byte offset. buildDtb() lays a
 * tree out the way dtc does (header, reservations at 0x28, structure, strings,
 * no padding), so a dtc-made blob round-trips to an equal tree.
 *
 * The tree type and the property helpers live in tree.ts / props.ts and are
 * re-exported here, so `import … from './fdt/dtb.js'` gives the whole API.
 */
import { InputError, hex } from '../util/errors.js';
import { fdtNode, type Fdt, type FdtNode, type FdtReserve } from './tree.js';
import { joinU64, toCells } from './props.js';

export * from './tree.js';
export * from './props.js';

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;

/** Version written by buildDtb and by dtc; 16 is the oldest reader it stays compatible with. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
const HEADER_SIZE_V17 = 40;
const HEADER_SIZE_V16 = 36; // no size_dt_struct

const align4 = (n: number): number => (n + 3) & ~3;

// ---- reader ------------------------------------------------------------------

/**
 * Parse a DTB. `where` names the source (usually the file name) and prefixes
 * every error as `${where}@0x<offset>`. Bytes after `totalsize` are ignored
 * (files are often padded); a blob shorter than `totalsize` is truncated.
 */
export function parseDtb(bytes: Uint8Array, where: string): Fdt {
  const at = (off: number): string => `${where}@${hex(off)}`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number): number => dv.getUint32(off);

  if (bytes.length < HEADER_SIZE_V16) {
    throw new InputError(at(0), `truncated: ${bytes.length} bytes is smaller than the ${HEADER_SIZE_V17}-byte FDT header`);
  }
  const magic = u32(0);
  if (magic !== FDT_MAGIC) throw new InputError(at(0), `bad magic ${hex(magic)}, expected ${hex(FDT_MAGIC)}`);

  const totalsize = u32(4);
  const offStruct = u32(8);
  const offStrings = u32(12);
  const offRsvmap = u32(16);
  const version = u32(20);
  const lastComp = u32(24);
  const bootCpuidPhys = u32(28);
  const sizeStrings = u32(32);

  if (version < 16 || lastComp > FDT_VERSION) {
    throw new InputError(at(20), `unsupported FDT version ${version} (last compatible ${lastComp}); need 16..17`);
  }
  const headerSize = version >= 17 ? HEADER_SIZE_V17 : HEADER_SIZE_V16;
  if (totalsize < headerSize) throw new InputError(at(4), `totalsize ${hex(totalsize)} is smaller than the header`);
  if (totalsize > bytes.length) {
    throw new InputError(at(4), `truncated: totalsize is ${hex(totalsize)} but only ${hex(bytes.length)} bytes present`);
  }

  const inBlob = (field: string, fieldOff: number, off: number, size: number): void => {
    if (off < headerSize || off > totalsize || size > totalsize - off) {
      throw new InputError(at(fieldOff), `${field} block [${hex(off)}, +${hex(size)}) is outside the blob (totalsize ${hex(totalsize)})`);
    }
  };
  inBlob('strings', 12, offStrings, sizeStrings);
  let sizeStruct: number;
  if (version >= 17) {
    sizeStruct = u32(36);
    inBlob('structure', 8, offStruct, sizeStruct);
  } else {
    inBlob('structure', 8, offStruct, 0);
    sizeStruct = totalsize - offStruct; // v16: the END token delimits it
  }
  if (offStruct % 4 !== 0) throw new InputError(at(8), `structure block offset ${hex(offStruct)} is not 4-byte aligned`);
  if (offRsvmap % 8 !== 0) throw new InputError(at(16), `memory reservation block offset ${hex(offRsvmap)} is not 8-byte aligned`);
  inBlob('memory reservation', 16, offRsvmap, 16);

  // Memory reservation block: (address, size) u64 pairs up to a (0, 0) entry.
  const reserve: FdtReserve[] = [];
  for (let off = offRsvmap; ; off += 16) {
    if (off + 16 > totalsize) throw new InputError(at(off), 'memory reservation block is not terminated by a (0, 0) entry');
    const address = joinU64(u32(off), u32(off + 4), at(off));
    const size = joinU64(u32(off + 8), u32(off + 12), at(off + 8));
    if (address === 0 && size === 0) break;
    reserve.push({ address, size });
  }

  // Strings block lookup, with bounds and termination checks.
  const stringAt = (nameoff: number, tokOff: number): string => {
    if (nameoff >= sizeStrings) {
      throw new InputError(at(tokOff), `FDT_PROP name offset ${hex(nameoff)} is outside the strings block (size ${hex(sizeStrings)})`);
    }
    const start = offStrings + nameoff;
    const end = bytes.indexOf(0, start);
    if (end < 0 || end >= offStrings + sizeStrings) {
      throw new InputError(at(tokOff), `property name at strings offset ${hex(nameoff)} is not NUL-terminated`);
    }
    return latin1(bytes.subarray(start, end));
  };

  const structEnd = offStruct + sizeStruct;
  let off = offStruct;
  const token = (): number => {
    if (off + 4 > structEnd) throw new InputError(at(off), 'truncated structure block: expected a token');
    const t = u32(off);
    off += 4;
    return t;
  };

  const stack: FdtNode[] = [];
  const sawChild: boolean[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    const tokOff = off;
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const end = bytes.indexOf(0, off);
      if (end < 0 || end >= structEnd) throw new InputError(at(tokOff), 'node name is not NUL-terminated inside the structure block');
      const name = latin1(bytes.subarray(off, end));
      off = align4(end + 1);
      if (off > structEnd) throw new InputError(at(tokOff), 'truncated structure block in node name padding');
      const node = fdtNode(name);
      const parent = stack[stack.length - 1];
      if (parent) {
        if (name === '') throw new InputError(at(tokOff), `empty name for a child of ${pathOf(stack)}`);
        if (parent.children.some((c) => c.name === name)) throw new InputError(at(tokOff), `duplicate node ${pathOf(stack)}/${name}`);
        parent.children.push(node);
        sawChild[sawChild.length - 1] = true;
      } else {
        if (root) throw new InputError(at(tokOff), 'second root node');
        if (name !== '') throw new InputError(at(tokOff), `root node has name "${name}", expected ""`);
        root = node;
      }
      stack.push(node);
      sawChild.push(false);
    } else if (t === FDT_END_NODE) {
      if (stack.length === 0) throw new InputError(at(tokOff), 'FDT_END_NODE without a matching FDT_BEGIN_NODE');
      stack.pop();
      sawChild.pop();
    } else if (t === FDT_PROP) {
      const node = stack[stack.length - 1];
      if (!node) throw new InputError(at(tokOff), 'FDT_PROP outside any node');
      if (off + 8 > structEnd) throw new InputError(at(tokOff), 'truncated FDT_PROP header');
      const len = u32(off);
      const nameoff = u32(off + 4);
      off += 8;
      if (len > structEnd - off) throw new InputError(at(tokOff), `property value of ${hex(len)} bytes runs past the structure block`);
      const name = stringAt(nameoff, tokOff);
      if (sawChild[sawChild.length - 1]) throw new InputError(at(tokOff), `property ${name} of ${pathOf(stack)} comes after a subnode`);
      if (node.props.has(name)) throw new InputError(at(tokOff), `duplicate property ${name} in ${pathOf(stack)}`);
      node.props.set(name, bytes.slice(off, off + len));
      off = align4(off + len);
    } else if (t === FDT_END) {
      if (stack.length !== 0) throw new InputError(at(tokOff), `FDT_END inside node ${pathOf(stack)}`);
      if (!root) throw new InputError(at(tokOff), 'no root node');
      break;
    } else {
      throw new InputError(at(tokOff), `bad structure token ${hex(t)}`);
    }
    if (stack.length === 0 && root && t === FDT_END_NODE) {
      // Only NOPs may sit between the root's END_NODE and FDT_END.
      for (;;) {
        const o = off;
        const n = token();
        if (n === FDT_END) break;
        if (n !== FDT_NOP) throw new InputError(at(o), `unexpected token ${hex(n)} after the root node`);
      }
      break;
    }
  }
  return { root: root!, reserve, bootCpuidPhys };
}

function pathOf(stack: FdtNode[]): string {
  return stack.length <= 1
    ? '/'
    : '/' +
        stack
          .slice(1)
          .map((n) => n.name)
          .join('/');
}

function latin1(b: Uint8Array): string {
  // Node and property names are ASCII by spec; latin1 keeps any stray byte visible.
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

// ---- writer ------------------------------------------------------------------

export interface BuildOptions {
  /** Memory reservation entries (defaults to those in the tree's Fdt, if given one). */
  reserve?: readonly FdtReserve[];
  bootCpuidPhys?: number;
  /** Extra zero bytes after the strings block (room for in-place edits, like dtc -p). */
  padding?: number;
}

/** Serialise a tree (or a whole Fdt) to a DTB v17 blob. */
export function buildDtb(tree: FdtNode | Fdt, opts: BuildOptions = {}): Uint8Array {
  const root = 'root' in tree ? tree.root : tree;
  const reserve = opts.reserve ?? ('root' in tree ? tree.reserve : []);
  const bootCpuidPhys = opts.bootCpuidPhys ?? ('root' in tree ? tree.bootCpuidPhys : 0);
  if (root.name !== '') throw new InputError('buildDtb', `root node must have an empty name, not "${root.name}"`);

  // Strings block: each name once, in first-use order, reusing the tail of an
  // existing string when it matches ("phandle" inside "linux,phandle") — exactly
  // dtc's stringtable_insert(), so dtc-built blobs rebuild byte for byte.
  let table = '';
  const strOff = new Map<string, number>();
  const nameOff = (name: string): number => {
    let o = strOff.get(name);
    if (o === undefined) {
      ascii(name, `property name ${JSON.stringify(name)}`);
      o = table.indexOf(name + '\0');
      if (o < 0) {
        o = table.length;
        table += name + '\0';
      }
      strOff.set(name, o);
    }
    return o;
  };

  // Structure block, in a growable buffer.
  let buf = new Uint8Array(4096);
  let len = 0;
  const grow = (n: number): void => {
    if (len + n <= buf.length) return;
    let cap = buf.length * 2;
    while (cap < len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(buf.subarray(0, len));
    buf = nb;
  };
  const putU32 = (v: number): void => {
    grow(4);
    new DataView(buf.buffer).setUint32(len, v);
    len += 4;
  };
  const putBytes = (b: Uint8Array, nul: boolean): void => {
    const n = align4(b.length + (nul ? 1 : 0));
    grow(n);
    buf.set(b, len);
    buf.fill(0, len + b.length, len + n);
    len += n;
  };
  const emit = (node: FdtNode, path: string): void => {
    putU32(FDT_BEGIN_NODE);
    putBytes(ascii(node.name, `node name at ${path}`), true);
    for (const [name, value] of node.props) {
      putU32(FDT_PROP);
      putU32(value.length);
      putU32(nameOff(name));
      putBytes(value, false);
    }
    const seen = new Set<string>();
    for (const c of node.children) {
      if (c.name === '' || c.name.includes('/')) throw new InputError(path, `invalid child node name "${c.name}"`);
      if (seen.has(c.name)) throw new InputError(path, `duplicate child node ${c.name}`);
      seen.add(c.name);
      emit(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`);
    }
    putU32(FDT_END_NODE);
  };
  emit(root, '/');
  putU32(FDT_END);

  const offRsvmap = HEADER_SIZE_V17; // 40, already 8-aligned
  const rsvSize = (reserve.length + 1) * 16;
  const offStruct = offRsvmap + rsvSize;
  const offStrings = offStruct + len;
  const strSize = table.length;
  const totalsize = offStrings + strSize + (opts.padding ?? 0);

  const out = new Uint8Array(totalsize);
  const dv = new DataView(out.buffer);
  [FDT_MAGIC, totalsize, offStruct, offStrings, offRsvmap, FDT_VERSION, FDT_LAST_COMP_VERSION, bootCpuidPhys, strSize, len].forEach(
    (v, i) => dv.setUint32(i * 4, v),
  );
  reserve.forEach((r, i) => {
    const [ah, al] = toCells(r.address, 2, 'memreserve address');
    const [sh, sl] = toCells(r.size, 2, 'memreserve size');
    dv.setUint32(offRsvmap + i * 16, ah!);
    dv.setUint32(offRsvmap + i * 16 + 4, al!);
    dv.setUint32(offRsvmap + i * 16 + 8, sh!);
    dv.setUint32(offRsvmap + i * 16 + 12, sl!);
  });
  out.set(buf.subarray(0, len), offStruct);
  out.set(ascii(table, 'strings block', true), offStrings);
  return out;
}

function ascii(s: string, what: string, allowNul = false): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c === 0 && !allowNul) || c > 0xff)
      throw new InputError('buildDtb', `${what} contains character U+${c.toString(16).padStart(4, '0')}`);
    b[i] = c;
  }
  return b;
}
