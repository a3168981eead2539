// TEMPORARY (until the hvboot branch merges src/hv/bootfdt.ts): a minimal bootFdtInfo with
// the same signature — memory banks, /memreserve/ and /reserved-memory, /chosen modules with
// Xen's multiboot bindings, xen,xen-bootargs — including the one piece this branch's seed 003
// scenario needs: has_xsm_magic, which reads a module's first word through copyFromPaddr. The
// lead replaces calls to tempBootFdtInfo / tempBootInfoLog with bootFdtInfo / bootInfoLog.
import { baseName, findNode, getReg, getString, getStringList, isCompatible } from '../fdt/dtb.js';
import { InputError } from '../util/errors.js';
import type { BootInfo, BootModule, BootModuleKind } from './bootinfo.js';
import { parseFdtOrPanic } from './earlyfdt.js';
import { panic } from './panic.js';

/** XSM_MAGIC (xen/include/xsm/xsm.h): the first word of a FLASK policy. */
export const XSM_MAGIC = 0xf97cff8c;

const COMPAT_KIND: [string, BootModuleKind][] = [
  ['multiboot,kernel', 'kernel'],
  ['multiboot,ramdisk', 'ramdisk'],
  ['multiboot,device-tree', 'guest-dtb'],
  ['xen,xsm-policy', 'xsm'],
];

export function tempBootFdtInfo(fdt: Uint8Array, fdtPa: number, copyFromPaddr: (pa: number, len: number) => Uint8Array): BootInfo {
  const { root, reserve } = parseFdtOrPanic(fdt, fdtPa);
  const bi: BootInfo = { mem: [], reserved: [], staticHeap: [], modules: [], xenBootargs: '', domains: [] };
  try {
    for (const c of root.children) {
      if (baseName(c.name) !== 'memory') continue;
      for (const r of getReg(root, c)) if (r.size > 0) bi.mem.push({ start: r.address, size: r.size });
    }
    if (bi.mem.length === 0) panic('No memory bank found in the device tree (/memory)');
    bi.mem.sort((a, b) => a.start - b.start);
    for (let i = 1; i < bi.mem.length; i++) {
      if (bi.mem[i].start < bi.mem[i - 1].start + bi.mem[i - 1].size) panic(`Memory banks overlap at 0x${bi.mem[i].start.toString(16)}`);
    }
    for (const r of reserve) bi.reserved.push({ start: r.address, size: r.size, name: 'memreserve' });
    const chosen = findNode(root, '/chosen');
    if (chosen) {
      if (chosen.props.has('xen,xen-bootargs')) bi.xenBootargs = getString(chosen, 'xen,xen-bootargs');
      else if (chosen.props.has('bootargs')) bi.xenBootargs = getString(chosen, 'bootargs');
      let generic = 0;
      for (const m of chosen.children) {
        if (!m.props.has('compatible')) continue;
        const compat = getStringList(m, 'compatible');
        if (isCompatible(m, 'xen,domain')) {
          bi.domains.push(`/chosen/${m.name}`);
          continue;
        }
        if (!compat.includes('multiboot,module') && !compat.includes('xen,xsm-policy')) continue;
        const [r] = getReg(chosen, m);
        if (!r) panic(`/chosen/${m.name}: module without reg`);
        let kind: BootModuleKind = COMPAT_KIND.find(([c]) => compat.includes(c))?.[1] ?? 'unknown';
        if (kind === 'unknown') {
          // early_scan_node -> has_xsm_magic: a generic module may be the XSM policy.
          if (new DataView(copyFromPaddr(r.address, 4).buffer).getUint32(0, true) === XSM_MAGIC) kind = 'xsm';
          else kind = generic++ === 0 ? 'kernel' : 'ramdisk';
        }
        const inRam = bi.mem.some((b) => r.address >= b.start && r.address + r.size <= b.start + b.size);
        if (!inRam)
          panic(`Boot module /chosen/${m.name} [0x${r.address.toString(16)}, 0x${(r.address + r.size).toString(16)}) is outside RAM`);
        const mod: BootModule = { kind, start: r.address, size: r.size, node: `/chosen/${m.name}` };
        if (m.props.has('bootargs')) mod.cmdline = getString(m, 'bootargs');
        bi.modules.push(mod);
      }
    }
  } catch (e) {
    if (e instanceof InputError) panic(`Invalid device tree blob: ${e.message}`);
    throw e;
  }
  return bi;
}

const KIND_NAME: Record<BootModuleKind, string> = {
  xen: 'Xen',
  fdt: 'Device Tree',
  kernel: 'Kernel',
  ramdisk: 'Ramdisk',
  xsm: 'XSM',
  'guest-dtb': 'DTB',
  unknown: 'Unknown',
};

const h16 = (n: number): string => n.toString(16).padStart(16, '0');

export function tempBootInfoLog(bi: BootInfo): string[] {
  const out = bi.mem.map((b) => `RAM: ${h16(b.start)} - ${h16(b.start + b.size - 1)}`);
  out.push('');
  bi.modules.forEach((m, i) => out.push(`MODULE[${i}]: ${h16(m.start)} - ${h16(m.start + m.size)} ${KIND_NAME[m.kind].padEnd(12)}`));
  return out;
}
