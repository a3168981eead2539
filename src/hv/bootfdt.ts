// bootFdtInfo: what the start of day learns from the host device tree before any allocator
// exists — Xen's boot_fdt_info() and early_scan_node() (xen/common/device-tree/bootinfo-fdt.c,
// bootfdt.c, bootinfo.c). It fills BootInfo (bootinfo.ts) and records the lines Xen prints
// while scanning; bootInfoLog() then renders them plus early_print_info()'s RAM/MODULE/RESVD/
// CMDLINE block, in Xen's wording.
//
// What is read, as Xen reads it:
//   /memreserve/                       reserved ranges ("memreserve"), in blob order
//   /memory, /memory@…  (depth 1, device_type = "memory", status ok)   RAM banks, sorted
//   /reserved-memory/* (any depth)      reserved ranges (reg; nodes without reg are dynamic
//                                       allocations and skipped, as Xen does). `no-map` is
//                                       recorded but, exactly like Xen, both kinds are kept
//                                       out of the heap.
//   multiboot,module / xen,multiboot-module at depth ≤ 3 under /chosen   boot modules; kind
//                                       from multiboot,kernel|ramdisk|device-tree,
//                                       xen,linux-zimage|linux-initrd, xen,xsm-policy; untyped
//                                       ones are guessed like Xen: first = kernel, second =
//                                       ramdisk, and from the second on an XSM magic at the
//                                       payload's start makes it an XSM policy. The magic is
//                                       read through copyFromPaddr (Xen: has_xsm_magic →
//                                       copy_from_paddr → set_fixmap — seed 003's GRUB path).
//   /chosen                            xen,static-heap; linux,initrd-start/-end (a ramdisk)
//   xen,domain nodes (depth 2)         dom0less domains; their xen,static-mem is reserved
//   /chosen xen,xen-bootargs / bootargs   Xen's command line (boot_fdt_cmdline's precedence)
//
// Cells: like Xen's device_tree_for_each_node, a node's #address-cells/#size-cells default to
// its parent's values (the root's to 2 and 1), and a node's reg uses its parent's.
//
// Where Xen only prints and carries on, or does not look, we stop with one `panic()` line
// naming the node and what is wrong (DESIGN.md §10): a corrupt or truncated blob ("No valid
// device tree"), no RAM, RAM banks that overlap, a reg that is not a whole number of entries,
// modules outside RAM, modules overlapping each other or a /reserved-memory range, reserved
// ranges overlapping each other. Decisions that follow Xen instead:
//   - an empty (size 0) RAM bank is skipped with a warning line ("Some DT may describe empty
//     bank, ignore them" — U-Boot leaves placeholder banks); a /memory node whose banks are
//     all empty is a panic, as it can only be a broken tree;
//   - a reserved range outside RAM is accepted (Xen never compares them with RAM: they are
//     simply never given to the allocator) and logged as usual;
//   - a module or /reserved-memory range lying inside a /memreserve/ entry is fine (U-Boot
//     puts the ramdisk in /memreserve/; Xen's allow_memreserve_overlap);
//   - a module repeated with the same kind, start and size is recorded once (add_boot_module).
import { paddr } from './format.js';
import { InputError, hex } from '../util/errors.js';
import { isCompatible, parseDtb, readCells, type Fdt, type FdtNode } from '../fdt/dtb.js';
import { panic } from './panic.js';
import type { BootInfo, BootModule, BootModuleKind, MemBank } from './bootinfo.js';

/** XSM_MAGIC (xen/include/xsm/xsm.h): the first little-endian u32 of a FLASK policy. */
export const XSM_MAGIC = 0xf97cff8c;
/** Xen's early_fdt_map limit (MAX_FDT_SIZE) and alignment. */
export const MAX_FDT_SIZE = 2 * 1024 * 1024;
/** DEVICE_TREE_MAX_DEPTH: deeper nodes are skipped with a warning, as in Xen. */
const DEVICE_TREE_MAX_DEPTH = 16;
/** MAX_MODULES (xen/include/xen/bootinfo.h). */
export const MAX_MODULES = 32;
/** BOOTMOD_MAX_CMDLINE. */
const BOOTMOD_MAX_CMDLINE = 1024;

