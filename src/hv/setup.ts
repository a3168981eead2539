// The start of day: head (arm64/head.S: entered at _start with the MMU off, x0 = DTB) and
// startXen (arm/setup.c start_xen), as the sequence of routines a Xen engineer expects. Each
// runs at its symbol (the notional PC), so where it runs from matters: the head's page-table
// code runs from .init.text by PA with the MMU off, enableMmu and the TTBR switch from the
// identity-mapped .text.idmap page, startXen from .init.text, initDone from .text after .init
// has been unmapped.
import type { Xen } from './xen.js';
import { SystemState } from './xen.js';
import { panic } from './panic.js';
import { decideIdentityMap, fixmapAddr, layoutLines, layoutSelfChecks, FIX_CONSOLE, MB, PAGE_SIZE } from './mm/mmu/layout.js';
import { createPageTables, enableMmu, removeIdentityMapping, setupPagetables, SCTLR_EL2_SET } from './mm/mmu/switch.js';
import { copyFromPaddr, destroyXenMappings, ioremapAttr, mapPagesToXen, setupDirectmapMappings, staticPtOps, vmInit } from './mm/mmu/mm.js';
import { PtError, xenPtUpdate } from './mm/mmu/pt.js';
import { MAIRVAL, PAGE_HYPERVISOR_RO, PAGE_HYPERVISOR_RX, _PAGE_BLOCK } from './mm/mmu/pte.js';
import { SCTLR } from '../arch/sysreg/fields.js';
import { dtCpuMpidrs, earlyScan, fdtTotalSize, type EarlyFdt } from './earlyfdt.js';
import { BootAllocator, populateBootAllocator } from './mm/bootAllocator.js';
import { Heap } from './mm/pageAlloc.js';
import { bootFdtInfo, bootInfoLog, commandLineLog } from './bootfdt.js';
import type { BootInfo } from './bootinfo.js';
import { createDomUs } from './domain/dom0less.js';
import { gicv3Init } from './gicv3.js';

const h16 = (n: number): string => n.toString(16).padStart(16, '0');
const hx = (n: number): string => '0x' + n.toString(16);

/** PSCI SYSTEM_OFF (SMC32 function ID). */
const PSCI_SYSTEM_OFF = 0x8400_0008;

/** TCR_EL2: RES1 (31, 23), T0SZ = 16, IRGN0/ORGN0 = WBWA, SH0 = Inner Shareable, PS from PARange. */
function tcrEl2(parange: number): bigint {
  const ps = Math.min(parange, 5);
  return (1n << 31n) | (1n << 23n) | 16n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (BigInt(ps) << 16n);
}

