// The hypervisor's memory-management interface (DESIGN.md §7): common code (setup.ts, the
// console, the GIC driver, later domain construction) maps, reads and frees memory only
// through these calls; the machine's profile picks the implementation — the MMU backend
// (EL2 stage-1 page tables, src/hv/mm/mmu) on Armv8-A, the MPU backend (EL2 MPU regions,
// no virtual addressing, src/hv/mm/mpu) on Armv8-R AArch64 (seed 000 §2.4: "it's not good to
// use #ifdef CONFIG_ARM_MPU to gate related code everywhere").
import type { Xen } from '../xen.js';
import type { EarlyFdt } from '../earlyfdt.js';
import type { Domain } from '../domain/domain.js';
import type { P2mType } from '../p2m/p2m.js';
import { MmuBackend } from './mmu/backend.js';
import { MpuBackend } from './mpu/backend.js';

/** ioremap_nocache / ioremap_wc / ioremap_cache. */
export type IoremapAttr = 'nocache' | 'wc' | 'cached';

export interface MmBackend {
  readonly name: 'mmu' | 'mpu';
  /**
   * head.S once the early banks and the console are known: turn the EL2 regime on (MMU: boot
   * page tables, identity map, enable_mmu; MPU: the boot-time region table), then `startXen`
   * (which zeroes .bss and runs start_xen: setup.ts).
   */
  head(xen: Xen, early: EarlyFdt, startXen: () => void): void;
  /** start_xen's first memory step: report the layout and install the runtime tables (MMU) or the plan (MPU). */
  setupPagetables(xen: Xen): void;
  /** early_fdt_map: where the DTB can be read from now. */
  earlyFdtMap(xen: Xen, fdtPa: number): number;
  /** copy_from_paddr: read physical memory nothing maps yet. */
  copyFromPaddr(xen: Xen, pa: number, len: number): Uint8Array;
  /** setup_directmap_mappings (MPU: none, PA = VA and only the static heap is allocatable). */
  setupDirectmap(xen: Xen, banks: { start: number; size: number }[]): void;
  vmInit(xen: Xen): void;
  ioremapAttr(xen: Xen, pa: number, len: number, attr: IoremapAttr): number;
  vmap(xen: Xen, pas: number[], attr: IoremapAttr): number;
  vunmap(xen: Xen, va: number, nr: number): void;
  mapDomainPage(xen: Xen, pa: number): number;
  unmapDomainPage(xen: Xen, va: number): void;
  /** A page the boot allocator must not get (MMU: a relocated switch page), or NaN. */
  bootAllocatorKeep(xen: Xen): number;
  /** update_identity_mapping: secondaries enter through the identity page (MMU) or by PA (MPU). */
  updateIdentityMapping(xen: Xen, on: boolean): void;
  /** PA a secondary CPU enters at (PSCI CPU_ON). */
  secondaryEntry(xen: Xen): number;
  /** enable_secondary_cpu_mm on the calling CPU. */
  enableSecondaryMm(xen: Xen): void;
  /**
   * The memory side of creating a domain (direct-mapped static memory on the MPU): lines to
   * report, or a panic when the domain cannot be created (MPU: regions do not fit).
   */
  domainMemory(xen: Xen, domain: string): string[];
  /**
   * p2m_init + allocate_memory for a new domain: its stage 2 (MMU: a root table and VMID; MPU:
   * its planned region window, direct-mapped IPA = PA) and its RAM (MMU: domheap pages mapped
   * at GUEST_RAM0_BASE; MPU: its xen,static-mem banks), scrubbed, recorded in `d.banks`.
   */
  p2mInit(xen: Xen, d: Domain): void;
  /** p2m_lookup: what guest address `ipa` of `d` is backed by, or null. */
  p2mLookup(xen: Xen, d: Domain, ipa: number): { pa: number; type: P2mType } | null;
  /**
   * p2m_restore_state on a context switch to `next` (`prev` = what this pCPU ran before, or
   * null; `next` null = the idle vCPU): MMU VTCR/VTTBR and the TLB flush; MPU the switch
   * writes of the region plan.
   */
  p2mLoad(xen: Xen, prev: Domain | null, next: Domain | null): void;
  /** free_init_memory: drop .init (MPU: and install the runtime configuration); kB freed. */
  freeInitMemory(xen: Xen): number;
  /**
   * dump_hyp_walk: what the EL2 regime says about `va`, for the trap dump (MMU: the table walk;
   * MPU: the EL2 regions that hold it).
   */
  dumpHypWalk(xen: Xen, va: number): string[];
  /**
   * What every other pCPU does once the boot CPU has freed .init, before any domain is
   * unpaused (init_done runs it by cross-call, smp.ts): MPU, install and check the runtime
   * table in its own EL2 MPU. Absent when there is nothing per CPU (MMU: the tables are shared).
   */
  freeInitMemoryOnCpu?(xen: Xen): void;
}

/** The backend for a PE of `profile` (Armv8-A: VMSA; Armv8-R AArch64: PMSA at EL2). */
export function mmBackendFor(profile: 'A' | 'R'): MmBackend {
  return profile === 'R' ? new MpuBackend() : new MmuBackend();
}
