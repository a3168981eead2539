// The MMU implementation of the memory-management interface (../backend.ts): the calls
// setup.ts made directly before the MPU backend existed, moved here unchanged — boot page
// tables, the identity map and enable_mmu at the head (arm64/head.S), the runtime tables,
// the fixmap, the directmap, VMAP.
import { paddr } from '../../format.js';
import type { Xen } from '../../xen.js';
import type { EarlyFdt } from '../../earlyfdt.js';
import type { IoremapAttr, MmBackend } from '../backend.js';
import { panic } from '../../panic.js';
import { decideIdentityMap, fixmapAddr, layoutLines, layoutSelfChecks, FIX_CONSOLE, MB, PAGE_SIZE } from './layout.js';
import { createPageTables, enableMmu, removeIdentityMapping, setupPagetables, SCTLR_EL2_SET } from './switch.js';
import {
  copyFromPaddr,
  destroyXenMappings,
  ioremapAttr,
  IOREMAP_FLAGS,
  mapDomainPage,
  mapPagesToXen,
  setupDirectmapMappings,
  staticPtOps,
  unmapDomainPage,
  vmap,
  vmInit,
  vunmap,
} from './mm.js';
import { PtError, xenPtUpdate } from './pt.js';
import { dumpHypWalk } from './dumpWalk.js';
import { MAIRVAL, PAGE_HYPERVISOR_RO, PAGE_HYPERVISOR_RX, _PAGE_BLOCK } from './pte.js';
import { SCTLR } from '../../../arch/sysreg/fields.js';
import type { Domain } from '../../domain/domain.js';
import { allocateDomheapMemory, allocateStaticMemory } from '../../domain/domain.js';
import { p2mInit, p2mLookup, VTCR_EL2_VALUE, vttbrOf, type P2mType } from '../../p2m/p2m.js';

const hx = (n: number): string => '0x' + n.toString(16);

/** TCR_EL2: RES1 (31, 23), T0SZ = 16, IRGN0/ORGN0 = WBWA, SH0 = Inner Shareable, PS from PARange. */
function tcrEl2(parange: number): bigint {
  const ps = Math.min(parange, 5);
  return (1n << 31n) | (1n << 23n) | 16n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (BigInt(ps) << 16n);
}

/** cpu_init: MAIR, TCR and SCTLR_EL2 with the MMU still off. */
function cpuInitRegs(xen: Xen): void {
  const cpu = xen.cpu;
  cpu.writeSysreg('MAIR_EL2', MAIRVAL);
  cpu.writeSysreg('TCR_EL2', tcrEl2(Number(cpu.readSysreg('ID_AA64MMFR0_EL1') & 0xfn)));
  cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET);
}

export class MmuBackend implements MmBackend {
  readonly name = 'mmu' as const;

  head(xen: Xen, early: EarlyFdt, startXen: () => void): void {
    const cpu = xen.cpu;
    if (!xen.image.layout) panic('this image is linked for the MPU (no XEN_VIRT_START); an Armv8-A PE needs an MMU image');
    xen.call('cpuInit', () => {
      xen.console.raw('- Initialize CPU -');
      cpuInitRegs(xen);
      cpu.isb();
    });

    const image = { start: xen.loadPa, end: xen.loadPa + xen.image.size };
    const d = decideIdentityMap(xen.layout, { image, banks: early.banks, avoid: early.busy });
    xen.identity = d;
    if (d.kind === 'clash') {
      xen.console.raw('- Unable to build boot page tables - virt and phys addresses clash. -');
      panic(d.log);
    }
    xen.idPa = d.idPa;
    if (d.kind === 'trampoline') {
      // Temporary relocation of the switch page (MMU off: a PA to PA copy).
      cpu.copyTo(d.idPa, cpu.copyFrom(xen.loadPa, PAGE_SIZE));
    }
    // Vectors live in the identity page, so a fault before the switch to the link address is
    // still reported.
    cpu.writeSysreg('VBAR_EL2', BigInt(xen.idPa + (xen.sym('hypTrapsVector') - xen.image.linkAddr)));

    createPageTables(xen, early.uartPa);
    if (early.uartPa !== null) xen.earlyUartVa = fixmapAddr(xen.layout, FIX_CONSOLE) + (early.uartPa % PAGE_SIZE);
    xen.console.raw('- Turning on paging -');
    enableMmu(xen);
    xen.call('primarySwitched', () => {
      // After the MMU is on: leave the identity page for the link address.
      xen.console.raw('- Paging turned on -');
      removeIdentityMapping(xen, xen.bootRoot);
      cpu.writeSysreg('VBAR_EL2', BigInt(xen.sym('hypTrapsVector')));
      startXen();
    });
  }

  setupPagetables(xen: Xen): void {
    xen.call('layoutSelfCheck', () => {
      const bad = layoutSelfChecks(xen.layout, xen.image.size);
      if (bad.length) panic(`layout self-check failed: ${bad.join('; ')}`);
    });
    for (const l of layoutLines(xen.layout)) xen.printk(l);
    xen.printk(
      `Xen image: ${paddr(xen.loadPa)} - ${paddr(xen.loadPa + xen.image.size)} linked at ${paddr(xen.image.linkAddr)} ` +
        `(phys_offset ${xen.physOffset < 0 ? '-' : ''}${hx(Math.abs(xen.physOffset))})`,
    );
    xen.printk(xen.identity!.log);
    setupPagetables(xen);
    xen.printk('Switched to the runtime page tables with the MMU off; W^X enforced (SCTLR_EL2.WXN)');
  }