export interface BootFdtOptions {
  /**
   * The hypervisor image, registered as MODULE[0] before the tree is scanned, exactly as
   * start_xen() does with add_boot_module(BOOTMOD_XEN, …) before boot_fdt_info().
   */
  xenImage?: MemBank;
}

/** A reserved range; `kind` tells where it came from (Xen's membank type). */
export type ReservedBank = BootInfo['reserved'][number] & {
  kind?: 'memreserve' | 'reserved-memory' | 'static-mem';
  /** /reserved-memory child with `no-map` (kept out of the heap either way, as in Xen). */
  noMap?: boolean;
};

/** BootInfo with what bootFdtInfo adds on top of the shared shape. */
export interface BootInfoExt extends BootInfo {
  reserved: ReservedBank[];
  /** Lines Xen prints while scanning (before early_print_info), without "(XEN) ". */
  log?: string[];
  /** Where xenBootargs came from: boot_fdt_cmdline()'s choice ('none' = Xen gets no command line). */
  xenBootargsSource?: 'xen,xen-bootargs' | 'bootargs' | 'none';
  /** totalsize of the blob (boot_fdt_info's return value). */
  fdtSize?: number;
  /** Reserved ranges and static-heap banks in the order Xen's reserved_mem lists them (RESVD[i]). */
  resvd?: MemBank[];
}

/** Xen's boot_module_kind_as_string(). */
export const MODULE_KIND_NAME: Record<BootModuleKind, string> = {
  xen: 'Xen',
  fdt: 'Device Tree',
  kernel: 'Kernel',
  ramdisk: 'Ramdisk',
  xsm: 'XSM Policy',
  'guest-dtb': 'DTB',
  unknown: 'Unknown',
};

export { paddr };

const range = (s: number, size: number): string => `[${hex(s)}, ${hex(s + size)})`;
const overlaps = (a: MemBank, b: MemBank): boolean => a.start < b.start + b.size && b.start < a.start + a.size;
const contains = (outer: MemBank, inner: MemBank): boolean =>
  inner.start >= outer.start && inner.start + inner.size <= outer.start + outer.size;

/** Parse the DTB at `fdtPa` (already mapped: `fdt`) into BootInfo. Panics on bad input. */
export function bootFdtInfo(
  fdt: Uint8Array,
  fdtPa: number,
  copyFromPaddr: (pa: number, len: number) => Uint8Array,
  opts: BootFdtOptions = {},
): BootInfoExt {
  if (fdtPa % 8 !== 0) {
    panic(`Invalid device tree blob at physical address ${hex(fdtPa)}: the DTB must be 8-byte aligned`);
  }
  let tree: Fdt;
  try {
    tree = parseDtb(fdt, 'fdt');
  } catch (e) {
    if (e instanceof InputError) panic(`No valid device tree at ${hex(fdtPa)}: ${e.message}`);
    throw e;
  }
  const fdtSize = new DataView(fdt.buffer, fdt.byteOffset, fdt.byteLength).getUint32(4);
  if (fdtSize > MAX_FDT_SIZE) {
    panic(`Invalid device tree blob at physical address ${hex(fdtPa)}: totalsize ${hex(fdtSize)} exceeds 2 MB`);
  }
  return new Scanner(tree, fdtPa, fdtSize, copyFromPaddr, opts).run();
}

class Scanner {
  private readonly bi: BootInfoExt;
  private readonly log: string[] = [];
  private readonly resvd: MemBank[] = [];
  private readonly modules: BootModule[] = [];
  private kindGuess = 0;
  /** RAM banks with the node they came from, for messages. */
  private readonly ram: (MemBank & { node: string })[] = [];

