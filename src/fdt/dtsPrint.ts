/**
 * DTS printer producing exactly what `dtc -I dtb -O dts` (dtc 1.6) prints for
 * the same tree, so our output can be diffed against dtc's and against the
 * reference DTS files captured from QEMU and Xen.
 *
 * A DTB carries no types, so like dtc we guess per property (dtc's
 * guess_value_type()): printable NUL-terminated text → "string" (inner NULs
 * shown as \0), a multiple of 4 bytes → <0x.. cells>, otherwise [bytes].
 */
import type { Fdt, FdtNode } from './tree.js';

/** dtc's isstring(): isprint() or NUL or one of \a \f \n \r \t \v. */
function isStringByte(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || c === 0 || c === 7 || c === 12 || c === 10 || c === 13 || c === 9 || c === 11;
}

type Guess = 'string' | 'cells' | 'bytes';

export function guessValueType(v: Uint8Array): Guess {
  let notString = 0;
  let nul = 0;
  for (const c of v) {
    if (!isStringByte(c)) notString++;
    if (c === 0) nul++;
  }
  // Fewer (or as many) NULs as other bytes, as dtc 1.6 requires, rules out [00] and "x\0\0\0".
  if (v[v.length - 1] === 0 && notString === 0 && nul <= v.length - nul) return 'string';
  if (v.length % 4 === 0) return 'cells';
  return 'bytes';
}

const ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  0x5c: '\\\\',
  0x22: '\\"',
  0: '\\0',
};

function quote(v: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < v.length - 1; i++) {
    const c = v[i]!;
    const e = ESCAPES[c];
    if (e !== undefined) s += e;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s + '"';
}

/** The right-hand side of `name = ...;` as dtc would print it (without " = " and ";"). */
export function formatValue(v: Uint8Array): string {
  switch (guessValueType(v)) {
    case 'string':
      return quote(v);
    case 'cells': {
      const dv = new DataView(v.buffer, v.byteOffset, v.length);
      const cells: string[] = [];
      for (let i = 0; i < v.length; i += 4) cells.push(`0x${dv.getUint32(i).toString(16).padStart(2, '0')}`);
      return `<${cells.join(' ')}>`;
    }
    case 'bytes':
      return `[${[...v].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
  }
}

function printNode(node: FdtNode, level: number, out: string[]): void {
  const tabs = '\t'.repeat(level);
  out.push(`${tabs}${node.name === '' ? '/' : node.name} {\n`);
  for (const [name, v] of node.props) {
    out.push(v.length === 0 ? `${tabs}\t${name};\n` : `${tabs}\t${name} = ${formatValue(v)};\n`);
  }
  for (const c of node.children) {
    out.push('\n');
    printNode(c, level + 1, out);
  }
  out.push(`${tabs}};\n`);
}

/** Print a whole tree (or Fdt, with its /memreserve/ entries) as DTS source. */
export function printDts(tree: Fdt | FdtNode): string {
  const root = 'root' in tree ? tree.root : tree;
  const out: string[] = ['/dts-v1/;\n\n'];
  if ('root' in tree) {
    for (const r of tree.reserve) {
      out.push(`/memreserve/\t0x${r.address.toString(16).padStart(16, '0')} 0x${r.size.toString(16).padStart(16, '0')};\n`);
    }
  }
  printNode(root, 0, out);
  return out.join('');
}
