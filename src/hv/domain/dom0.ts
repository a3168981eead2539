// The hardware domain, dom0 (create_dom0 / construct_dom0 in xen/arch/arm/domain_build.c,
// Xen 4.17): built before the dom0less domUs when /chosen has a kernel module outside every
// xen,domain node (setup.c is_dom0less_mode). What makes it dom0:
//   - its RAM is direct-mapped, IPA = PA (allocate_memory_11: the largest block the domheap
//     has as low as possible for bank 0 — MEMF_bits from the block's own size up to 32 bits —
//     then more blocks, merged into banks), dom0_mem from Xen's command line (default 512M);
//   - its vCPUs are dom0_max_vcpus or one per online pCPU;
//   - its vGICv3 sits at the HOST GIC's addresses (distributor and the redistributor region:
//     XEN_DOMCTL_CONFIG_GIC_NATIVE), emulated like a domU's;
//   - it receives the host device tree minus what Xen keeps (dom0Fdt.ts), and every device
//     node's MMIO is mapped 1:1 into its p2m;
//   - its console_io output is Xen's console itself (no "(d0)" prefix: hypercall.ts), and its
//     shutdown halts the machine ("Hardware Dom0 halted: halting machine", hwdomShutdown).
//   - the SPIs of its devices are routed to it (irq.ts: HW = 1 list registers), those within
//     its vGIC's lines.
import { STAGE2_ATTR_POLICY } from '../passthrough/policy.js';
import type { Xen } from '../xen.js';
import { paddr } from '../format.js';
import { panic } from '../panic.js';
import { xenParams } from '../cmdline.js';
import { parseDtb, findNode, getString, type FdtNode } from '../../fdt/dtb.js';
import type { BootModule } from '../bootinfo.js';
import type { BootInfoExt } from '../bootfdt.js';
import { p2mInit, p2mInsertMapping, P2mError, type P2mType } from '../p2m/p2m.js';
import { domainVgicInit } from '../vgic/vgic.js';
import { routeIrqToGuest } from '../irq.js';
import { GICR_STRIDE } from '../vgic/vgicV3.js';
import { MAX_ORDER } from '../mm/pageAlloc.js';
import { kernelLoad, loadModules, newDomain, vcpuCreate, type Domain } from './domain.js';
import { makeDom0Fdt, type Dom0Fdt } from './dom0Fdt.js';

const MB = 1024 * 1024;
const PAGE = 4096;

/**
 * The stage-2 type of dom0's device MMIO. Xen's default for the hardware domain is
 * p2m_mmio_direct_c (map_range_to_domain via handle_node's p2mt): Normal write-back at stage 2,
 * so dom0's own stage-1 attributes decide (the combination takes the stronger, Device when the
 * guest asks for it) — the hardware domain's row of the stage-2 attribute policy (seed 004,
 * passthrough/policy.ts), the one place that choice is made.
 */
export const DOM0_MMIO_P2M_TYPE: P2mType = STAGE2_ATTR_POLICY.dom0.mmio;
/** dom0_mem when the command line has none (construct_dom0's warning path). */
export const DOM0_MEM_DEFAULT = 512 * MB;
/** gnttab_dom0_frames(): 64 grant-table frames (opt_max_grant_frames) for dom0. */
const GNTTAB_DOM0_FRAMES = 64;
/** Extended regions smaller than this are not offered (add_ext_regions). */
const EXT_REGION_MIN_SIZE = 64 * MB;
const SZ_2M = 2 * MB;
/** NR_MEM_BANKS (Xen 4.17: 128). */
const NR_MEM_BANKS = 128;
/** arch_get_dma_bitsize() on Arm without a DMA-limited device: dom0's "low memory" bound. */
const LOWMEM_BITS = 32;

/** What createDom0 did, for tests and the log: the tree and what was given to dom0. */
export interface Dom0Info {
  domain: Domain;
  fdt: Dom0Fdt;
  dtb: Uint8Array;
  dtbAt: number;
  /** SPIs of dom0's devices (irq_permit_access; routed to dom0 when within its vGIC's lines). */
  spis: number[];
}
const info = new WeakMap<Xen, Dom0Info>();
export function dom0Info(xen: Xen): Dom0Info | undefined {
  return info.get(xen);
}

/** The dom0 kernel: the first kernel module outside a xen,domain node (is_dom0less_mode). */
export function dom0Kernel(xen: Xen): BootModule | undefined {
  return xen.bootInfo?.modules.find((m) => m.kind === 'kernel' && m.domain === undefined);
}

