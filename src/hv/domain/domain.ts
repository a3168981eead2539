// Domains and vCPUs (struct domain / struct vcpu) and the dom0less domain builder
// (xen/arch/arm/dom0less-build.c, domain_build.c, kernel.c): guest RAM and stage 2 from the
// memory backend (xen.mm.p2mInit: domheap pages at GUEST_RAM0_BASE under the MMU, the
// direct-mapped xen,static-mem banks under the MPU), the kernel copied in, a generated guest device tree placed as Xen's
// place_modules does, the boot vCPU at the kernel entry with x0 = the DTB's IPA. Everything the
// guest sees is written into its RAM by the hypervisor through the directmap (mapDomainPage);
// the domain and vCPU objects themselves are TypeScript bookkeeping (DESIGN.md §1).
import { paddr } from '../format.js';
import type { Xen } from '../xen.js';
import { p2mInsertMapping, P2mError, type P2m } from '../p2m/p2m.js';
import { isElf, parseElf } from '../../platform/loader/elf.js';
import { isArm64Image, parseArm64Image } from '../../platform/loader/image.js';
import { buildDtb, encodeU64, setBytes, type FdtNode } from '../../fdt/dtb.js';
import { InputError } from '../../util/errors.js';
import { panic } from '../panic.js';
import { makeGuestFdt, GUEST_RAM0_BASE, GUEST_RAM0_SIZE } from './guestFdt.js';
import type { Vpl011 } from '../vdev/vpl011.js';
import type { Vgic } from '../vgic/vgicV3.js';
import { domainVgicInit } from '../vgic/vgic.js';
import { domainVtimerInit } from '../virtTimer.js';
import { domainHandleDtbBootmodule } from '../passthrough/dtb.js';
import { flushBuilderWrite, flushPopulatedPages, setDomainMmuOffPolicy, syncLoadedCode, type MmuOffPolicy } from '../cacheCoherency.js';

const MB = 1024 * 1024;
const PAGE = 4096;
const hx = (n: number): string => '0x' + n.toString(16);

/** An emulated MMIO region of a domain (Xen's mmio_handler / register_mmio_handler). */
export interface MmioHandler {
  name: string;
  base: number;
  size: number;
  /**
   * Returns the value read (zero-extended to the access size by the caller), or null when the
   * device refuses the access (Xen's handler returning 0, IO_ABORT: the guest gets a data
   * abort). `reg`: the register the ISS names (SRT), for the device's log lines.
   */
  read(v: Vcpu, offset: number, size: number, reg?: number): bigint | null;
  /** Returns false when the device refuses the access (IO_ABORT), as read's null. */
  write(v: Vcpu, offset: number, size: number, value: bigint, reg?: number): boolean | void;
}

/** 'blocked': waiting in WFI / SCHEDOP_block for an interrupt (vcpuBlock.ts). */
export type VcpuState = 'runnable' | 'blocked' | 'down' | 'dead';

export interface Vcpu {
  domain: Domain;
  id: number;
  /** pCPU it runs on (fixed: round-robin placement at creation). */
  processor: number;
  state: VcpuState;
  /** Saved guest PC / PSTATE (ELR_EL2 / SPSR_EL2 of the last exit). */
  pc: bigint;
  cpsr: bigint;
  /** x0..x30 as uint32 halves while the vCPU is not on a PE (null before its first run: regsInit). */
  gprs: Uint32Array | null;
  /** Initial x0 (the DTB IPA for vCPU0, the context id for CPU_ON). */
  x0: bigint;
  /** Saved EL1 system registers while off the PE. */
  sysregs: Map<string, bigint>;
  hcr: bigint;
  mpidr: bigint;
}

export type DomainState = 'running' | 'shutdown' | 'crashed';

export interface GuestBank {
  ipa: number;
  pa: number;
  size: number;
}