/** _start: the boot CPU's entry (MMU off, x0 = DTB PA). */
export function head(xen: Xen): void {
  const cpu = xen.cpu;
  xen.loadPa = cpu.pc;
  xen.physOffset = xen.loadPa - xen.image.linkAddr;
  xen.fdtPa = cpu.x(0);

  const early = xen.call('earlyMemoryBanks', () => {
    const hdr = cpu.copyFrom(xen.fdtPa, 8);
    return earlyScan(cpu.copyFrom(xen.fdtPa, fdtTotalSize(hdr, xen.fdtPa)), xen.fdtPa);
  });
  if (early.uartPa !== null) xen.console.setUart(early.uartPa, true);
  if (early.banks.length === 0) panic('No memory bank found in the device tree (/memory)');
  xen.console.raw('- Boot CPU booting -');
  xen.console.raw(`- Current EL ${h16(Number(cpu.readSysreg('CurrentEL')))} -`);

  xen.call('cpuInit', () => {
    xen.console.raw('- Initialize CPU -');
    cpu.writeSysreg('MAIR_EL2', MAIRVAL);
    cpu.writeSysreg('TCR_EL2', tcrEl2(Number(cpu.readSysreg('ID_AA64MMFR0_EL1') & 0xfn)));
    cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET);
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
  xen.call('primarySwitched', () => primarySwitched(xen, early));
  // Secondary CPUs are coming up: the boot CPU waits in cpuUpWait (a native-call spin loop,
  // so the machine runs the other PEs meanwhile).
  if (xen.waitingFor.length) cpu.setPc(xen.sym('cpuUpWait'));
}

/** After the MMU is on: leave the identity page for the link address. */
function primarySwitched(xen: Xen, early: EarlyFdt): void {
  const cpu = xen.cpu;
  xen.console.raw('- Paging turned on -');
  removeIdentityMapping(xen, xen.bootRoot);
  cpu.writeSysreg('VBAR_EL2', BigInt(xen.sym('hypTrapsVector')));
  xen.call('zeroBss', () => {
    xen.console.raw('- Zero BSS -');
    const bss = xen.image.section('.bss');
    cpu.zero(xen.image.linkAddr + bss.offset, bss.size);
  });
  xen.console.raw('- Ready -');
  startXen(xen, early);
}

/** start_xen. */
export function startXen(xen: Xen, early: EarlyFdt): void {
  xen.call('startXen', () => {
    const cpu = xen.cpu;
    xen.call('layoutSelfCheck', () => {
      const bad = layoutSelfChecks(xen.layout, xen.image.size);
      if (bad.length) panic(`layout self-check failed: ${bad.join('; ')}`);
    });
    for (const l of layoutLines(xen.layout)) xen.printk(l);
    xen.printk(
      `Xen image: ${h16(xen.loadPa)} - ${h16(xen.loadPa + xen.image.size)} linked at ${h16(xen.image.linkAddr)} ` +
        `(phys_offset ${xen.physOffset < 0 ? '-' : ''}${hx(Math.abs(xen.physOffset))})`,
    );
    xen.printk(xen.identity!.log);

    setupPagetables(xen);
    xen.printk('Switched to the runtime page tables with the MMU off; W^X enforced (SCTLR_EL2.WXN)');

    const fdtVa = xen.call('earlyFdtMap', () => earlyFdtMap(xen, xen.fdtPa));
    const fdt = cpu.copyFrom(fdtVa, fdtTotalSize(cpu.copyFrom(fdtVa, 8), xen.fdtPa));
    // bootFdtInfo reads physical memory only for has_xsm_magic (a module's first word), through
    // the fixmap: the access seed 003's GRUB boots crashed in.
    const xenImage = { start: xen.loadPa, size: xen.image.size };
    const bi = xen.call('bootFdtInfo', () =>
      bootFdtInfo(fdt, xen.fdtPa, (pa, len) => xen.call('hasXsmMagic', () => copyFromPaddr(xen, pa, len)), { xenImage }),
    );
    xen.bootInfo = bi;
    xen.fdtBlob = fdt;
    for (const l of bootInfoLog(bi)) xen.printk(l);
    xen.printk(commandLineLog(bi));

    setupMm(xen, bi, fdt.length);
    vmInit(xen);
    consoleInitPreirq(xen, early);
    smpUp(xen, dtCpuMpidrs(fdt, xen.fdtPa));
    if (xen.waitingFor.length === 0) startXenLate(xen);
  });
}

/** The rest of start_xen, once the secondary CPUs are up (or gave up on). */
function startXenLate(xen: Xen): void {
  const banner = new TextDecoder().decode(xen.cpu.copyFrom(xen.sym('xenBanner'), 0x80)).split('\0')[0];
  xen.printk(banner);
  if (createDomUs(xen) > 0) xen.gic = xen.call('gicv3Init', () => gicv3Init(xen));
  xen.state = SystemState.Active;
  if (xen.domains.length) {
    xen.printk('Std. Loglevel: All');
    xen.printk('Guest Loglevel: All');
  }
  initDone(xen);
}

/** PSCI CPU_ON (SMC64 function ID). */
const PSCI_CPU_ON64 = 0xc400_0003;
/** How long the boot CPU spins for a secondary (Xen waits a second). */
export const SMP_TIMEOUT_SPINS = 100_000;

/** smp_init_cpus + __cpu_up: start every other CPU through PSCI CPU_ON at initSecondary. */
function smpUp(xen: Xen, mpidrs: number[]): void {
  xen.call('smpUp', () => {
    const cpu = xen.cpu;
    xen.cpuMpidr = mpidrs;
    xen.printk(`SMP: Allowing ${mpidrs.length} CPUs`);
    if (mpidrs.length <= 1) return;
    // update_identity_mapping(true): secondaries turn their MMU on from the identity page.
    if (xen.identity!.kind !== 'runtime') mapPagesToXen(xen, xen.idPa, xen.idPa, 1, PAGE_HYPERVISOR_RX);
    const entry = xen.idPa + (xen.sym('initSecondary') - xen.image.linkAddr);
    for (let i = 1; i < mpidrs.length; i++) {
      xen.printk(`Bringing up CPU${i}`);
      const r = Number(BigInt.asIntN(32, cpu.smc(PSCI_CPU_ON64, mpidrs[i], entry, i)));
      if (r !== 0) xen.printk(`Failed to bring up CPU${i} (PSCI error ${r})`);
      else xen.waitingFor.push(i);
    }
  });
}

/** The boot CPU's wait loop: one spin per entry, then the rest of start_xen. */
export function cpuUpWait(xen: Xen): void {
  const pending = xen.waitingFor.filter((c) => !xen.cpuOnline.has(c));
  if (pending.length && xen.waitSpins++ < SMP_TIMEOUT_SPINS) {
    xen.cpu.setPc(xen.sym('cpuUpWait'));
    return;
  }
  xen.call('startXen', () => {
    for (const c of pending) xen.printk(`CPU${c} never came online`);
    xen.waitingFor = [];
    // update_identity_mapping(false)
    if (xen.identity!.kind !== 'runtime') destroyXenMappings(xen, xen.idPa, xen.idPa + PAGE_SIZE);
    xen.printk(`Brought up ${xen.cpuOnline.size} CPUs`);
    startXenLate(xen);
  });
}

/**
 * A secondary CPU's entry (PSCI CPU_ON target, in the identity page; x0 = its logical id):
 * cpu_init, the MMU on straight onto the shared runtime tables with WXN from the start
 * (enable_secondary_cpu_mm), then the link address, its vectors, and online.
 */
export function initSecondary(xen: Xen): void {
  const cpu = xen.cpu;
  const id = cpu.x(0);
  cpu.writeSysreg('MAIR_EL2', MAIRVAL);
  cpu.writeSysreg('TCR_EL2', tcrEl2(Number(cpu.readSysreg('ID_AA64MMFR0_EL1') & 0xfn)));
  cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET);
  cpu.writeSysreg('VBAR_EL2', BigInt(xen.idPa + (xen.sym('hypTrapsVector') - xen.image.linkAddr)));
  cpu.tlbi('ALLE2');
  cpu.dsb();
  cpu.isb();
  cpu.writeSysreg('TTBR0_EL2', BigInt(xen.xenRoot));
  cpu.isb();
  cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET | BigInt(SCTLR.M | SCTLR.C | SCTLR.WXN));
  cpu.isb();
  cpu.call(xen.sym('startSecondary'), () => {
    cpu.writeSysreg('VBAR_EL2', BigInt(xen.sym('hypTrapsVector')));
    xen.cpuOnline.add(id);
  });
}

