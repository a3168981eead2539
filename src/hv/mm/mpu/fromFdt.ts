// What the MPU planner needs from the host device tree, read the way the hypervisor reads it:
// bootFdtInfo for modules, static heap and xen,static-mem; the xen,domain nodes for direct-map
// and memory; /chosen stdout-path for the console UART; the GICv3 node for the distributor and
// redistributors; with a copyFromPaddr (the booting hypervisor's), passthrough MMIO from each
// domain's partial device tree. Every problem is one panic() line naming the node.
import {
  buildDtb,
  findNode,
  getCells,
  getReg,
  getString,
  getU32Or,
  isCompatible,
  parseDtb,
  readCells,
  type Fdt,
  type FdtNode,
} from '../../../fdt/dtb.js';
import { InputError, hex } from '../../../util/errors.js';
import type { MemBank } from '../../bootinfo.js';
import { bootFdtInfo, type BootInfoExt } from '../../bootfdt.js';
import { panic } from '../../panic.js';
import type { ImageSection } from './layout.js';
import type { DomainMem, MpuDevice } from './plan.js';

export interface FdtMpuInput {
  bootInfo: BootInfoExt;
  domains: DomainMem[];
  devices: MpuDevice[];
}

/** Run bootFdtInfo on `tree` as if its blob sat at `dtbAddr`, with the image `sections` as MODULE[0]. */
export function mpuInputFromFdt(tree: Fdt, dtbAddr: number, sections: readonly ImageSection[]): FdtMpuInput {
  const blob = buildDtb(tree);
  const start = Math.min(...sections.map((s) => s.start));
  const end = Math.max(...sections.map((s) => s.end));
  // Module payloads are not loaded when planning: an untyped module's XSM magic reads as zeros.
  const bi = bootFdtInfo(blob, dtbAddr, (_pa, len) => new Uint8Array(len), { xenImage: { start, size: end - start } });
  return { bootInfo: bi, ...mpuInputFromBootInfo(tree, bi) };
}

/**
 * The domains and devices for a tree bootFdtInfo has already scanned into `bi` — what the
 * booting hypervisor calls, having done its own bootFdtInfo at the real DTB address.
 */
export function mpuInputFromBootInfo(tree: Fdt, bi: BootInfoExt, copyFromPaddr?: CopyFromPaddr): Omit<FdtMpuInput, 'bootInfo'> {
  return guard(() => ({
    domains: bi.domains.map((p) => {
      const d = domainMem(tree, bi, p);
      const mmio = copyFromPaddr ? passthroughMmio(bi, p, copyFromPaddr) : [];
      return mmio.length > 0 ? { ...d, mmio } : d;
    }),
    devices: hypervisorDevices(tree),
  }));
}

export type CopyFromPaddr = (pa: number, len: number) => Uint8Array;

/**
 * Passthrough MMIO of a domain: the `xen,reg = <phys size guest>` entries of the /passthrough
 * node in its partial device tree (its multiboot,device-tree module; docs/misc/arm/passthrough.txt),
 * cells from the partial tree's root as Xen's domain_handle_dtb_bootmodule takes them. With
 * direct-map the guest address must be the physical one.
 */
export function passthroughMmio(bi: BootInfoExt, domain: string, copyFromPaddr: CopyFromPaddr): MemBank[] {
  const mod = bi.modules.find((m) => m.kind === 'guest-dtb' && m.domain === domain);
  if (!mod) return [];
  const where = `${domain}: partial device tree ${mod.node}`;
  let pfdt: Fdt;
  try {
    pfdt = parseDtb(copyFromPaddr(mod.start, mod.size), where);
  } catch (e) {
    if (e instanceof InputError) panic(e.message);
    throw e;
  }
  const pt = findNode(pfdt.root, '/passthrough');
  if (!pt) return [];
  const ac = getU32Or(pfdt.root, '#address-cells', 2);
  const sc = getU32Or(pfdt.root, '#size-cells', 1);
  const out: MemBank[] = [];
  for (const dev of pt.children) {
    if (!dev.props.has('xen,reg')) continue;
    const cells = getCells(dev, 'xen,reg');
    const stride = 2 * ac + sc;
    if (cells.length % stride !== 0) panic(`${where}: ${dev.name}: xen,reg has ${cells.length} cells, not a multiple of ${stride}`);
    for (let i = 0; i < cells.length; i += stride) {
      const at = `${where}: ${dev.name}: xen,reg`;
      const phys = readCells(cells, i, ac, at);
      const size = readCells(cells, i + ac, sc, at);
      const guest = readCells(cells, i + ac + sc, ac, at);
      if (guest !== phys) panic(`${at}: guest address ${hex(guest)} != physical ${hex(phys)}, but the domain is direct-mapped`);
      out.push({ start: phys, size });
    }
  }
  return out;
}