export interface Domain {
  id: number;
  /** Device-tree node path it came from (/chosen/domU1). */
  node: string;
  /** The MMU backend's stage-2 tables (null under the MPU: its stage 2 is the region plan). */
  p2m: P2m | null;
  vcpus: Vcpu[];
  memKb: number;
  banks: GuestBank[];
  mmio: MmioHandler[];
  state: DomainState;
  shutdownReason: string | null;
  /** console_io output not yet terminated by a newline. */
  consoleBuf: string;
  vpl011: Vpl011 | null;
  /** The emulated GICv3 (vgic/): distributor, redistributors, virtual interrupt state. */
  vgic: Vgic | null;
  /** xen,static-mem banks (host physical) its RAM must come from; absent: the domheap. */
  staticMem?: readonly { start: number; size: number }[];
  /** direct-map: guest RAM at IPA = PA (with xen,static-mem). */
  directMap?: boolean;
}

/** What a xen,domain node asks for (Xen's bindings, docs/misc/arm/device-tree/booting.txt). */
export interface DomainConfig {
  node: string;
  memKb: number;
  cpus: number;
  vpl011: boolean;
  kernel: { start: number; size: number; cmdline?: string };
  /** Its multiboot,device-tree module (the partial device tree: /passthrough devices). */
  passthroughDtb?: { start: number; size: number };
  /** Its multiboot,ramdisk module: loaded after the DTB (place_modules), named in /chosen. */
  ramdisk?: { start: number; size: number };
  /** xen,static-mem banks (reserved from the heap by bootFdtInfo) and direct-map. */
  staticMem?: { start: number; size: number }[];
  directMap?: boolean;
  /** Seed 001's cache policy for guests that start with the MMU off (cacheCoherency.ts). */
  mmuOffPolicy?: MmuOffPolicy;
}

/** get_default_hcr_flags() | HCR_RW (xen-facts §5.1): what a 64-bit domU runs with. */
export const HCR_GUEST_FLAGS =
  (1n << 31n) | // RW: EL1 is AArch64
  (1n << 2n) | // PTW
  (1n << 10n) | // BSU inner (bits 11:10 = 01)
  (1n << 5n) | // AMO
  (1n << 4n) | // IMO
  (1n << 3n) | // FMO
  (1n << 0n) | // VM
  (1n << 13n) | // TWI
  (1n << 14n) | // TWE
  (1n << 19n) | // TSC
  (1n << 21n) | // TACR
  (1n << 1n) | // SWIO
  (1n << 20n) | // TIDCP
  (1n << 9n) | // FB
  (1n << 22n); // TSW

/** SCTLR_GUEST_INIT (public/arch-arm.h) and PSR_GUEST64_INIT (EL1h, DAIF masked). */
export const SCTLR_GUEST_INIT = 0x00c5_0078n;
export const PSR_GUEST64_INIT = 0x3c5n;

/** domain_create + arch_domain_create + p2m: an empty domain with its own VMID. */
function domainCreate(xen: Xen, cfg: DomainConfig): Domain {
  // domUs are numbered from 1 whether or not there is a dom0 (domain 0, dom0.ts).
  const d = newDomain(xen.domains.filter((x) => x.id !== 0).length + 1, cfg.node, cfg.memKb);
  xen.domains.push(d);
  return d;
}

/** A running domain with nothing in it yet: its memory, vCPUs and devices come next. */
export function newDomain(id: number, node: string, memKb: number): Domain {
  return {
    id,
    node,
    p2m: null,
    vcpus: [],
    memKb,
    banks: [],
    mmio: [],
    state: 'running',
    shutdownReason: null,
    consoleBuf: '',
    vpl011: null,
    vgic: null,
  };
}

