/**
 * DTS source parser — the subset of dtc's language that Xen dom0less host
 * trees and QEMU dumps use, with dtc's semantics where it matters for getting
 * the same blob:
 *
 *   /dts-v1/;  /memreserve/ a s;  / { ... };  &label { ... };  (merged like dtc)
 *   label: node@unit { prop; prop = <cells>, "str", "list", [bytes], &label; };
 *   <cells> with 'c' literals, (C expressions: ?: || && | ^ & == != < > <= >=
 *   << >> + - * / % unary - ~ !), &label and &{/path} phandle references,
 *   /bits/ 8|16|32|64, /delete-node/, /delete-property/, // and comments.
 *
 * Phandles for referenced nodes are allocated the way dtc does (first
 * reference in tree order gets the lowest unused value, a `phandle` property
 * is appended), so `dtc -I dts -O dtb` of the same file parses to an equal tree.
 *
 * Not supported (clear error instead): C preprocessor lines (#include —
 * run cpp first), /include/, /incbin/, /plugin/ overlays, labels inside values.
 */
import { InputError } from '../util/errors.js';
import { fdtNode, type Fdt, type FdtNode, type FdtReserve } from './tree.js';

// ---- intermediate tree (values keep unresolved references) ----------------

type Piece = { bytes: Uint8Array } | { phandleOf: Ref; width: 4 } | { pathOf: Ref };

interface Ref {
  /** A label name, or an absolute path for &{/path}. */
  label?: string;
  path?: string;
  at: string;
}

/** A top-level block: merge `node` into the referenced node, or delete the referenced node. */
type Action = { ref: Ref; node: PNode } | { delete: Ref };

interface PNode {
  name: string;
  labels: string[];
  props: Map<string, Piece[]>;
  children: PNode[];
}

const newNode = (name: string): PNode => ({ name, labels: [], props: new Map(), children: [] });