/** Turn a property-decoding InputError into the hypervisor's panic line. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError) panic(`fdt: ${e.message}`);
    throw e;
  }
}

function nodeAt(tree: Fdt, path: string): FdtNode {
  const n = findNode(tree.root, path);
  if (!n) panic(`fdt: no node ${path}`);
  return n;
}

/**
 * An MPU domain: xen,static-mem and direct-map are required (Xen dom0less-build.c for
 * v8r_el1_msa = "mpu": there is no stage-2 translation, so IPA = PA), and `memory` (KiB) must
 * equal the static banks' total, as Xen's static-memory.c checks.
 */
function domainMem(tree: Fdt, bi: BootInfoExt, path: string): DomainMem {
  const node = nodeAt(tree, path);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ram = bi.reserved
    .filter((r) => r.kind === 'static-mem' && r.name === `${path}:xen,static-mem`)
    .map(({ start, size }) => ({ start, size }));
  if (!node.props.has('xen,static-mem') || ram.length === 0)
    panic(`${path}: an MPU domain needs xen,static-mem (there is no stage-2 translation to give it heap memory)`);
  if (!node.props.has('direct-map'))
    panic(`${path}: an MPU domain needs direct-map (IPA = PA: the EL2 MPU checks addresses, it does not translate them)`);
  if (node.props.has('memory')) {
    const cells = getCells(node, 'memory');
    const kib = cells.reduce((v, c) => v * 2 ** 32 + c, 0);
    const total = ram.reduce((s, b) => s + b.size, 0);
    if (kib * 1024 !== total) panic(`${path}: memory = ${kib} KiB but xen,static-mem totals ${total / 1024} KiB`);
  }
  return { name, ram };
}

/** The console UART (/chosen stdout-path, through /aliases) and the GICv3 frames. */
function hypervisorDevices(tree: Fdt): MpuDevice[] {
  const out: MpuDevice[] = [];
  const chosen = findNode(tree.root, '/chosen');
  if (chosen?.props.has('stdout-path')) {
    let p = getString(chosen, 'stdout-path').split(':')[0];
    if (!p.startsWith('/')) {
      const aliases = findNode(tree.root, '/aliases');
      p = aliases?.props.has(p) ? getString(aliases, p) : p;
    }
    const uart = findNode(tree.root, p);
    if (!uart) panic(`fdt: /chosen stdout-path names ${p}, which is not in the tree`);
    const [reg] = getReg(parentOf(tree.root, uart), uart);
    if (!reg) panic(`fdt: ${p}: no reg`);
    out.push({ name: `UART ${p}`, start: reg.address, size: reg.size });
  }
  const gic = findCompatible(tree.root, 'arm,gic-v3');
  if (!gic) panic('Unable to find compatible GIC in the device tree');
  const regs = getReg(parentOf(tree.root, gic), gic);
  if (regs.length < 2) panic(`fdt: ${gic.name}: a GICv3 needs reg entries for the distributor and the redistributors`);
  out.push({ name: 'GICD', start: regs[0].address, size: regs[0].size });
  out.push({ name: 'GICR', start: regs[1].address, size: regs[1].size });
  return out;
}

function findCompatible(n: FdtNode, compat: string): FdtNode | undefined {
  if (isCompatible(n, compat)) return n;
  for (const c of n.children) {
    const f = findCompatible(c, compat);
    if (f) return f;
  }
  return undefined;
}

function parentOf(root: FdtNode, node: FdtNode): FdtNode {
  const walk = (n: FdtNode): FdtNode | undefined => {
    for (const c of n.children) {
      if (c === node) return n;
      const f = walk(c);
      if (f) return f;
    }
    return undefined;
  };
  return walk(root) ?? root;
}