/** vcpu_create: vCPU `id`, placed on pCPUs round-robin over all vCPUs created so far. */
export function vcpuCreate(xen: Xen, d: Domain, id: number): Vcpu {
  const online = [...xen.cpuOnline].sort((a, b) => a - b);
  const processor = online[xen.vcpuCount++ % online.length];
  const v: Vcpu = {
    domain: d,
    id,
    processor,
    state: id === 0 ? 'runnable' : 'down',
    pc: 0n,
    cpsr: PSR_GUEST64_INIT,
    gprs: null,
    x0: 0n,
    sysregs: new Map([['SCTLR_EL1', SCTLR_GUEST_INIT]]),
    hcr: HCR_GUEST_FLAGS,
    // vcpuid_to_vaffinity: Aff0 = id (up to 16 per cluster), bit 31 RES1.
    mpidr: (1n << 31n) | BigInt(id % 16) | (BigInt(Math.floor(id / 16)) << 8n),
  };
  d.vcpus.push(v);
  return v;
}

/**
 * allocate_memory (dom0less-build.c allocate_bank_memory): `memKb` of guest RAM at
 * GUEST_RAM0_BASE, from the domheap in the largest naturally aligned chunks available, each
 * mapped ram_rw in the p2m and cleared.
 */
export function allocateDomheapMemory(xen: Xen, d: Domain): void {
  xen.call('allocateMemory', () => {
    const p2m = d.p2m;
    if (!p2m) panic(`${domName(d)}: allocateMemory before p2mInit`);
    let left = d.memKb * 1024;
    if (left % PAGE || left <= 0) panic(`${domName(d)}: memory ${d.memKb}KB is not a whole number of 4KB pages`);
    if (left > GUEST_RAM0_SIZE)
      panic(`${domName(d)}: memory ${d.memKb}KB exceeds GUEST_RAM0 (${GUEST_RAM0_SIZE / MB}MB; RAM1 is not supported yet)`);
    xen.printk(`Allocating mappings totalling ${d.memKb / 1024}MB for ${domName(d)}:`);
    let ipa = GUEST_RAM0_BASE;
    let order = Math.min(18, Math.floor(Math.log2(left / PAGE)));
    while (left > 0) {
      while (order > 0 && PAGE * 2 ** order > left) order--;
      const pa = xen.heap!.allocDomheapPages(order);
      if (pa === null) {
        if (order === 0) panic(`${domName(d)}: not enough memory for the domain (${left / 1024}KB still needed)`);
        order--;
        continue;
      }
      const size = PAGE * 2 ** order;
      populateGuestRam(xen, d, p2m, ipa, pa, size);
      ipa += size;
      left -= size;
    }
    xen.printk(`${domName(d)} BANK[0] ${hx14(GUEST_RAM0_BASE)}-${hx14(ipa)} (${(ipa - GUEST_RAM0_BASE) / MB}MB)`);
  });
}

/**
 * allocate_static_memory / assign_static_memory_11 (common/device-tree/static-memory.c): the
 * domain's RAM is exactly its xen,static-mem banks, which bootFdtInfo kept out of the heap.
 * Direct-mapped, each bank sits at IPA = PA; otherwise the banks fill GUEST_RAM0 in order. The
 * pages are cleared and mapped as for domheap RAM.
 */
export function allocateStaticMemory(xen: Xen, d: Domain): void {
  xen.call('allocateMemory', () => {
    const p2m = d.p2m;
    if (!p2m) panic(`${domName(d)}: allocateMemory before p2mInit`);
    const banks = d.staticMem ?? [];
    const total = banks.reduce((n, b) => n + b.size, 0);
    if (total !== d.memKb * 1024)
      panic(`${domName(d)}: memory = ${d.memKb}KB but xen,static-mem totals ${total / 1024}KB: Static memory not totally allocated`);
    xen.printk(`${domName(d)}: static memory${d.directMap ? ', direct-mapped (IPA = PA)' : ''}:`);
    let ipa = GUEST_RAM0_BASE;
    for (const b of banks) {
      if (b.start % PAGE || b.size % PAGE) panic(`${domName(d)}: xen,static-mem bank ${hx(b.start)}+${hx(b.size)} is not page aligned`);
      const at = d.directMap ? b.start : ipa;
      if (!d.directMap && at + b.size > GUEST_RAM0_BASE + GUEST_RAM0_SIZE)
        panic(`${domName(d)}: xen,static-mem exceeds GUEST_RAM0 (${GUEST_RAM0_SIZE / MB}MB; RAM1 is not supported yet)`);
      populateGuestRam(xen, d, p2m, at, b.start, b.size);
      xen.printk(`${domName(d)} BANK[${d.banks.length - 1}] ${hx14(at)}-${hx14(at + b.size)} (${b.size / MB}MB) at ${paddr(b.start)}`);
      ipa = at + b.size;
    }
  });
}