/** early_fdt_map: the DTB at BOOT_FDT_VIRT_START, read-only, with 2 MB blocks. */
function earlyFdtMap(xen: Xen, fdtPa: number): number {
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

/** setup_mm: the boot allocator over free RAM, the directmap, then the heap. */
function setupMm(xen: Xen, bi: BootInfo, fdtSize: number): void {
  xen.call('setupMm', () => {
    const ba = new BootAllocator();
    xen.call('initBootAllocator', () => {
      const ranges = populateBootAllocator(bi, { start: xen.loadPa, size: xen.image.size }, { start: xen.fdtPa, size: fdtSize });
      // A relocated switch page stays out of it: secondary CPUs enter through it.
      const keep = xen.identity!.kind === 'trampoline' ? xen.idPa : NaN;
      for (const r of ranges) {
        const end = r.start + r.size;
        if (keep >= r.start && keep < end) {
          ba.initBootPages(r.start, keep);
          ba.initBootPages(keep + PAGE_SIZE, end);
        } else ba.initBootPages(r.start, end);
      }
    });
    const initialFree = ba.freePages();
    xen.bootAlloc = ba;
    setupDirectmapMappings(xen, bi.mem);
    const tables = initialFree - ba.freePages();
    const free = xen.call('endBootAllocator', () => ba.endBootAllocator());
    const heap = new Heap();
    heap.initFromBanks(free);
    xen.heap = heap;
    xen.state = SystemState.Boot;
    const freePages = free.reduce((n, r) => n + r.size / PAGE_SIZE, 0);
    xen.printk(`Boot allocator: ${tables} page(s) used for page tables; ${freePages} free pages handed to the heap`);
    xen.printk('Domain heap initialised');
  });
}

/** console_init_preirq: the dtuart, ioremap'd non-cacheable; the console moves to it. */
function consoleInitPreirq(xen: Xen, early: EarlyFdt): void {
  xen.call('consoleInitPreirq', () => {
    if (early.uartPa === null) return;
    xen.printk(`Looking for dtuart at "${early.uartPath}", options ""`);
    const va = ioremapAttr(xen, early.uartPa, PAGE_SIZE, 'nocache');
    xen.console.setUart(va, false);
  });
}

/** init_done (in .text): free .init, then run the domains (or power off when there are none). */
function initDone(xen: Xen): void {
  xen.call('initDone', () => {
    const cpu = xen.cpu;
    const kb = xen.call('freeInitMemory', () => {
      xen.requireState('freeInitMemory', SystemState.Active);
      const it = xen.image.section('.init.text');
      const id = xen.image.section('.init.data');
      const start = xen.image.linkAddr + it.offset;
      const end = xen.image.linkAddr + id.offset + id.size;
      destroyXenMappings(xen, start, end);
      return (end - start) / 1024;
    });
    xen.printk(`Freed ${kb}kB init memory.`);
    xen.bootDone = true;
    // With domains, the entry glue schedules them once this entry returns (schedule() moves
    // the PC for good, so it runs outside every routine frame); without, power off cleanly.
    if (xen.domains.length) return;
    const kernels = xen.bootInfo?.modules.filter((m) => m.kind === 'kernel' && m.domain === undefined).length ?? 0;
    if (kernels === 0) xen.printk('No domain configured: nothing to run. Powering off (PSCI SYSTEM_OFF).');
    else xen.printk(`${kernels} dom0 kernel(s) configured, but dom0 is not supported yet. Powering off (PSCI SYSTEM_OFF).`);
    cpu.smc(PSCI_SYSTEM_OFF);
  });
}