  constructor(
    private readonly tree: Fdt,
    private readonly fdtPa: number,
    private readonly fdtSize: number,
    private readonly copyFromPaddr: (pa: number, len: number) => Uint8Array,
    private readonly opts: BootFdtOptions,
  ) {
    this.bi = {
      mem: [],
      reserved: [],
      staticHeap: [],
      modules: [],
      xenBootargs: '',
      domains: [],
      log: this.log,
      fdtSize,
      resvd: this.resvd,
    };
  }

  run(): BootInfoExt {
    const { bi } = this;
    if (this.opts.xenImage) {
      const x = this.opts.xenImage;
      this.addModule({ kind: 'xen', start: x.start, size: x.size, node: 'xen image' });
    }
    this.addModule({ kind: 'fdt', start: this.fdtPa, size: this.fdtSize, node: '/' });
    for (const r of this.tree.reserve) {
      if (r.size === 0) continue;
      this.reserve({ start: r.address, size: r.size, name: 'memreserve', kind: 'memreserve' });
    }
    this.walk(this.tree.root, '/', 0, 2, 1);

    if (this.ram.length === 0) {
      panic('No memory bank: the device tree has no /memory node with device_type = "memory" and a non-empty reg');
    }
    // setup_directmap_mappings() wants the lowest bank first; the DT need not be sorted.
    this.ram.sort((a, b) => a.start - b.start);
    for (let i = 1; i < this.ram.length; i++) {
      const a = this.ram[i - 1];
      const b = this.ram[i];
      if (overlaps(a, b)) {
        panic(`fdt: RAM bank ${range(b.start, b.size)} (${b.node}) overlaps RAM bank ${range(a.start, a.size)} (${a.node})`);
      }
    }
    bi.mem = this.ram.map(({ start, size }) => ({ start, size }));
    this.checkReserved();
    this.checkModules();
    bi.modules = this.modules;
    this.chooseCmdline();
    return bi;
  }

  // ---- the walk (device_tree_for_each_node + early_scan_node) -------------------------------