/**
 * One bank of guest RAM, as both allocators hand it over: cleared through the directmap (the
 * range is contiguous there), cleaned to the PoC as the domain's cache policy asks
 * (flush_page_to_ram), mapped ram_rw at `ipa`, recorded.
 */
function populateGuestRam(xen: Xen, d: Domain, p2m: P2m, ipa: number, pa: number, size: number): void {
  const va = xen.mm.mapDomainPage(xen, pa);
  xen.cpu.clearPage(va, size);
  flushPopulatedPages(xen, d, va, size);
  try {
    p2mInsertMapping(xen, p2m, ipa, size / PAGE, pa, 'ram_rw');
  } catch (e) {
    if (e instanceof P2mError) panic(`${domName(d)}: cannot map guest RAM ${hx(pa)}+${hx(size)} at IPA ${hx(ipa)}: ${e.message}`);
    throw e;
  }
  d.banks.push({ ipa, pa, size });
}

const hx14 = (n: number): string => '0x' + n.toString(16).padStart(14, '0');

export function domName(d: Domain): string {
  return `d${d.id}`;
}

/** Write `data` at guest IPA `ipa` (copy_to_guest_phys) through the directmap, bank by bank. */
export function copyToGuestPhys(xen: Xen, d: Domain, ipa: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const a = ipa + done;
    const b = d.banks.find((x) => a >= x.ipa && a < x.ipa + x.size);
    if (!b) panic(`${domName(d)}: the domain builder wrote outside guest RAM at IPA ${hx(a)}`);
    // Page by page: under the MPU mapDomainPage reaches one page (a transient region).
    const n = Math.min(data.length - done, b.ipa + b.size - a, PAGE - (a % PAGE));
    const va = xen.mm.mapDomainPage(xen, b.pa + (a - b.ipa));
    xen.cpu.copyTo(va, data.subarray(done, done + n));
    flushBuilderWrite(xen, d, va, n);
    xen.mm.unmapDomainPage(xen, va);
    done += n;
  }
}

/** The kernel as placed: entry IPA and the IPA range it occupies. */
interface Placed {
  entry: number;
  start: number;
  end: number;
}

/**
 * kernel_probe + kernel_zimage_load / an ELF loader: an arm64 Image goes to GUEST_RAM0_BASE +
 * text_offset (Xen's kernel_zimage_place); an ELF's PT_LOAD segments go to their physical
 * addresses, which must lie in guest RAM; anything else is a raw image at GUEST_RAM0_BASE.
 */
