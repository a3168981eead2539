// Boot page tables, the MMU switch-on and the TTBR switch (seed 002; xen-facts §1.2-1.3).
//
// createPageTables runs with the MMU off: it builds the boot hierarchy in the image's .data
// (static tables, written by PA) mapping the image at its link address with its final
// permissions (W^X from the first table), the shared fixmap table with the early UART in
// FIX_CONSOLE, and the one identity-mapped page holding the switch code at VA = PA.
// enableMmu turns translation on from that page; the head then branches to the link address
// and removes the identity mapping. setupPagetables builds the runtime hierarchy the same way
// and switchTtbr moves to it with the MMU off, as the Arm ARM requires (D8.16.1: a TTBR
// write with the MMU on swaps every translation at once, a break-before-make violation when
// old and new tables differ), from the identity page; then W^X is enforced (SCTLR_EL2.WXN).
import type { Xen } from '../../xen.js';
import { panic } from '../../panic.js';
import { SCTLR } from '../../../arch/sysreg/fields.js';
import { BOOT_PT_PAGES, XEN_PT_PAGES, type Section } from '../../image.js';
import { FIX_CONSOLE, PAGE_SIZE, fixmapAddr } from './layout.js';
import { INVALID_MFN, PtError, linkTable, xenPtUpdate, type PtOps } from './pt.js';
import { staticPtOps } from './mm.js';
import { PAGE_HYPERVISOR_NOCACHE, PAGE_HYPERVISOR_RO, PAGE_HYPERVISOR_RW, PAGE_HYPERVISOR_RX } from './pte.js';

/** The permissions each section is mapped with. */
export function sectionFlags(s: Section): number {
  if (s.exec) return PAGE_HYPERVISOR_RX;
  return s.write ? PAGE_HYPERVISOR_RW : PAGE_HYPERVISOR_RO;
}

/** Offset of an image symbol from _start. */
function symOff(xen: Xen, name: string): number {
  return xen.sym(name) - xen.image.linkAddr;
}

/** VA (= PA) of a .text.idmap symbol in the identity-mapped page. */
export function idmapVa(xen: Xen, name: string): number {
  return xen.idPa + symOff(xen, name);
}

function poolOps(xen: Xen, which: 'boot' | 'xen'): PtOps {
  const pool = xen.pa(which === 'boot' ? 'bootPgtablePool' : 'xenPgtablePool');
  const max = which === 'boot' ? BOOT_PT_PAGES : XEN_PT_PAGES;
  const root = which === 'boot' ? xen.bootRoot : xen.xenRoot;
  return staticPtOps(xen, root, () => {
    const used = which === 'boot' ? xen.bootPoolUsed++ : xen.xenPoolUsed++;
    if (used >= max) panic(`- Unable to build ${which} page tables: the static pool of ${max} tables is exhausted -`);
    return pool + used * PAGE_SIZE;
  });
}

function update(o: PtOps, va: number, pa: number, nr: number, flags: number): void {
  try {
    xenPtUpdate(o, va, pa, nr, flags);
  } catch (e) {
    if (e instanceof PtError) panic(`- Unable to build page tables: ${e.message} -`);
    throw e;
  }
}

/** Map the image's sections, the shared fixmap table and the identity page into a static hierarchy. */
function populateHierarchy(xen: Xen, o: PtOps): void {
  for (const s of xen.image.sections) {
    update(o, xen.image.linkAddr + s.offset, xen.loadPa + s.offset, s.size / PAGE_SIZE, sectionFlags(s));
  }
  linkTable(o, fixmapAddr(xen.layout, 0), 3, xen.pa('xenFixmap'));
}

/** create_page_tables (MMU off): the boot hierarchy in .data. */
export function createPageTables(xen: Xen, uartPa: number | null): void {
  xen.call('createPageTables', () => {
    const pool = xen.pa('bootPgtablePool');
    xen.bootRoot = pool;
    xen.bootPoolUsed = 1;
    // The pool is .data: zeroed by the loader's copy, but be explicit as head.S is.
    xen.cpu.zero(pool, BOOT_PT_PAGES * PAGE_SIZE);
    xen.cpu.zero(xen.pa('xenFixmap'), PAGE_SIZE);
    const o = poolOps(xen, 'boot');
    populateHierarchy(xen, o);
    if (uartPa !== null) update(o, fixmapAddr(xen.layout, FIX_CONSOLE), uartPa - (uartPa % PAGE_SIZE), 1, PAGE_HYPERVISOR_NOCACHE);
    if (xen.identity!.kind !== 'runtime' && !xen.knobs.omitIdentityMap) update(o, xen.idPa, xen.idPa, 1, PAGE_HYPERVISOR_RX);
  });
}