  private walk(node: FdtNode, path: string, depth: number, parentAc: number, parentSc: number): void {
    if (depth >= DEVICE_TREE_MAX_DEPTH) {
      this.log.push(`Warning: device tree node \`${node.name}' is nested too deep`);
      return;
    }
    const ac = this.u32Or(node, path, '#address-cells', parentAc);
    const sc = this.u32Or(node, path, '#size-cells', parentSc);
    if (depth > 0) this.scanNode(node, path, depth, parentAc, parentSc);
    for (const c of node.children) this.walk(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`, depth + 1, ac, sc);
  }

  private scanNode(node: FdtNode, path: string, depth: number, ac: number, sc: number): void {
    if (isMemoryNode(node, depth)) this.memoryNode(node, path, ac, sc);
    else if (depth === 1 && node.name === 'reserved-memory') this.reservedMemory(node, path);
    else if (depth <= 3 && (isCompatible(node, 'xen,multiboot-module') || isCompatible(node, 'multiboot,module')))
      this.multibootNode(node, path, ac, sc);
    else if (depth === 1 && nameMatches(node.name, 'chosen')) this.chosenNode(node, path, ac, sc);
    else if (depth === 2 && isCompatible(node, 'xen,domain')) this.domainNode(node, path, ac, sc);
  }

  private memoryNode(node: FdtNode, path: string, ac: number, sc: number): void {
    if (!isAvailable(node)) return;
    const banks = this.regOf(node, path, 'reg', ac, sc);
    if (!banks) return;
    let used = 0;
    banks.forEach((b, i) => {
      if (b.size === 0) {
        this.log.push(`fdt: node \`${path}': ignoring empty RAM bank ${i} at ${hex(b.start)}`);
        return;
      }
      used++;
      this.ram.push({ ...b, node: path });
    });
    if (used === 0) panic(`fdt: node \`${path}': every RAM bank in reg has size 0`);
  }

  private reservedMemory(rm: FdtNode, rmPath: string): void {
    // Xen walks /reserved-memory as a tree of its own: its children's cells come from
    // /reserved-memory (defaults 2 and 1), every descendant is looked at.
    const visit = (n: FdtNode, p: string, depth: number, ac: number, sc: number): void => {
      const myAc = this.u32Or(n, p, '#address-cells', ac);
      const mySc = this.u32Or(n, p, '#size-cells', sc);
      if (depth > 0 && isAvailable(n) && n.props.has('reg')) {
        for (const b of this.regOf(n, p, 'reg', ac, sc) ?? []) {
          if (b.size === 0) continue;
          this.reserve({ ...b, name: p, kind: 'reserved-memory', ...(n.props.has('no-map') ? { noMap: true } : {}) });
        }
      }
      for (const c of n.children) visit(c, `${p}/${c.name}`, depth + 1, myAc, mySc);
    };
    visit(rm, rmPath, 0, 2, 1);
  }

  private multibootNode(node: FdtNode, path: string, ac: number, sc: number): void {
    if (!path.startsWith('/chosen')) return;
    if (!node.props.has('reg')) panic(`node ${path} missing \`reg' property`);
    const reg = this.regOf(node, path, 'reg', ac, sc, true);
    const first = reg?.[0];
    if (!first) panic(`fdt: node \`${path}': \`reg\` property length is too short`);
    let kind = nodeToKind(node);
    if (kind === 'unknown') {
      // Xen's kind_guess: the first untyped module is the kernel, the second the ramdisk,
      // and from the second on an XSM policy is recognised by its magic.
      const guess = this.kindGuess++;
      if (guess === 0) kind = 'kernel';
      else if (guess === 1) kind = 'ramdisk';
      if (this.kindGuess > 1 && this.hasXsmMagic(first.start, path)) kind = 'xsm';
    }
    const parentPath = path.slice(0, path.lastIndexOf('/')) || '/';
    const parent = findByPath(this.tree.root, parentPath);
    const domain = parent && isCompatible(parent, 'xen,domain') ? parentPath : undefined;
    let cmdline: string | undefined;
    if (node.props.has('bootargs')) {
      cmdline = this.string(node, path, 'bootargs');
      if (cmdline.length > BOOTMOD_MAX_CMDLINE) panic(`module ${path} command line too long (${cmdline.length} > ${BOOTMOD_MAX_CMDLINE})`);
    }
    this.addModule({
      kind,
      start: first.start,
      size: first.size,
      node: path,
      ...(cmdline !== undefined ? { cmdline } : {}),
      ...(domain !== undefined ? { domain } : {}),
    });
  }

  private hasXsmMagic(pa: number, path: string): boolean {
    const b = this.copyFromPaddr(pa, 4);
    if (b.length < 4) panic(`has_xsm_magic: copy_from_paddr(${hex(pa)}, 4) for ${path} returned ${b.length} bytes`);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) === XSM_MAGIC;
  }

  private chosenNode(node: FdtNode, path: string, ac: number, sc: number): void {
    if (node.props.has('xen,static-heap')) {
      this.log.push('Checking for static heap in /chosen');
      for (const b of this.regOf(node, path, 'xen,static-heap', ac, sc) ?? []) {
        if (b.size === 0) continue;
        this.bi.staticHeap.push(b);
        this.resvd.push(b);
      }
    }
    this.log.push('Checking for initrd in /chosen');
    const startProp = node.props.get('linux,initrd-start');
    if (!startProp) return;
    const cell = (v: Uint8Array, prop: string): number => {
      if (v.length !== 4 && v.length !== 8) panic(`fdt: node \`${path}': ${prop} property has invalid length ${v.length}`);
      const dv = new DataView(v.buffer, v.byteOffset, v.length);
      return v.length === 4 ? dv.getUint32(0) : this.u64(dv.getUint32(0), dv.getUint32(4), path, prop);
    };
    const start = cell(startProp, 'linux,initrd-start');
    const endProp = node.props.get('linux,initrd-end');
    if (!endProp) panic(`fdt: node \`${path}': linux,initrd-end not present but -start was`);
    const end = cell(endProp, 'linux,initrd-end');
    if (start >= end) panic(`fdt: node \`${path}': linux,initrd limits invalid: ${paddr(start)} >= ${paddr(end)}`);
    this.log.push(`Initrd ${paddr(start)}-${paddr(end - 1)}`);
    this.addModule({ kind: 'ramdisk', start, size: end - start, node: `${path}/linux,initrd-start` });
  }

  private domainNode(node: FdtNode, path: string, ac: number, sc: number): void {
    if (path.startsWith('/chosen/')) this.bi.domains.push(path);
    this.log.push('Checking for "xen,static-mem" in domain node');
    if (!node.props.has('xen,static-mem')) return;
    for (const b of this.regOf(node, path, 'xen,static-mem', ac, sc) ?? []) {
      if (b.size > 0) this.reserve({ ...b, name: `${path}:xen,static-mem`, kind: 'static-mem' });
    }
  }

  // ---- modules and ranges ---------------------------------------------------------------------

  private reserve(r: ReservedBank): void {
    this.bi.reserved.push(r);
    this.resvd.push({ start: r.start, size: r.size });
  }

  private addModule(m: BootModule): void {
    if (this.modules.some((o) => o.kind === m.kind && o.start === m.start && o.size === m.size)) return;
    if (this.modules.length === MAX_MODULES) {
      panic(`Too many boot modules: ${m.node} would be number ${MAX_MODULES + 1} (MAX_MODULES = ${MAX_MODULES})`);
    }
    if (m.size === 0) panic(`fdt: node \`${m.node}': ${MODULE_KIND_NAME[m.kind]} module at ${hex(m.start)} has size 0`);
    this.modules.push(m);
  }

  /** Modules must lie in RAM and clash with nothing but an enclosing /memreserve/ entry. */
  private checkModules(): void {
    const mods = this.modules;
    mods.forEach((m, i) => {
      const what = `MODULE[${i}] ${MODULE_KIND_NAME[m.kind]} (${m.node}) ${range(m.start, m.size)}`;
      if (!inRam(this.bi.mem, m)) panic(`${what} is not inside RAM`);
      for (let j = 0; j < i; j++) {
        const o = mods[j];
        if (overlaps(m, o)) {
          panic(`Region: ${range(m.start, m.size)} (${m.node}) overlapping with mod[${j}]: ${range(o.start, o.size)} (${o.node})`);
        }
      }
      this.bi.reserved.forEach((r, k) => {
        if (!overlaps(m, r) || (r.kind === 'memreserve' && contains(r, m))) return;
        panic(`Region: ${range(m.start, m.size)} (${m.node}) overlapping with bank[${k}]: ${range(r.start, r.size)} (${r.name})`);
      });
    });
  }

  /** Reserved ranges may not overlap each other, except inside a /memreserve/ entry. */
  private checkReserved(): void {
    const rs = this.bi.reserved;
    for (let i = 0; i < rs.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = rs[i];
        const b = rs[j];
        if (!overlaps(a, b)) continue;
        if ((b.kind === 'memreserve' && contains(b, a)) || (a.kind === 'memreserve' && contains(a, b))) continue;
        panic(`Region: ${range(a.start, a.size)} (${a.name}) overlapping with bank[${j}]: ${range(b.start, b.size)} (${b.name})`);
      }
    }
  }

  /** boot_fdt_cmdline(): xen,xen-bootargs; else bootargs if dom0 has its own command line. */
  private chooseCmdline(): void {
    const chosen = findByPath(this.tree.root, '/chosen');
    const { bi } = this;
    bi.xenBootargsSource = 'none';
    if (!chosen) return;
    if (chosen.props.has('xen,xen-bootargs')) {
      bi.xenBootargs = this.string(chosen, '/chosen', 'xen,xen-bootargs');
      bi.xenBootargsSource = 'xen,xen-bootargs';
      return;
    }
    const dom0 = bi.modules.find((m) => m.kind === 'kernel' && m.domain === undefined);
    if ((chosen.props.has('xen,dom0-bootargs') || (dom0?.cmdline ?? '') !== '') && chosen.props.has('bootargs')) {
      bi.xenBootargs = this.string(chosen, '/chosen', 'bootargs');
      bi.xenBootargsSource = 'bootargs';
    }
  }

  // ---- property helpers: every failure is one panic line naming node and property -----------

  private u32Or(node: FdtNode, path: string, prop: string, fallback: number): number {
    const v = node.props.get(prop);
    if (!v) return fallback;
    if (v.length !== 4) panic(`fdt: node \`${path}': ${prop} is ${v.length} bytes, expected a 4-byte u32`);
    return new DataView(v.buffer, v.byteOffset, 4).getUint32(0);
  }

  private u64(hi: number, lo: number, path: string, prop: string): number {
    const v = hi * 2 ** 32 + lo;
    if (!Number.isSafeInteger(v)) panic(`fdt: node \`${path}': ${prop} value ${hex(BigInt(hi) * 2n ** 32n + BigInt(lo))} is beyond 2^53`);
    return v;
  }

  private string(node: FdtNode, path: string, prop: string): string {
    const v = node.props.get(prop)!;
    const nul = v.indexOf(0);
    if (nul < 0) panic(`fdt: node \`${path}': ${prop} is not a NUL-terminated string`);
    return new TextDecoder().decode(v.subarray(0, nul));
  }

  /**
   * A reg-shaped property as (start, size) pairs. `atLeastOne`: multiboot modules use only
   * the first entry, so trailing cells are tolerated there (Xen checks only the minimum).
   */
  private regOf(node: FdtNode, path: string, prop: string, ac: number, sc: number, atLeastOne = false): MemBank[] | undefined {
    const v = node.props.get(prop);
    if (!v) return undefined;
    if (ac < 1 || sc < 1 || ac > 4 || sc > 4) {
      panic(`fdt: node \`${path}': property \`${prop}': invalid #address-cells ${ac} or #size-cells ${sc}`);
    }
    const stride = (ac + sc) * 4;
    if (v.length % 4 !== 0 || (atLeastOne ? v.length < stride : v.length % stride !== 0)) {
      panic(`fdt: node \`${path}': property \`${prop}' is ${v.length} bytes, not a whole number of ${stride}-byte (address, size) entries`);
    }
    const dv = new DataView(v.buffer, v.byteOffset, v.length);
    const cells: number[] = [];
    for (let i = 0; i < v.length; i += 4) cells.push(dv.getUint32(i));
    const out: MemBank[] = [];
    for (let i = 0; i + ac + sc <= cells.length; i += ac + sc) {
      let start: number;
      let size: number;
      try {
        start = readCells(cells, i, ac, `${path}: ${prop}`);
        size = readCells(cells, i + ac, sc, `${path}: ${prop}`);
      } catch (e) {
        if (e instanceof InputError) panic(`fdt: node \`${path}': property \`${prop}' entry ${out.length}: ${e.what}`);
        throw e;
      }
      if (!Number.isSafeInteger(start + size)) panic(`fdt: node \`${path}': property \`${prop}' entry ${out.length} ends beyond 2^53`);
      out.push({ start, size });
      if (atLeastOne) break;
    }
    return out;
  }
}