export function kernelLoad(xen: Xen, d: Domain, mod: { start: number; size: number }): Placed {
  return xen.call('kernelLoad', () => {
    // kernel_zimage_load reads the boot module with copy_from_paddr.
    const bytes = xen.mm.copyFromPaddr(xen, mod.start, mod.size);
    const ram = ramExtent(d);
    const ramEnd = ram.base + ram.size;
    const fits = (s: number, e: number): boolean => s >= ram.base && e <= ramEnd;
    const where = `${domName(d)} kernel @ ${paddr(mod.start)}`;
    try {
      if (isElf(bytes)) {
        const elf = parseElf(bytes, where);
        if (!fits(elf.lowAddr, elf.highAddr))
          panic(
            `${domName(d)}: ELF kernel [${hx(elf.lowAddr)}, ${hx(elf.highAddr)}) is outside guest RAM [${hx(ram.base)}, ${hx(ramEnd)})`,
          );
        for (const s of elf.segments) copyToGuestPhys(xen, d, s.paddr, s.data);
        for (const s of elf.segments) if (s.flags & 1) syncLoadedCode(xen, d, s.paddr, s.data.length);
        xen.printk(`Loading ELF kernel from ${paddr(mod.start)} to ${paddr(elf.lowAddr)}-${paddr(elf.highAddr)}`);
        return { entry: elf.entry, start: elf.lowAddr, end: elf.highAddr };
      }
      const textOffset = isArm64Image(bytes) ? parseArm64Image(bytes, where).textOffset : 0;
      const hdr = isArm64Image(bytes) ? parseArm64Image(bytes, where) : null;
      const start = ram.base + textOffset;
      const len = Math.max(bytes.length, hdr?.imageSize ?? 0);
      if (!fits(start, start + len)) panic(`${domName(d)}: kernel of ${len} bytes does not fit in ${d.memKb}KB of guest RAM`);
      copyToGuestPhys(xen, d, start, bytes);
      syncLoadedCode(xen, d, start, bytes.length);
      xen.printk(`Loading zImage from ${paddr(mod.start)} to ${paddr(start)}-${paddr(start + bytes.length)}`);
      return { entry: start, start, end: start + len };
    } catch (e) {
      if (e instanceof InputError) panic(`${domName(d)}: ${e.message}`);
      throw e;
    }
  });
}

/** The first contiguous run of guest RAM (RAM0: what the kernel and the DTB are placed in). */
export function ramExtent(d: Domain): { base: number; size: number } {
  if (d.banks.length === 0) panic(`${domName(d)}: no guest RAM`);
  const base = d.banks[0].ipa;
  let end = base;
  for (const b of d.banks) if (b.ipa === end) end += b.size;
  return { base, size: end - base };
}

/**
 * place_modules (kernel.c): the DTB and the initrd after it, each rounded up to 2MB, at 128MB
 * into the first bank when the kernel ends below that and the bank reaches past both, else at
 * the end of the bank, else below the kernel. Panics with Xen's messages when nothing fits.
 * One deliberate difference: Xen's two fallbacks compare strictly (`>`), refusing modules that
 * exactly fill the space above or below the kernel; we accept that fit (it overlaps nothing),
 * which the 4MB domUs of seed 001 (a kernel below 2MB, the DTB's 2MB slot at 2MB) rely on.
 */
export function placeModules(
  bank0: { start: number; size: number },
  kernel: { start: number; end: number },
  dtbLen: number,
  initrdLen: number,
): { dtb: number; initrd: number } {
  const up2 = (n: number): number => Math.ceil(n / (2 * MB)) * 2 * MB;
  const dtbSize = up2(dtbLen);
  const modsize = up2(initrdLen) + dtbSize;
  const ramend = bank0.start + bank0.size;
  const kernsize = up2(kernel.end) - kernel.start;
  const ram128 = bank0.start + 128 * MB;
  if (modsize + kernsize > bank0.size) panic('Not enough memory in the first bank for the kernel+dtb+initrd');
  let modbase: number;
  if (ramend >= ram128 + modsize && kernel.end < ram128) modbase = ram128;
  else if (ramend - modsize >= up2(kernel.end)) modbase = ramend - modsize;
  else if (kernel.start - bank0.start >= modsize) modbase = kernel.start - modsize;
  else panic('Unable to find suitable location for dtb+initrd');
  return { dtb: modbase, initrd: modbase + dtbSize };
}

/**
 * initrd_load + dtb_load (domain_build.c), for dom0 and the domUs alike: place the modules
 * (place_modules), fill /chosen's linux,initrd-start/-end placeholders (make_chosen_node made
 * them, 8 bytes each, so the tree's size is already final), copy the ramdisk boot module and
 * the tree into guest RAM. Returns the DTB's IPA (the boot vCPU's x0) and the final blob.
 */
