/**
 * The boot loader for the hypervisor (what U-Boot, QEMU's -kernel + guest-loader, or GRUB do
 * for Xen on Arm): place the hypervisor image, its boot modules and the device tree in RAM,
 * describe the modules in /chosen with Xen's multiboot bindings
 * (docs/misc/arm/device-tree/booting.txt; /work/shared/reference/dom0less-example.dts) and
 * enter the boot CPU at EL2, MMU off, x0 = DTB.
 *
 *   direct  image at the load address (default: first RAM bank + 2 MB, QEMU's rule for an
 *           arm64 Image with text_offset 0), DTB at the next 2 MB boundary after it, modules
 *           2 MB-aligned after the DTB (as QEMU's guest-loader addresses are given).
 *   grub    image and DTB as above; modules from the top of the highest RAM bank downwards,
 *           page aligned — "anywhere in RAM", outside any early mapping (seed 003).
 *
 * Loaders are firmware: they write RAM directly. Bad input (a load address outside RAM or
 * misaligned, things that do not fit) is an InputError.
 */
import { InputError, hex } from '../../util/errors.js';
import {
  buildDtb,
  cloneNode,
  ensureNode,
  fdtNode,
  setCells,
  setEmpty,
  setReg,
  setString,
  setStringList,
  type FdtNode,
} from '../../fdt/dtb.js';

const MiB = 1024 * 1024;
const PAGE = 4096;

export type XenModuleKind = 'kernel' | 'ramdisk' | 'device-tree' | 'xsm' | 'module';

export interface XenBootModule {
  kind: XenModuleKind;
  data: Uint8Array;
  name: string;
  /** bootargs of the module node (kernels). */
  cmdline?: string;
}

/** A dom0less domain: a /chosen child compatible "xen,domain" (Xen's bindings) with its kernel. */
export interface XenDomainSpec {
  /** Node name under /chosen (domU1, …). */
  name: string;
  /** memory, in KiB. */
  memKb: number;
  cpus: number;
  vpl011: boolean;
  kernel: XenBootModule;
  /** More modules of the domain (a "device-tree" one: its partial device tree for passthrough). */
  modules?: XenBootModule[];
  /** armvisor,mmu-off-policy (seed 001: none, seed, xen); absent = the hypervisor's default. */
  mmuOffPolicy?: string;
}

export interface XenBootInput {
  banks: { start: number; size: number }[];
  image: Uint8Array;
  /** Image size including .bss (the header's image_size). */
  imageSize: number;
  loadAddr?: number;
  loader: 'direct' | 'grub';
  dtb: FdtNode;
  modules?: XenBootModule[];
  /** /chosen xen,xen-bootargs. */
  xenBootargs?: string;
  /** dom0less domains; their kernels are placed after the top-level modules. */
  domains?: XenDomainSpec[];
  /** Replace the DTB blob as placed (tests: truncated or corrupted blobs). */
  editDtb?: (blob: Uint8Array) => Uint8Array;
}

export interface XenBootPlan {
  loads: { addr: number; data: Uint8Array; what: string }[];
  entry: number;
  x0: number;
  dtbAddr: number;
  modules: { kind: XenModuleKind; start: number; size: number; name: string }[];
  tree: FdtNode;
}

const COMPAT: Record<XenModuleKind, string[]> = {
  kernel: ['multiboot,kernel', 'multiboot,module'],
  ramdisk: ['multiboot,ramdisk', 'multiboot,module'],
  'device-tree': ['multiboot,device-tree', 'multiboot,module'],
  xsm: ['xen,xsm-policy', 'multiboot,module'],
  module: ['multiboot,module'],
};

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

function inRam(banks: XenBootInput['banks'], start: number, size: number): boolean {
  return banks.some((b) => start >= b.start && start + size <= b.start + b.size);
}