// ---- small helpers ---------------------------------------------------------------------------

/** device_tree_node_matches(): "name" or "name@…", not "name-foo". */
function nameMatches(name: string, match: string): boolean {
  return name === match || name.startsWith(match + '@');
}

/** device_tree_node_is_available(): no status, or "ok"/"okay". */
function isAvailable(node: FdtNode): boolean {
  const v = node.props.get('status');
  if (!v) return true;
  const s = new TextDecoder().decode(v.subarray(0, v.indexOf(0) < 0 ? v.length : v.indexOf(0)));
  return s === 'ok' || s === 'okay';
}

/** device_tree_is_memory_node(): depth 1, named memory[@…], device_type = "memory". */
function isMemoryNode(node: FdtNode, depth: number): boolean {
  if (depth !== 1 || !nameMatches(node.name, 'memory')) return false;
  const t = node.props.get('device_type');
  return !!t && t.length > 6 && new TextDecoder().decode(t.subarray(0, 6)) === 'memory' && t[6] === 0;
}

/** fdt_node_to_kind(). */
function nodeToKind(node: FdtNode): BootModuleKind {
  if (isCompatible(node, 'xen,linux-zimage') || isCompatible(node, 'multiboot,kernel')) return 'kernel';
  if (isCompatible(node, 'xen,linux-initrd') || isCompatible(node, 'multiboot,ramdisk')) return 'ramdisk';
  if (isCompatible(node, 'xen,xsm-policy')) return 'xsm';
  if (isCompatible(node, 'multiboot,device-tree')) return 'guest-dtb';
  return 'unknown';
}