export function loadModules(
  xen: Xen,
  d: Domain,
  bank0: { start: number; size: number },
  kernel: { start: number; end: number },
  tree: FdtNode,
  initrd: { start: number; size: number } | undefined,
): { dtbAt: number; dtb: Uint8Array } {
  let dtb = buildDtb(tree);
  const at = placeModules(bank0, kernel, dtb.length, initrd?.size ?? 0);
  if (initrd) {
    const chosen = tree.children.find((c) => c.name === 'chosen');
    if (chosen) {
      setBytes(chosen, 'linux,initrd-start', encodeU64(at.initrd));
      setBytes(chosen, 'linux,initrd-end', encodeU64(at.initrd + initrd.size));
    }
    dtb = buildDtb(tree);
    // initrd_load reads the boot module with copy_from_paddr.
    copyToGuestPhys(xen, d, at.initrd, xen.mm.copyFromPaddr(xen, initrd.start, initrd.size));
    xen.printk(`Loading ${domName(d)} initrd from ${paddr(initrd.start)} to 0x${paddr(at.initrd)}-0x${paddr(at.initrd + initrd.size)}`);
  }
  copyToGuestPhys(xen, d, at.dtb, dtb);
  xen.printk(`Loading ${domName(d)} DTB to 0x${paddr(at.dtb)}-0x${paddr(at.dtb + dtb.length)}`);
  return { dtbAt: at.dtb, dtb };
}

/** The guest's /memory banks: its RAM by IPA, contiguous runs merged. */
function guestMemory(d: Domain): { address: number; size: number }[] {
  const out: { address: number; size: number }[] = [];
  for (const b of d.banks) {
    const last = out[out.length - 1];
    if (last && last.address + last.size === b.ipa) last.size += b.size;
    else out.push({ address: b.ipa, size: b.size });
  }
  return out;
}

/** construct_domU: RAM, kernel, device tree, vCPUs; the boot vCPU ready to run. */
export function constructDomain(xen: Xen, cfg: DomainConfig, attachVpl011: (d: Domain) => void): Domain {
  return xen.call('constructDomain', () => {
    xen.printk(`*** LOADING DOMU cpus=${cfg.cpus} memory=${cfg.memKb.toString(16)}KB ***`);
    const d = domainCreate(xen, cfg);
    if (cfg.staticMem) d.staticMem = cfg.staticMem;
    if (cfg.directMap) d.directMap = true;
    if (cfg.mmuOffPolicy) setDomainMmuOffPolicy(d, cfg.mmuOffPolicy);
    xen.printk(`Loading ${domName(d)} kernel from boot module @ ${paddr(cfg.kernel.start)}`);
    if (cfg.ramdisk) xen.printk(`Loading ramdisk from boot module @ ${paddr(cfg.ramdisk.start)}`);
    xen.mm.p2mInit(xen, d);
    const k = kernelLoad(xen, d, cfg.kernel);
    for (let i = 0; i < cfg.cpus; i++) vcpuCreate(xen, d, i);
    domainVgicInit(xen, d);
    domainVtimerInit(xen, d);
    if (cfg.vpl011) attachVpl011(d);
    const extra = cfg.passthroughDtb ? domainHandleDtbBootmodule(xen, d, cfg.passthroughDtb) : [];
    const tree = xen.call('prepareDtbDomU', () =>
      makeGuestFdt({
        memKb: cfg.memKb,
        cpus: cfg.cpus,
        vpl011: cfg.vpl011,
        bootargs: cfg.kernel.cmdline ?? '',
        initrd: !!cfg.ramdisk,
        memory: guestMemory(d),
        extra,
      }),
    );
    const ram = ramExtent(d);
    const at = loadModules(xen, d, { start: ram.base, size: ram.size }, k, tree, cfg.ramdisk).dtbAt;
    const v0 = d.vcpus[0];
    v0.pc = BigInt(k.entry);
    v0.x0 = BigInt(at);
    return d;
  });
}
