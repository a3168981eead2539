// What the head needs from the device tree before any page table exists: RAM banks (for the
// identity-map decision), the ranges a relocated identity page must not overwrite (the DTB,
// /chosen modules, /memreserve/ and /reserved-memory) and the console UART (/chosen
// stdout-path). Real Xen's head.S needs none of this because it never relocates and takes the
// early UART from Kconfig; we read it, with the MMU off, because the decision needs RAM.
// Errors are the hypervisor's: a panic naming what is wrong.
import { parseDtb, findNode, getReg, getString, baseName, isCompatible, type FdtNode } from '../fdt/dtb.js';
import { InputError } from '../util/errors.js';
import { panic } from './panic.js';
import type { PhysRange } from './mm/mmu/layout.js';

export interface EarlyFdt {
  banks: { start: number; size: number }[];
  /** DTB, modules and reserved ranges. */
  busy: PhysRange[];
  /** PA of the console UART registers, if /chosen names one. */
  uartPa: number | null;
  uartPath: string | null;
  /** Whether that UART node names its interrupt (Xen's pl011 driver refuses one that does not). */
  uartIrq: boolean;
}

export const FDT_MAGIC_BE = 0xd00dfeed;
/** Xen's limit for the boot FDT (MAX_FDT_SIZE, 2 MB). */
export const MAX_FDT_SIZE = 2 * 1024 * 1024;

/** Check the FDT header read from `fdtPa`; returns totalsize. */
export function fdtTotalSize(hdr: Uint8Array, fdtPa: number): number {
  const dv = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
  if (hdr.length < 8 || dv.getUint32(0) !== FDT_MAGIC_BE)
    return panic(`Invalid device tree blob at physical address 0x${fdtPa.toString(16)}: bad magic`);
  const size = dv.getUint32(4);
  if (size < 40 || size > MAX_FDT_SIZE)
    return panic(`Invalid device tree blob at physical address 0x${fdtPa.toString(16)}: totalsize ${size}`);
  return size;
}

export function parseFdtOrPanic(bytes: Uint8Array, fdtPa: number): { root: FdtNode; reserve: { address: number; size: number }[] } {
  try {
    const f = parseDtb(bytes, `DTB@0x${fdtPa.toString(16)}`);
    return { root: f.root, reserve: f.reserve };
  } catch (e) {
    if (e instanceof InputError) return panic(`Invalid device tree blob: ${e.message}`);
    throw e;
  }
}

/** The head's early scan of the blob (already copied out of RAM with the MMU off). */
export function earlyScan(bytes: Uint8Array, fdtPa: number): EarlyFdt {
  const { root, reserve } = parseFdtOrPanic(bytes, fdtPa);
  try {
    const banks: { start: number; size: number }[] = [];
    for (const c of root.children) {
      if (baseName(c.name) !== 'memory' && !(c.props.has('device_type') && getString(c, 'device_type') === 'memory')) continue;
      for (const r of getReg(root, c)) if (r.size > 0) banks.push({ start: r.address, size: r.size });
    }
    banks.sort((a, b) => a.start - b.start);
    const busy: PhysRange[] = [{ start: fdtPa, end: fdtPa + bytes.length }];
    for (const r of reserve) busy.push({ start: r.address, end: r.address + r.size });
    const chosen = findNode(root, '/chosen');
    if (chosen) {
      for (const m of chosen.children) {
        if (!isCompatible(m, 'multiboot,module') && !isCompatible(m, 'xen,xsm-policy')) continue;
        for (const r of getReg(chosen, m)) busy.push({ start: r.address, end: r.address + r.size });
      }
    }
    const resv = findNode(root, '/reserved-memory');
    if (resv)
      for (const c of resv.children)
        if (c.props.has('reg')) for (const r of getReg(resv, c)) busy.push({ start: r.address, end: r.address + r.size });
    let uartPa: number | null = null;
    let uartPath: string | null = null;
    let uartIrq = false;
    if (chosen?.props.has('stdout-path')) {
      uartPath = getString(chosen, 'stdout-path').split(':')[0];
      const node = uartPath.startsWith('/') ? findNode(root, uartPath) : undefined;
      const parentPath = uartPath.slice(0, uartPath.lastIndexOf('/')) || '/';
      const parent = findNode(root, parentPath);
      if (node && parent && node.props.has('reg')) uartPa = getReg(parent, node)[0]?.address ?? null;
      uartIrq = node !== undefined && (node.props.has('interrupts') || node.props.has('interrupts-extended'));
    }
    return { banks, busy, uartPa, uartPath, uartIrq };
  } catch (e) {
    if (e instanceof InputError) return panic(`Invalid device tree blob: ${e.message}`);
    throw e;
  }
}

/** MPIDRs of the /cpus/cpu@… nodes with device_type "cpu", in tree order (logical CPU ids). */
export function dtCpuMpidrs(bytes: Uint8Array, fdtPa: number): number[] {
  const { root } = parseFdtOrPanic(bytes, fdtPa);
  const cpus = findNode(root, '/cpus');
  if (!cpus) return [0];
  try {
    const out: number[] = [];
    for (const c of cpus.children) {
      if (!c.props.has('device_type') || getString(c, 'device_type') !== 'cpu') continue;
      const r = getReg(cpus, c)[0];
      if (r) out.push(r.address);
    }
    return out.length ? out : [0];
  } catch (e) {
    if (e instanceof InputError) return panic(`Invalid device tree blob: ${e.message}`);
    throw e;
  }
}