/** get_order_from_bytes(size + 1) - 1: the largest order whose block fits in `size`. */
function allocationOrder(size: number): number {
  return Math.min(MAX_ORDER, Math.floor(Math.log2(size / PAGE)));
}
const orderOfBytes = (b: number): number => Math.ceil(Math.log2(b / PAGE));

interface Bank {
  start: number;
  size: number;
}

/** allocate_memory_11: dom0's RAM 1:1 (IPA = PA), banks sorted by address. */
function allocateMemory11(xen: Xen, d: Domain, dom0Mem: number): Bank[] {
  return xen.call('allocateMemory11', () => {
    const heap = xen.heap!;
    const p2m = d.p2m!;
    const banks: Bank[] = [];
    let unassigned = dom0Mem;
    const minLowOrder = orderOfBytes(Math.min(dom0Mem, 128 * MB));
    const minOrder = orderOfBytes(4 * MB);
    xen.printk(`Allocating 1:1 mappings totalling ${Math.floor(dom0Mem / MB)}MB for dom0:`);

    // insert_11_bank: map 1:1, then merge into a bank or add one (false: not used, freed).
    const insert = (pa: number, order: number): boolean => {
      const size = PAGE * 2 ** order;
      if (banks.length > 0 && size < 128 * MB && pa + size < banks[0].start) {
        heap.freeDomheapPages(pa, order);
        return false;
      }
      xen.cpu.zero(xen.mm.mapDomainPage(xen, pa), size);
      p2mInsertMapping(xen, p2m, pa, size / PAGE, pa, 'ram_rw');
      unassigned -= size;
      for (let i = 0; i < banks.length; i++) {
        const b = banks[i];
        if (b.start === pa + size) {
          b.start = pa;
          b.size += size;
          return true;
        }
        if (pa === b.start + b.size) {
          b.size += size;
          return true;
        }
        if (pa + size < b.start && banks.length < NR_MEM_BANKS) {
          banks.splice(i, 0, { start: pa, size });
          return true;
        }
      }
      if (banks.length < NR_MEM_BANKS) {
        banks.push({ start: pa, size });
        return true;
      }
      heap.freeDomheapPages(pa, order);
      unassigned += size;
      return false;
    };

    // Bank 0: the largest block as low as possible.
    let order = allocationOrder(unassigned);
    let lowmem = true;
    bank0: for (; order >= minLowOrder; order--) {
      for (let bits = order + 12; bits <= LOWMEM_BITS; bits++) {
        const pa = heap.allocDomheapPagesBelow(order, bits);
        if (pa !== null) {
          insert(pa, order);
          break bank0;
        }
      }
    }
    if (banks.length === 0) {
      xen.printk(`No bank has been allocated below ${LOWMEM_BITS}-bit.`);
      lowmem = false;
    }
    order = allocationOrder(unassigned);
    while (unassigned > 0 && banks.length < NR_MEM_BANKS) {
      const pa = lowmem ? heap.allocDomheapPagesBelow(order, LOWMEM_BITS) : heap.allocDomheapPages(order);
      if (pa === null) {
        order--;
        if (lowmem && order < minLowOrder) {
          order = allocationOrder(unassigned);
          lowmem = false;
          continue;
        }
        if (order >= minOrder) continue;
        break;
      }
      if (!insert(pa, order)) {
        if (banks.length === NR_MEM_BANKS) break;
        if (lowmem) {
          order = allocationOrder(unassigned);
          lowmem = false;
          continue;
        }
        break;
      }
      order = allocationOrder(unassigned);
    }
    if (unassigned > 0) panic(`Failed to allocate requested dom0 memory. ${Math.floor(unassigned / MB)}MB unallocated`);
    banks.forEach((b, i) => xen.printk(`BANK[${i}] 0x${paddr(b.start).slice(2)}-0x${paddr(b.start + b.size).slice(2)} (${b.size / MB}MB)`));
    for (const b of banks) d.banks.push({ ipa: b.start, pa: b.start, size: b.size });
    return banks;
  });
}