const NAME_CHARS = /[a-zA-Z0-9,._+*#?@-]/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CPP_DIRECTIVE = /^#\s*(include|define|undef|if|ifdef|ifndef|else|elif|endif|line|pragma|error)\b|^#\s*\d/;

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly where: string,
  ) {}

  // -- position and errors --

  here(pos = this.pos): string {
    let line = 1;
    let col = 1;
    for (let i = 0; i < pos && i < this.text.length; i++) {
      if (this.text[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    return `${this.where}:${line}:${col}`;
  }

  fail(what: string, pos = this.pos): never {
    throw new InputError(this.here(pos), what);
  }

  // -- lexical helpers --

  skip(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === undefined) return;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.pos++;
      } else if (t.startsWith('//', this.pos)) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (t.startsWith('/*', this.pos)) {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated /* comment');
        this.pos = end + 2;
      } else if (c === '#' && this.atLineStart() && CPP_DIRECTIVE.test(t.slice(this.pos, this.pos + 20))) {
        this.fail('C preprocessor directive; run the file through cpp first (dtc -I dts takes no #include)');
      } else return;
    }
  }

  private atLineStart(): boolean {
    for (let i = this.pos - 1; i >= 0; i--) {
      const c = this.text[i];
      if (c === '\n') return true;
      if (c !== ' ' && c !== '\t') return false;
    }
    return true;
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, context: string): void {
    if (!this.eat(s)) {
      const got = this.pos >= this.text.length ? 'end of file' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
      this.fail(`expected "${s}" ${context}, found ${got}`);
    }
  }

  /** A run of node/property-name characters (may be empty). */
  word(): string {
    this.skip();
    const start = this.pos;
    while (this.pos < this.text.length && NAME_CHARS.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Consume `label:` prefixes, returning the labels. */
  labels(): string[] {
    const out: string[] = [];
    for (;;) {
      this.skip();
      const save = this.pos;
      const w = this.word();
      if (w && LABEL_RE.test(w) && this.text[this.pos] === ':') {
        this.pos++;
        out.push(w);
        continue;
      }
      this.pos = save;
      return out;
    }
  }

  ref(): Ref {
    // After '&': either {/path} or a label.
    const at = this.here(this.pos - 1);
    if (this.text[this.pos] === '{') {
      const end = this.text.indexOf('}', this.pos);
      if (end < 0) this.fail('unterminated &{/path} reference');
      const path = this.text.slice(this.pos + 1, end);
      if (!path.startsWith('/')) this.fail(`reference &{${path}} is not an absolute path`);
      this.pos = end + 1;
      return { path, at };
    }
    const start = this.pos;
    while (this.pos < this.text.length && /[a-zA-Z0-9_]/.test(this.text[this.pos]!)) this.pos++;
    const label = this.text.slice(start, this.pos);
    if (!LABEL_RE.test(label)) this.fail('expected a label after "&"', start);
    return { label, at };
  }

  // -- top level --

  parseFile(): { reserve: FdtReserve[]; actions: Action[] } {
    this.expect('/dts-v1/', 'at the start of the file (only DTS version 1 syntax is supported)');
    this.expect(';', 'after /dts-v1/');
    if (this.peek('/plugin/')) this.fail('/plugin/ overlays are not supported');
    const reserve: FdtReserve[] = [];
    // Top-level blocks apply in source order, as dtc applies them while parsing.
    const actions: Action[] = [];
    let sawRoot = false;
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) break;
      const labels = this.labels();
      if (this.eat('/memreserve/')) {
        const address = this.u64(this.integerExpr(), 'memreserve address');
        const size = this.u64(this.integerExpr(), 'memreserve size');
        this.expect(';', 'after /memreserve/ address and size');
        if (sawRoot) this.fail('/memreserve/ must come before the root node');
        reserve.push({ address, size });
      } else if (this.eat('/delete-node/')) {
        this.expect('&', 'after top-level /delete-node/');
        actions.push({ delete: this.ref() });
        this.expect(';', 'after /delete-node/ reference');
      } else if (this.eat('/include/') || this.eat('/incbin/') || this.eat('/omit-if-no-ref/')) {
        this.fail('/include/, /incbin/ and /omit-if-no-ref/ are not supported');
      } else if (this.eat('&')) {
        const ref = this.ref();
        const node = newNode('');
        node.labels.push(...labels);
        this.body(node);
        actions.push({ ref, node });
      } else if (this.eat('/')) {
        sawRoot = true;
        const node = newNode('');
        node.labels.push(...labels);
        this.body(node);
        actions.push({ ref: { path: '/', at: this.here() }, node });
      } else {
        this.fail(
          `expected "/ {", "&label {", or /memreserve/ at top level, found ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`,
        );
      }
    }
    if (!sawRoot) this.fail('no root node "/ { ... };"');
    return { reserve, actions };
  }

  /** `{ props; children }` followed by `;`. Fills `node`. */
  body(node: PNode): void {
    this.expect('{', 'to open a node body');
    let sawChild = false;
    for (;;) {
      if (this.eat('}')) break;
      if (this.pos >= this.text.length) this.fail('unterminated node body: missing "}"');
      if (this.eat('/delete-property/')) {
        const name = this.word();
        if (!name) this.fail('expected a property name after /delete-property/');
        this.expect(';', 'after /delete-property/ name');
        node.props.set(name, DELETED);
        continue;
      }
      if (this.eat('/delete-node/')) {
        const name = this.word();
        if (!name) this.fail('expected a node name after /delete-node/');
        this.expect(';', 'after /delete-node/ name');
        const child = newNode(name);
        child.props.set(DELETE_NODE_MARK, DELETED);
        node.children.push(child);
        continue;
      }
      const labels = this.labels();
      const namePos = this.pos;
      const name = this.word();
      if (!name) this.fail(`expected a property or node name, found ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`);
      if (this.peek('{')) {
        const child = newNode(name);
        child.labels.push(...labels);
        this.body(child);
        if (node.children.some((c) => c.name === name && !c.props.has(DELETE_NODE_MARK))) {
          this.fail(`duplicate node ${name}`, namePos);
        }
        node.children.push(child);
        sawChild = true;
      } else {
        if (sawChild) this.fail(`property ${name} after a subnode (properties must come first)`, namePos);
        if (node.props.has(name) && node.props.get(name) !== DELETED) this.fail(`duplicate property ${name}`, namePos);
        let pieces: Piece[] = [];
        if (this.eat('=')) pieces = this.value();
        this.expect(';', `after property ${name}`);
        node.props.set(name, pieces);
      }
    }
    this.expect(';', 'after "}" closing a node');
  }

  // -- property values --

  value(): Piece[] {
    const out: Piece[] = [];
    do {
      this.labels(); // dtc allows labels inside values; they do not affect the bytes
      this.skip();
      if (this.text[this.pos] === '"') {
        out.push({ bytes: this.string() });
      } else if (this.eat('/bits/')) {
        const bits = Number(this.integerExpr());
        if (![8, 16, 32, 64].includes(bits)) this.fail(`/bits/ must be 8, 16, 32 or 64, not ${bits}`);
        this.expect('<', 'after /bits/ N');
        out.push(...this.cells(bits));
      } else if (this.eat('<')) {
        out.push(...this.cells(32));
      } else if (this.eat('[')) {
        out.push({ bytes: this.bytes() });
      } else if (this.eat('&')) {
        out.push({ pathOf: this.ref() });
      } else if (this.peek('/incbin/')) {
        this.fail('/incbin/ is not supported');
      } else {
        this.fail(
          `expected a property value ("string", <cells>, [bytes] or &label), found ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`,
        );
      }
      this.labels();
    } while (this.eat(','));
    return out;
  }

  string(): Uint8Array {
    const start = this.pos;
    this.pos++; // opening quote
    const bytes: number[] = [];
    const enc = new TextEncoder();
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated string', start);
      this.pos++;
      if (c === '"') break;
      if (c === '\\') bytes.push(this.escape());
      else bytes.push(...enc.encode(c));
    }
    bytes.push(0);
    return Uint8Array.from(bytes);
  }

  /** After a backslash in a string or char literal: dtc's get_escape_char(). */
  escape(): number {
    const c = this.text[this.pos++];
    const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '\\': 0x5c, '"': 0x22, "'": 0x27 };
    if (c === undefined) this.fail('unterminated escape');
    if (c in simple) return simple[c]!;
    if (c === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(this.text.slice(this.pos));
      if (!m) this.fail('\\x escape without hex digits');
      this.pos += m[0].length;
      return parseInt(m[0], 16);
    }
    if (/[0-7]/.test(c)) {
      const m = /^[0-7]{1,3}/.exec(this.text.slice(this.pos - 1))!;
      this.pos += m[0].length - 1;
      const v = parseInt(m[0], 8);
      if (v > 0xff) this.fail(`octal escape \\${m[0]} is larger than a byte`);
      return v;
    }
    this.fail(`unknown escape sequence \\${c}`);
  }

  bytes(): Uint8Array {
    const out: number[] = [];
    for (;;) {
      this.labels();
      if (this.eat(']')) break;
      const start = this.pos;
      while (/[0-9a-fA-F]/.test(this.text[this.pos] ?? '')) this.pos++;
      const run = this.text.slice(start, this.pos);
      if (!run) this.fail(`expected hex byte pairs in [ ... ], found ${JSON.stringify(this.text.slice(this.pos, this.pos + 8))}`);
      if (run.length % 2 !== 0) this.fail(`odd number of hex digits "${run}" in byte string`, start);
      for (let i = 0; i < run.length; i += 2) out.push(parseInt(run.slice(i, i + 2), 16));
    }
    return Uint8Array.from(out);
  }

  cells(bits: number): Piece[] {
    const width = bits / 8;
    const out: Piece[] = [];
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      this.labels();
      if (this.eat('>')) break;
      if (this.pos >= this.text.length) this.fail('unterminated <cells>: missing ">"');
      if (this.eat('&')) {
        if (bits !== 32) this.fail(`phandle references are only allowed in 32-bit cells, not /bits/ ${bits}`);
        out.push({ phandleOf: this.ref(), width: 4 });
        continue;
      }
      const at = this.pos;
      const v = this.primary();
      // dtc: the value must fit the element, or be a sign-extended negative number.
      const high = v & ~mask & U64;
      if (high !== 0n && high !== (~mask & U64)) this.fail(`value 0x${v.toString(16)} out of range for a ${bits}-bit cell`, at);
      const b = new Uint8Array(width);
      const dv = new DataView(b.buffer);
      const x = v & mask;
      if (bits === 8) dv.setUint8(0, Number(x));
      else if (bits === 16) dv.setUint16(0, Number(x));
      else if (bits === 32) dv.setUint32(0, Number(x));
      else dv.setBigUint64(0, x);
      out.push({ bytes: b });
    }
    return out;
  }

  // -- integer expressions (64-bit unsigned, as in dtc) --

  u64(v: bigint, what: string): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} 0x${v.toString(16)} does not fit in 53 bits`);
    return Number(v);
  }

  /** An integer literal or a parenthesised expression (what may appear bare in <cells>). */
  primary(): bigint {
    this.skip();
    if (this.eat('(')) {
      const v = this.ternary();
      this.expect(')', 'to close the expression');
      return v;
    }
    const c = this.text[this.pos];
    if (c === "'") return this.charLiteral();
    if (c !== undefined && /[0-9]/.test(c)) return this.literal();
    this.fail(`expected a number, 'c', (expression) or &label, found ${JSON.stringify(this.text.slice(this.pos, this.pos + 8))}`);
  }

  integerExpr(): bigint {
    return this.primary();
  }

  literal(): bigint {
    const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uU]?[lL]{0,2}|[lL]{1,2}[uU]?)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('bad integer literal');
    const after = this.text[this.pos + m[0].length];
    if (after !== undefined && /[0-9a-zA-Z_]/.test(after))
      this.fail(`bad integer literal "${this.text.slice(this.pos, this.pos + m[0].length + 1)}"`);
    const digits = m[1]!;
    let v: bigint;
    if (/^0[xX]/.test(digits)) v = BigInt(digits);
    else if (digits.length > 1 && digits.startsWith('0')) v = BigInt('0o' + digits.slice(1));
    else v = BigInt(digits);
    if (v > U64) this.fail(`integer literal ${digits} is wider than 64 bits`);
    this.pos += m[0].length;
    return v;
  }

  charLiteral(): bigint {
    const start = this.pos;
    this.pos++;
    let v: number;
    const c = this.text[this.pos];
    if (c === undefined || c === "'" || c === '\n') this.fail('empty character literal', start);
    if (c === '\\') {
      this.pos++;
      v = this.escape();
    } else {
      v = c.charCodeAt(0);
      this.pos++;
    }
    if (this.text[this.pos] !== "'") this.fail('character literal must hold exactly one character', start);
    this.pos++;
    return BigInt(v);
  }

  ternary(): bigint {
    const cond = this.binary(0);
    if (!this.eat('?')) return cond;
    const a = this.ternary();
    this.expect(':', 'in ?: expression');
    const b = this.ternary();
    return cond !== 0n ? a : b;
  }

  binary(minPrec: number): bigint {
    let left = this.unary();
    for (;;) {
      this.skip();
      const op = BINARY_OPS.find((o) => this.text.startsWith(o.op, this.pos));
      if (!op || op.prec < minPrec) return left;
      const opPos = this.pos;
      this.pos += op.op.length;
      const right = this.binary(op.prec + 1);
      left = op.fn(left, right, () => this.fail('division by zero in expression', opPos)) & U64;
    }
  }

  unary(): bigint {
    this.skip();
    if (this.eat('-')) return -this.unary() & U64;
    if (this.eat('~')) return ~this.unary() & U64;
    if (this.eat('!')) return this.unary() === 0n ? 1n : 0n;
    return this.primary();
  }
}

const U64 = (1n << 64n) - 1n;
const b = (x: boolean): bigint => (x ? 1n : 0n);

/** C operators, longest spelling first so "<<" wins over "<". Higher prec binds tighter. */
const BINARY_OPS: { op: string; prec: number; fn: (a: bigint, c: bigint, div0: () => never) => bigint }[] = [
  { op: '||', prec: 1, fn: (x, y) => b(x !== 0n || y !== 0n) },
  { op: '&&', prec: 2, fn: (x, y) => b(x !== 0n && y !== 0n) },
  { op: '<<', prec: 9, fn: (x, y) => (y >= 64n ? 0n : x << y) },
  { op: '>>', prec: 9, fn: (x, y) => (y >= 64n ? 0n : x >> y) },
  { op: '<=', prec: 8, fn: (x, y) => b(x <= y) },
  { op: '>=', prec: 8, fn: (x, y) => b(x >= y) },
  { op: '==', prec: 7, fn: (x, y) => b(x === y) },
  { op: '!=', prec: 7, fn: (x, y) => b(x !== y) },
  { op: '|', prec: 3, fn: (x, y) => x | y },
  { op: '^', prec: 4, fn: (x, y) => x ^ y },
  { op: '&', prec: 5, fn: (x, y) => x & y },
  { op: '<', prec: 8, fn: (x, y) => b(x < y) },
  { op: '>', prec: 8, fn: (x, y) => b(x > y) },
  { op: '+', prec: 10, fn: (x, y) => x + y },
  { op: '-', prec: 10, fn: (x, y) => x - y },
  { op: '*', prec: 11, fn: (x, y) => x * y },
  { op: '/', prec: 11, fn: (x, y, div0) => (y === 0n ? div0() : x / y) },
  { op: '%', prec: 11, fn: (x, y, div0) => (y === 0n ? div0() : x % y) },
];

// Markers for deletions inside a body (kept in the maps so they apply in merge order).
const DELETED: Piece[] = [];
const DELETE_NODE_MARK = '\0delete-node';

// ---- merging (dtc's merge_nodes) ---------------------------------------------

function mergeInto(old: PNode, add: PNode): void {
  for (const l of add.labels) if (!old.labels.includes(l)) old.labels.push(l);
  for (const [name, pieces] of add.props) {
    if (pieces === DELETED) old.props.delete(name);
    else old.props.set(name, pieces); // Map.set keeps the original position, as dtc does
  }
  for (const c of add.children) {
    const i = old.children.findIndex((o) => o.name === c.name);
    if (c.props.has(DELETE_NODE_MARK)) {
      if (i >= 0) old.children.splice(i, 1);
    } else if (i >= 0) mergeInto(old.children[i]!, c);
    else {
      const fresh = newNode(c.name);
      old.children.push(fresh);
      mergeInto(fresh, c);
    }
  }
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function findPath(root: PNode, path: string): PNode | undefined {
  let n: PNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    n = n.children.find((c) => c.name === part) ?? (part.includes('@') ? undefined : n.children.find((c) => c.name.split('@')[0] === part));
    if (!n) return undefined;
  }
  return n;
}

/** Every node with its path and the label → node map, rejecting duplicate labels. */
function index(root: PNode, where: string): { paths: Map<PNode, string>; labels: Map<string, PNode> } {
  const paths = new Map<PNode, string>();
  const labels = new Map<string, PNode>();
  const rec = (n: PNode, path: string): void => {
    paths.set(n, path);
    for (const l of n.labels) {
      const prev = labels.get(l);
      if (prev && prev !== n) throw new InputError(where, `label ${l} is defined on both ${paths.get(prev)} and ${path}`);
      labels.set(l, n);
    }
    for (const c of n.children) rec(c, childPath(path, c.name));
  };
  rec(root, '/');
  return { paths, labels };
}

function resolve(root: PNode, labels: Map<string, PNode>, ref: Ref): PNode {
  const n = ref.label !== undefined ? labels.get(ref.label) : findPath(root, ref.path!);
  if (!n) throw new InputError(ref.at, `reference to non-existent node or label "${ref.label ?? ref.path}"`);
  return n;
}

function u32be(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v);
  return out;
}

// ---- entry point ---------------------------------------------------------------

/** Apply the top-level blocks in order to an empty root. */
function assemble(actions: Action[], where: string): PNode {
  const root = newNode('');
  for (const a of actions) {
    if ('delete' in a) {
      const { labels, paths } = index(root, where);
      const victim = resolve(root, labels, a.delete);
      if (victim === root) throw new InputError(a.delete.at, 'cannot delete the root node');
      const path = paths.get(victim)!;
      const parent = findPath(root, path.slice(0, path.lastIndexOf('/')) || '/')!;
      parent.children.splice(parent.children.indexOf(victim), 1);
    } else {
      const target = a.ref.path === '/' && a.ref.label === undefined ? root : resolve(root, index(root, where).labels, a.ref);
      mergeInto(target, a.node);
    }
  }
  return root;
}

/** Parse DTS source; `where` (the file name) prefixes errors as `where:line:col`. */
export function parseDts(text: string, where: string): Fdt {
  const file = new Parser(text, where).parseFile();
  const root = assemble(file.actions, where);
  const { paths, labels } = index(root, where);

  // Phandles: explicit ones first, then dtc's allocation order (tree walk, props, refs).
  const phandles = new Map<PNode, number>();
  const used = new Set<number>();
  for (const n of paths.keys()) {
    const explicit = n.props.get('phandle') ?? n.props.get('linux,phandle');
    const first = explicit?.length === 1 ? explicit[0] : undefined;
    if (first && 'bytes' in first && first.bytes.length === 4) {
      const v = new DataView(first.bytes.buffer, first.bytes.byteOffset, 4).getUint32(0);
      phandles.set(n, v);
      used.add(v);
    }
  }
  let next = 1;
  for (const n of paths.keys()) {
    for (const pieces of n.props.values()) {
      for (const piece of pieces) {
        if (!('phandleOf' in piece)) continue;
        const target = resolve(root, labels, piece.phandleOf);
        if (phandles.has(target)) continue;
        while (used.has(next)) next++;
        phandles.set(target, next);
        used.add(next);
        target.props.set('phandle', [{ bytes: u32be(next) }]);
      }
    }
  }

  const enc = new TextEncoder();
  const build = (n: PNode): FdtNode => {
    const out = fdtNode(n.name);
    for (const [name, pieces] of n.props) {
      const parts: Uint8Array[] = pieces.map((piece) => {
        if ('bytes' in piece) return piece.bytes;
        if ('phandleOf' in piece) return u32be(phandles.get(resolve(root, labels, piece.phandleOf))!);
        return enc.encode(paths.get(resolve(root, labels, piece.pathOf))! + '\0');
      });
      const v = new Uint8Array(parts.reduce((sum, x) => sum + x.length, 0));
      let o = 0;
      for (const x of parts) {
        v.set(x, o);
        o += x.length;
      }
      out.props.set(name, v);
    }
    out.children = n.children.map(build);
    return out;
  };
  return { root: build(root), reserve: file.reserve, bootCpuidPhys: 0 };
}

/** Labels defined in a DTS file, mapped to node paths (for the CLI and tests). */
export function dtsLabels(text: string, where: string): Map<string, string> {
  const root = assemble(new Parser(text, where).parseFile().actions, where);
  const { paths, labels } = index(root, where);
  return new Map([...labels].map(([l, n]) => [l, paths.get(n)!]));
}