export function planXenBoot(input: XenBootInput): XenBootPlan {
  const banks = [...input.banks].sort((a, b) => a.start - b.start);
  if (banks.length === 0) throw new InputError('board', 'no RAM');
  const load = input.loadAddr ?? banks[0].start + 2 * MiB;
  if (load % PAGE !== 0) throw new InputError('--load-addr', `${hex(load)} is not 4 KiB aligned (Xen must be loaded at a page boundary)`);
  if (!inRam(banks, load, input.imageSize)) {
    throw new InputError('--load-addr', `the hypervisor image [${hex(load)}, ${hex(load + input.imageSize)}) is not inside one RAM bank`);
  }
  const loads: XenBootPlan['loads'] = [{ addr: load, data: input.image, what: 'xen' }];
  const bankOf = banks.find((b) => load >= b.start && load < b.start + b.size)!;
  const tree = cloneNode(input.dtb);
  const chosen = ensureNode(tree, '/chosen');
  if (input.xenBootargs !== undefined) setString(chosen, 'xen,xen-bootargs', input.xenBootargs);
  setCells(chosen, '#address-cells', [2]);
  setCells(chosen, '#size-cells', [2]);

  // Modules: placed first (their nodes go into the DTB, whose size they change).
  const placed: XenBootPlan['modules'] = [];
  const dtbReserve = 2 * MiB;
  let cursor = alignUp(load + input.imageSize, 2 * MiB) + dtbReserve;
  let top = banks[banks.length - 1].start + banks[banks.length - 1].size;
  const all: { m: XenBootModule; parent: FdtNode }[] = (input.modules ?? []).map((m) => ({ m, parent: chosen }));
  for (const d of input.domains ?? []) {
    const node = fdtNode(d.name);
    setStringList(node, 'compatible', ['xen,domain']);
    setCells(node, '#address-cells', [2]);
    setCells(node, '#size-cells', [2]);
    setCells(node, 'memory', [Math.floor(d.memKb / 2 ** 32), d.memKb % 2 ** 32]);
    setCells(node, 'cpus', [d.cpus]);
    if (d.vpl011) setEmpty(node, 'vpl011');
    if (d.mmuOffPolicy !== undefined) setString(node, 'armvisor,mmu-off-policy', d.mmuOffPolicy);
    chosen.children.push(node);
    all.push({ m: d.kernel, parent: node });
    for (const m of d.modules ?? []) all.push({ m, parent: node });
  }
  for (const { m, parent } of all) {
    let addr: number;
    if (input.loader === 'direct') {
      addr = cursor;
      cursor = alignUp(addr + m.data.length, 2 * MiB);
    } else {
      addr = Math.floor((top - m.data.length) / PAGE) * PAGE;
      top = addr;
    }
    if (!inRam(banks, addr, m.data.length)) throw new InputError(m.name, `boot module does not fit in RAM (it would be at ${hex(addr)})`);
    loads.push({ addr, data: m.data, what: `module ${m.name}` });
    placed.push({ kind: m.kind, start: addr, size: m.data.length, name: m.name });
    const node = fdtNode(`module@${addr.toString(16)}`);
    setStringList(node, 'compatible', COMPAT[m.kind]);
    setReg(node, 'reg', [{ address: addr, size: m.data.length }], 2, 2);
    if (m.cmdline !== undefined) setString(node, 'bootargs', m.cmdline);
    parent.children.push(node);
  }
  const built = buildDtb({ root: tree, reserve: [], bootCpuidPhys: 0 });
  const blob = input.editDtb ? input.editDtb(built) : built;
  if (blob.length > dtbReserve) throw new InputError('dtb', `device tree of ${blob.length} bytes exceeds the 2 MB Xen maps for it`);
  const dtbAddr = alignUp(load + input.imageSize, 2 * MiB);
  if (!inRam([bankOf], dtbAddr, blob.length))
    throw new InputError('dtb', `no room for the device tree after the image (at ${hex(dtbAddr)})`);
  loads.push({ addr: dtbAddr, data: blob, what: 'dtb' });
  loads.sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < loads.length; i++) {
    const a = loads[i - 1];
    if (loads[i].addr < a.addr + a.data.length) throw new InputError('loader', `${a.what} overlaps ${loads[i].what}`);
  }
  return { loads, entry: load, x0: dtbAddr, dtbAddr, modules: placed, tree };
}