/** find_unallocated_memory: host RAM minus dom0's RAM, reserved memory and the grant table. */
function extendedRegions(xen: Xen, banks: Bank[], gnttab: Bank): Bank[] {
  const bi = xen.bootInfo as BootInfoExt;
  let free: Bank[] = bi.mem.map((b) => ({ start: b.start, size: b.size }));
  const remove = (r: Bank): void => {
    const next: Bank[] = [];
    for (const f of free) {
      const fe = f.start + f.size;
      const re = r.start + r.size;
      if (re <= f.start || r.start >= fe) {
        next.push(f);
        continue;
      }
      if (r.start > f.start) next.push({ start: f.start, size: r.start - f.start });
      if (re < fe) next.push({ start: re, size: fe - re });
    }
    free = next;
  };
  for (const b of banks) remove(b);
  for (const r of bi.reserved) if (r.kind !== 'memreserve') remove(r);
  remove(gnttab);
  free.sort((a, b) => a.start - b.start);
  const out: Bank[] = [];
  for (const f of free) {
    // add_ext_regions: start and size 2MB aligned, at least 64MB.
    const start = Math.ceil(f.start / SZ_2M) * SZ_2M;
    const end = f.start + f.size;
    if (start >= end) continue;
    const size = Math.floor((end - start) / SZ_2M) * SZ_2M;
    if (size < EXT_REGION_MIN_SIZE) continue;
    out.push({ start, size });
  }
  return out;
}

/** The UART Xen's console uses: dtuart= (a path), else /chosen stdout-path (serial_endboot hides it). */
function xenUartPath(xen: Xen, host: FdtNode): string | null {
  const p = xenParams();
  p.parse(xen.bootInfo?.xenBootargs ?? '');
  const dtuart = p.getString('dtuart').split(':')[0];
  if (dtuart.startsWith('/')) return dtuart;
  const chosen = findNode(host, '/chosen');
  if (chosen?.props.has('stdout-path')) return getString(chosen, 'stdout-path').split(':')[0];
  return null;
}

/** vgic_allocate_ppi: the first PPI (16..31) the domain does not already use (the timers' are reserved). */
function allocatePpi(reserved: number[]): number {
  for (let i = 16; i < 32; i++) if (!reserved.includes(i)) return i;
  panic('Unable to allocate a PPI for the event channel interrupt');
}

/** create_dom0 + construct_dom0 + construct_domain. */
export function createDom0(xen: Xen): Domain | null {
  const kernel = dom0Kernel(xen);
  if (!kernel) return null;
  return xen.call('createDom0', () => {
    if (xen.mm.name !== 'mmu') panic('dom0 needs the MMU backend (a direct-mapped hardware domain under the MPU is not supported)');
    const bi = xen.bootInfo!;
    const params = xenParams();
    params.parse(bi.xenBootargs ?? '');
    xen.printk('*** LOADING DOMAIN 0 ***');
    let dom0Mem = params.getNumber('dom0_mem');
    if (dom0Mem <= 0) {
      xen.printk('PLEASE SPECIFY dom0_mem PARAMETER - USING 512M FOR NOW');
      dom0Mem = DOM0_MEM_DEFAULT;
    }
    if (dom0Mem % PAGE) panic(`dom0_mem=${dom0Mem} is not a whole number of 4KB pages`);
    const maxVcpus = params.getNumber('dom0_max_vcpus') || xen.cpuOnline.size;

    const d = newDomain(0, '/chosen', dom0Mem / 1024);
    // Scheduled first, as Xen's domain list starts with dom0.
    xen.domains.unshift(d);
    xen.printk(`Loading d0 kernel from boot module @ ${paddr(kernel.start)}`);
    const initrd = bi.modules.find((m) => m.kind === 'ramdisk' && m.domain === undefined);
    if (initrd) xen.printk(`Loading ramdisk from boot module @ ${paddr(initrd.start)}`);

    // VMID: Xen allocates dom0 the first free one (1); domUs here keep VMID = domid, so dom0
    // takes the one after the last domU's.
    d.p2m = p2mInit(xen, bi.domains.length + 1);
    const banks = allocateMemory11(xen, d, dom0Mem);
    const gnttab = { start: xen.loadPa, size: GNTTAB_DOM0_FRAMES * PAGE };
    xen.printk(`Grant table range: 0x${paddr(gnttab.start).slice(2)}-0x${paddr(gnttab.start + gnttab.size).slice(2)}`);

    for (let i = 0; i < maxVcpus; i++) vcpuCreate(xen, d, i);

    const host = parseDtb(xen.fdtBlob!, 'host device tree').root;
    let tree: Dom0Fdt;
    try {
      const evtchn = allocatePpi([26, 27, 29, 30]);
      xen.printk(`Allocating PPI ${evtchn} for event channel interrupt`);
      const ext = extendedRegions(xen, banks, gnttab);
      ext.forEach((r, i) => xen.printk(`d0: extended region ${i}: 0x${r.start.toString(16)}->0x${(r.start + r.size).toString(16)}`));
      tree = makeDom0Fdt(host, {
        xenUartPath: xenUartPath(xen, host),
        moduleBootargs: kernel.cmdline ?? null,
        initrd: !!initrd,
        vcpus: maxVcpus,
        memory: banks.map((b) => ({ address: b.start, size: b.size })),
        evtchnIntid: evtchn,
        gnttab,
        extRegions: ext,
        reservedMemory: (bi as BootInfoExt).reserved
          .filter((r) => r.kind === 'reserved-memory')
          .map((r) => ({ start: r.start, size: r.size })),
      });
    } catch (e) {
      if (e instanceof Error && !(e instanceof P2mError)) panic(`Could not set up DOM0 guest OS: ${e.message}`);
      throw e;
    }
    for (const l of tree.log) xen.printk(l);

    // The vGIC at the hardware's addresses, one redistributor per vCPU in the first region.
    domainVgicInit(
      xen,
      d,
      {
        gicd: tree.gic.dist.address,
        gicdSize: tree.gic.dist.size,
        gicr: tree.gic.rdist[0].address,
        gicrSize: Math.min(tree.gic.rdist[0].size, d.vcpus.length * GICR_STRIDE),
      },
      xen.gic ? xen.gic.lines - 32 : undefined,
    );
    mapDeviceMmio(xen, d, tree);
    // map_irq_to_domain for every device SPI (vINTID = pINTID): dom0's vGIC has the host's lines.
    for (const s of tree.spis) if (d.vgic!.irq(0, s.intid) !== null) routeIrqToGuest(xen, d, s.intid);

    const k = kernelLoad(xen, d, kernel);
    const { dtbAt, dtb } = loadModules(xen, d, banks[0], k, tree.root, initrd);
    const v0 = d.vcpus[0];
    v0.pc = BigInt(k.entry);
    v0.x0 = BigInt(dtbAt);
    info.set(xen, { domain: d, fdt: tree, dtb, dtbAt, spis: tree.spis.map((s) => s.intid) });
    return d;
  });
}