  /** early_fdt_map: the DTB at BOOT_FDT_VIRT_START, read-only, with 2 MB blocks. */
  earlyFdtMap(xen: Xen, fdtPa: number): number {
    if (fdtPa % 8 !== 0) panic(`Invalid device tree blob at physical address ${hx(fdtPa)}: not 8-byte aligned`);
    const base = fdtPa - (fdtPa % (2 * MB));
    // The FDT's L2 entries are in the static runtime tables (xen_second): mapped the way the
    // early open-coded create_mappings did, independent of how xenMapTable reaches other tables.
    const o = staticPtOps(xen, xen.xenRoot, () => panic('earlyFdtMap needs no new table'));
    try {
      xenPtUpdate(o, xen.layout.bootFdtStart, base, (4 * MB) / PAGE_SIZE, PAGE_HYPERVISOR_RO | _PAGE_BLOCK);
    } catch (e) {
      if (e instanceof PtError) panic(`earlyFdtMap: ${e.message}`);
      throw e;
    }
    return xen.layout.bootFdtStart + (fdtPa - base);
  }

  copyFromPaddr(xen: Xen, pa: number, len: number): Uint8Array {
    return copyFromPaddr(xen, pa, len);
  }

  setupDirectmap(xen: Xen, banks: { start: number; size: number }[]): void {
    setupDirectmapMappings(xen, banks);
  }

  vmInit(xen: Xen): void {
    vmInit(xen);
  }

  ioremapAttr(xen: Xen, pa: number, len: number, attr: IoremapAttr): number {
    return ioremapAttr(xen, pa, len, attr);
  }

  vmap(xen: Xen, pas: number[], attr: IoremapAttr): number {
    return vmap(xen, pas, IOREMAP_FLAGS[attr]);
  }

  vunmap(xen: Xen, va: number, nr: number): void {
    vunmap(xen, va, nr);
  }

  mapDomainPage(xen: Xen, pa: number): number {
    return mapDomainPage(xen, pa);
  }

  unmapDomainPage(xen: Xen, va: number): void {
    unmapDomainPage(xen, va);
  }

  bootAllocatorKeep(xen: Xen): number {
    return xen.identity!.kind === 'trampoline' ? xen.idPa : NaN;
  }

  updateIdentityMapping(xen: Xen, on: boolean): void {
    if (xen.identity!.kind === 'runtime') return;
    if (on) mapPagesToXen(xen, xen.idPa, xen.idPa, 1, PAGE_HYPERVISOR_RX);
    else destroyXenMappings(xen, xen.idPa, xen.idPa + PAGE_SIZE);
  }

  secondaryEntry(xen: Xen): number {
    return xen.idPa + (xen.sym('initSecondary') - xen.image.linkAddr);
  }

  /** cpu_init, then the MMU on straight onto the shared runtime tables with WXN from the start. */
  enableSecondaryMm(xen: Xen): void {
    const cpu = xen.cpu;
    cpuInitRegs(xen);
    cpu.writeSysreg('VBAR_EL2', BigInt(xen.idPa + (xen.sym('hypTrapsVector') - xen.image.linkAddr)));
    cpu.tlbi('ALLE2');
    cpu.dsb();
    cpu.isb();
    cpu.writeSysreg('TTBR0_EL2', BigInt(xen.xenRoot));
    cpu.isb();
    cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET | BigInt(SCTLR.M | SCTLR.C | SCTLR.WXN));
    cpu.isb();
  }

  domainMemory(): string[] {
    return [];
  }

  p2mInit(xen: Xen, d: Domain): void {
    // VMID 0 is INVALID_VMID in Xen; domain ids start at 1 for domUs, so VMID = domid.
    d.p2m = p2mInit(xen, d.id);
    if (d.staticMem?.length) allocateStaticMemory(xen, d);
    else allocateDomheapMemory(xen, d);
  }

  p2mLookup(xen: Xen, d: Domain, ipa: number): { pa: number; type: P2mType } | null {
    return d.p2m ? p2mLookup(xen, d.p2m, ipa) : null;
  }

  p2mLoad(xen: Xen, prev: Domain | null, next: Domain | null): void {
    const cpu = xen.cpu;
    // The idle vCPU runs no EL1 code: the last stage 2 may stay (Xen leaves VTTBR alone too).
    if (!next) return;
    if (!next.p2m) panic(`d${next.id} has no p2m`);
    cpu.writeSysreg('VTCR_EL2', VTCR_EL2_VALUE);
    cpu.writeSysreg('VTTBR_EL2', vttbrOf(next.p2m));
    cpu.isb();
    // flush_guest_tlb_local: another vCPU of this VMID may have run here with other stage-1 state.
    cpu.tlbi('VMALLS12E1IS');
    cpu.dsb();
    void prev;
  }

  dumpHypWalk(xen: Xen, va: number): string[] {
    return dumpHypWalk(xen, va);
  }

  freeInitMemory(xen: Xen): number {
    const it = xen.image.section('.init.text');
    const id = xen.image.section('.init.data');
    const start = xen.image.linkAddr + it.offset;
    const end = xen.image.linkAddr + id.offset + id.size;
    destroyXenMappings(xen, start, end);
    return (end - start) / 1024;
  }
}