/** SCTLR_EL2 with the MMU off, as cpu_init leaves it: RES1 | SA | I. */
export const SCTLR_EL2_RES1 = 0x30c5_0830n;
export const SCTLR_EL2_SET = SCTLR_EL2_RES1 | BigInt(SCTLR.SA) | BigInt(SCTLR.I);

/** enable_mmu, run from the identity page: TLBI, TTBR0_EL2 = boot tables, SCTLR_EL2.{M,C}. */
export function enableMmu(xen: Xen): void {
  const cpu = xen.cpu;
  cpu.branch(idmapVa(xen, 'enableMmu'));
  cpu.tlbi('ALLE2');
  cpu.dsb();
  cpu.isb();
  cpu.writeSysreg('TTBR0_EL2', BigInt(xen.bootRoot));
  cpu.isb();
  xen.mmuOn = true;
  // From the next instruction on, the console reaches the UART through FIX_CONSOLE.
  if (xen.earlyUartVa !== null) xen.console.setUart(xen.earlyUartVa, false);
  cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET | BigInt(SCTLR.M | SCTLR.C));
  cpu.isb();
}

/** remove_identity_mapping: the identity page leaves the live tables (with TLB maintenance). */
export function removeIdentityMapping(xen: Xen, root: number): void {
  if (xen.identity!.kind === 'runtime') return;
  const o = staticPtOps(xen, root, () => panic('no table allocation while removing the identity map'));
  update(o, xen.idPa, INVALID_MFN, 1, 0);
}

/** setup_pagetables: build the runtime hierarchy, switch to it with the MMU off, enforce W^X. */
export function setupPagetables(xen: Xen): void {
  xen.call('setupPagetables', () => {
    const cpu = xen.cpu;
    const pool = xen.pa('xenPgtablePool');
    xen.xenRoot = pool;
    xen.xenPoolUsed = 1;
    const o = poolOps(xen, 'xen');
    populateHierarchy(xen, o);
    const id = xen.identity!;
    if (id.kind !== 'runtime') {
      // update_identity_mapping(true): the switch page in both hierarchies.
      update(o, xen.idPa, xen.idPa, 1, PAGE_HYPERVISOR_RX);
      update(poolOps(xen, 'boot'), xen.idPa, xen.idPa, 1, PAGE_HYPERVISOR_RX);
    }
    switchTtbr(xen, pool);
    if (id.kind !== 'runtime') {
      removeIdentityMapping(xen, pool);
      removeIdentityMapping(xen, xen.bootRoot);
    }
    // xen_pt_enforce_wnx: from here a writable page is never executable, in hardware too.
    cpu.writeSysreg('SCTLR_EL2', cpu.readSysreg('SCTLR_EL2') | BigInt(SCTLR.WXN));
    cpu.isb();
    cpu.tlbi('ALLE2');
    cpu.dsb();
    cpu.isb();
  });
}

/** switch_ttbr -> switch_ttbr_id: the TTBR swap with the MMU off, from the identity page. */
export function switchTtbr(xen: Xen, ttbr: number): void {
  xen.call('switchTtbr', () => {
    const cpu = xen.cpu;
    const ret = cpu.pc;
    cpu.branch(idmapVa(xen, 'switchTtbrId'));
    cpu.dsb();
    cpu.isb();
    const sctlr = cpu.readSysreg('SCTLR_EL2');
    cpu.writeSysreg('SCTLR_EL2', sctlr & ~BigInt(SCTLR.M));
    cpu.isb();
    cpu.tlbi('ALLE2');
    cpu.dsb();
    cpu.writeSysreg('TTBR0_EL2', BigInt(ttbr));
    cpu.isb();
    cpu.icInvalidateAll();
    cpu.isb();
    cpu.writeSysreg('SCTLR_EL2', sctlr);
    cpu.isb();
    cpu.branch(ret);
  });
}