/** handle_device → map_range_to_domain for every node: the pages of each reg range, 1:1. */
function mapDeviceMmio(xen: Xen, d: Domain, tree: Dom0Fdt): void {
  xen.call('mapRangeToDomain', () => {
    const p2m = d.p2m!;
    // Several nodes may share a page (QEMU's virtio-mmio transports are 0x200 apart): Xen's
    // p2m_set_entry rewrites the same mapping; ours refuses a map over a valid entry, so the
    // page ranges are merged first and each page is mapped once.
    const runs = tree.mmio
      .map((r) => ({ s: Math.floor(r.address / PAGE), e: Math.floor((r.address + r.size - 1) / PAGE) + 1, node: r.node }))
      .sort((a, b) => a.s - b.s);
    const merged: { s: number; e: number; node: string }[] = [];
    for (const r of runs) {
      const last = merged[merged.length - 1];
      if (last && r.s <= last.e) last.e = Math.max(last.e, r.e);
      else merged.push({ ...r });
    }
    for (const r of merged) {
      try {
        p2mInsertMapping(xen, p2m, r.s * PAGE, r.e - r.s, r.s * PAGE, DOM0_MMIO_P2M_TYPE);
      } catch (e) {
        if (e instanceof P2mError)
          panic(`Unable to map 0x${(r.s * PAGE).toString(16)} - 0x${(r.e * PAGE - 1).toString(16)} in domain 0 (${r.node}): ${e.message}`);
        throw e;
      }
    }
  });
}

/**
 * hwdom_shutdown (common/shutdown.c): the hardware domain going down takes the machine with it,
 * whatever the domUs are doing. The board has no reset path to model a reboot, so every reason
 * ends in the scheduler's PSCI SYSTEM_OFF; the line says what Xen would do.
 */
export function hwdomShutdown(xen: Xen, d: Domain, reason: string): void {
  if (d.id !== 0) return;
  const line: Record<string, string> = {
    poweroff: 'Hardware Dom0 halted: halting machine',
    reboot: 'Hardware Dom0 shutdown: rebooting machine',
    crash: 'Hardware Dom0 crashed: rebooting machine in 5 seconds.',
  };
  xen.printk(line[reason] ?? `Hardware Dom0 shutdown (${reason}): rebooting machine`);
  for (const o of xen.domains) {
    if (o.state === 'running') {
      o.state = 'shutdown';
      o.shutdownReason = 'hwdom';
      for (const v of o.vcpus) v.state = 'dead';
    }
  }
  // Nothing runs any more: the scheduler powers the board off (PSCI SYSTEM_OFF) at its next pick.
}