function findByPath(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root;
  for (const part of path.split('/').filter((s) => s !== '')) {
    n = n.children.find((c) => c.name === part) ?? (part.includes('@') ? undefined : n.children.find((c) => nameMatches(c.name, part)));
    if (!n) return undefined;
  }
  return n;
}

/** Whether [m.start, m.start + m.size) is covered by the (sorted) RAM banks. */
export function inRam(mem: readonly MemBank[], m: MemBank): boolean {
  let at = m.start;
  const end = m.start + m.size;
  for (const b of mem) {
    if (b.start <= at && at < b.start + b.size) at = b.start + b.size;
    if (at >= end) return true;
  }
  return false;
}

// ---- the log ---------------------------------------------------------------------------------

/**
 * The lines Xen prints during boot_fdt_info(): what the scan said, then early_print_info()'s
 * RAM / MODULE / RESVD / CMDLINE block — without the "(XEN) " prefix.
 */
export function bootInfoLog(bi: BootInfo): string[] {
  const ext = bi as BootInfoExt;
  const out = [...(ext.log ?? [])];
  for (const b of bi.mem) out.push(`RAM: ${paddr(b.start)} - ${paddr(b.start + b.size - 1)}`);
  out.push('');
  // MODULE ends are exclusive, as the reference Xen 4.17 prints them (Xen 4.20 switched to
  // inclusive ends, commit 96efb13459); RAM and RESVD ends are inclusive in both.
  bi.modules.forEach((m, i) => {
    out.push(`MODULE[${i}]: ${paddr(m.start)} - ${paddr(m.start + m.size)} ${MODULE_KIND_NAME[m.kind].padEnd(12)}`);
  });
  (ext.resvd ?? [...bi.reserved, ...bi.staticHeap]).forEach((r, i) => {
    out.push(` RESVD[${i}]: ${paddr(r.start)} - ${paddr(r.start + r.size - 1)}`);
  });
  out.push('');
  for (const m of bi.modules) {
    if (m.cmdline === undefined) continue;
    out.push(`CMDLINE[${paddr(m.start)}]:${parentName(m)} ${m.cmdline}`);
  }
  out.push('');
  return out;
}

/** Name of the module node's parent, Xen's dt_name for CMDLINE[] ("chosen", "domU1"). */
function parentName(m: BootModule): string {
  const parts = m.node.split('/').filter((s) => s !== '');
  return parts[parts.length - 2] ?? '';
}

/** start_xen's `Command line: %s` line (Xen's printk shows a NULL string as "<NULL>"). */
export function commandLineLog(bi: BootInfo): string {
  const ext = bi as BootInfoExt;
  return `Command line: ${ext.xenBootargsSource === 'none' ? '<NULL>' : bi.xenBootargs}`;
}
