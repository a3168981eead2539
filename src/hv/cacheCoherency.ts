// Seed 001: guests that start with the MMU (and so their data caches) off, while the domain
// builder wrote their memory through the hypervisor's caches. Three per-domain policies,
// chosen by the xen,domain node's `armvisor,mmu-off-policy` property (default "xen"):
//
// - none: nothing. The builder's dirty lines sit in front of the memory the guest reads with
//   the MMU off, and write back whenever they are evicted or the guest cleans by set/way.
// - seed: Ian Campbell's 2014 patch (seeds/001): HCR_EL2.DC (the guest's MMU-off data accesses
//   are Normal Write-Back, so they hit the builder's lines) and HCR_EL2.TVM (trap the VM
//   control registers so the hypervisor sees SCTLR_EL1.M being set) while SCTLR_EL1.M = 0; a
//   trapped SCTLR write with M set drops both (update_sctlr); ctxt_switch_to recomputes them.
//   Reverted weeks later (878ff4fe18): a guest that sets M before C runs, after DC is dropped,
//   with Non-cacheable accesses that cannot see the dirty lines its own MMU-off writes left.
// - xen: what Xen adopted (xen-facts §5.2): clean+invalidate every page handed to the guest
//   (flush_page_to_ram in alloc_heap_pages) and everything the builder writes
//   (copy_to_guest_phys_flush_dcache); HCR_EL2.TSW always; a trapped set/way operation sets
//   HCR_EL2.TVM and asks for a clean of the guest's whole memory (p2m_set_way_flush); each
//   trapped SCTLR_EL1 write that changes whether the caches are on (M and C) asks again, and
//   TVM is dropped once they are (p2m_toggle_cache); the clean runs before the vCPU returns
//   (check_for_vcpu_work → p2m_flush_vm).
//
// Common to all three: the builder makes the code it loads fetchable (DC CVAU over executable
// ELF segments, or over a whole raw/Image kernel, then IC IALLU). That is instruction/data
// coherence to the PoU, which any loader of code owes (Arm ARM B2.4.4), not MMU-off policy; in
// this machine instruction fetch reads memory, so without it no guest would run at all.
//
// All maintenance is by VA through the hypervisor's own mapping (mapDomainPage), with the
// PE's DC instructions (hv/arch/cpu.ts), as Xen's clean_and_invalidate_dcache_va_range.
import type { Xen } from './xen.js';
import type { Domain, Vcpu } from './domain/domain.js';
import { panic } from './panic.js';
import { allSysRegs } from '../arch/sysreg/index.js';
import { SYS_OPS } from '../arch/sysreg/sysops.js';
import { VM_CONTROL_REGS } from '../arch/sysreg/traps.js';
import { HCR, SCTLR } from '../arch/sysreg/fields.js';

export const MMU_OFF_POLICIES = ['none', 'seed', 'xen'] as const;
export type MmuOffPolicy = (typeof MMU_OFF_POLICIES)[number];
/** Upstream Xen's behaviour is the default. */
export const DEFAULT_MMU_OFF_POLICY: MmuOffPolicy = 'xen';
/** The xen,domain property that selects the policy (an armvisor extension of Xen's bindings). */
export const MMU_OFF_POLICY_PROP = 'armvisor,mmu-off-policy';

const PAGE = 4096;
const TVM = BigInt(HCR.TVM);
const DC = BigInt(HCR.DC);
const TSW = BigInt(HCR.TSW);
const SCTLR_M = BigInt(SCTLR.M);
const SCTLR_C = BigInt(SCTLR.C);

/**
 * Xen's routine `name`. These have no symbol of their own in the hypervisor image (whose
 * section layout the MPU plan mirrors, hv/mm/mpu/layout.ts): they run at the notional PC of
 * their caller (allocateMemory, kernelLoad, doTrapGuestSync), which call traces then name.
 */
function routine<T>(name: string, fn: () => T): T {
  void name;
  return fn();
}

export function parseMmuOffPolicy(text: string, where: string): MmuOffPolicy {
  if ((MMU_OFF_POLICIES as readonly string[]).includes(text)) return text as MmuOffPolicy;
  return panic(`${where}: ${MMU_OFF_POLICY_PROP} = "${text}" (must be ${MMU_OFF_POLICIES.join(', ')})`);
}

/** Per-domain policy, per-vCPU need_flush_to_ram; kept here so struct domain stays Xen's. */
const policyOf = new WeakMap<Domain, MmuOffPolicy>();
const needFlushToRam = new WeakSet<Vcpu>();
/** How often each policy action ran (tests and the seed001 table check the paths were taken). */
export const cacheStats = { tvmTraps: 0, setWayTraps: 0, vmFlushes: 0, dcDropped: 0 };

export function setDomainMmuOffPolicy(d: Domain, p: MmuOffPolicy): void {
  policyOf.set(d, p);
}

export function domainMmuOffPolicy(d: Domain): MmuOffPolicy {
  return policyOf.get(d) ?? DEFAULT_MMU_OFF_POLICY;
}

/** vcpu_has_cache_enabled (asm/p2m.h): SCTLR_EL1.M and C both set. */
function cacheEnabled(sctlr: bigint): boolean {
  return (sctlr & (SCTLR_M | SCTLR_C)) === (SCTLR_M | SCTLR_C);
}

/**
 * The HCR_EL2 a vCPU runs with, from its saved SCTLR_EL1 (ctxt_switch_to). none: no TSW (set/way
 * runs on the hardware, as before Xen trapped it); seed: DC|TVM exactly while M = 0, no TSW
 * (2014 Xen did not trap set/way); xen: TSW always, TVM as the set/way logic left it.
 */
export function policyHcr(v: Vcpu, sctlr: bigint): bigint {
  const p = domainMmuOffPolicy(v.domain);
  if (p === 'none') return v.hcr & ~(TSW | DC | TVM);
  if (p === 'seed') return (v.hcr & ~TSW & ~(DC | TVM)) | (sctlr & SCTLR_M ? 0n : DC | TVM);
  return v.hcr | TSW;
}

/** ctxt_switch_to: recompute the policy's bits of `next.hcr` before HCR_EL2 is written. */
export function ctxtSwitchHcr(v: Vcpu): bigint {
  v.hcr = policyHcr(v, v.sysregs.get('SCTLR_EL1') ?? 0n);
  return v.hcr;
}

// --- the domain builder -------------------------------------------------------------------------

/**
 * Pages just cleared for a domain (alloc_heap_pages → flush_page_to_ram): under xen they are
 * cleaned and invalidated, so no line of the hypervisor's clearing stays in front of them.
 */
export function flushPopulatedPages(xen: Xen, d: Domain, va: number, size: number): void {
  if (domainMmuOffPolicy(d) !== 'xen') return;
  routine('flushPageToRam', () => xen.cpu.dcRange(va, size, 'civac'));
}

/** A builder write to guest memory (copy_to_guest_phys_flush_dcache under xen). */
export function flushBuilderWrite(xen: Xen, d: Domain, va: number, len: number): void {
  if (domainMmuOffPolicy(d) !== 'xen') return;
  routine('cleanAndInvalidateDcacheVaRange', () => xen.cpu.dcRange(va, len, 'civac'));
}

/** Loaded code: DC CVAU over it + IC IALLU (every policy: I/D coherence, see the header). */
export function syncLoadedCode(xen: Xen, d: Domain, ipa: number, len: number): void {
  routine('syncIcacheRange', () => {
    forEachGuestPage(xen, d, ipa, len, (va, n) => xen.cpu.dcRange(va, n, 'cvau'));
    xen.cpu.dsb();
    xen.cpu.icInvalidateAll();
  });
}

/** Visit [ipa, ipa + len) of guest RAM page by page through the hypervisor's mapping. */
function forEachGuestPage(xen: Xen, d: Domain, ipa: number, len: number, fn: (va: number, n: number) => void): void {
  let done = 0;
  while (done < len) {
    const a = ipa + done;
    const b = d.banks.find((x) => a >= x.ipa && a < x.ipa + x.size);
    if (!b) panic(`d${d.id}: cache maintenance outside guest RAM at IPA 0x${a.toString(16)}`);
    const n = Math.min(len - done, b.ipa + b.size - a, PAGE - (a % PAGE));
    const va = xen.mm.mapDomainPage(xen, b.pa + (a - b.ipa));
    fn(va, n);
    xen.mm.unmapDomainPage(xen, va);
    done += n;
  }
}

/** p2m_flush_vm: clean+invalidate all of the domain's RAM, then the instruction cache. */
export function p2mFlushVm(xen: Xen, d: Domain): void {
  routine('p2mFlushVm', () => {
    cacheStats.vmFlushes++;
    for (const b of d.banks) forEachGuestPage(xen, d, b.ipa, b.size, (va, n) => xen.cpu.dcRange(va, n, 'civac'));
    xen.cpu.dsb();
    xen.cpu.icInvalidateAll();
  });
}

// --- guest traps (EC 0x18) ------------------------------------------------------------------------

interface SysregTrap {
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  rt: number;
  read: boolean;
}

const key = (e: { op0: number; op1: number; crn: number; crm: number; op2: number }): string =>
  `${e.op0}_${e.op1}_${e.crn}_${e.crm}_${e.op2}`;

/** The HCR_EL2.TVM registers by encoding, from the catalogue (one source of truth). */
const TVM_REGS: Map<string, string> = (() => {
  const m = new Map<string, string>();
  const names = new Set<string>(VM_CONTROL_REGS);
  for (const def of allSysRegs()) if (names.has(def.name)) m.set(key(def), def.name);
  return m;
})();

/** DC ISW/CSW/CISW by encoding (HCR_EL2.TSW). */
const SET_WAY_OPS = new Set(SYS_OPS.filter((o) => o.kind === 'dc-sw').map(key));

/**
 * A trapped MSR/MRS/SYS this module owns: a TVM write (emulated on the vCPU's live register,
 * as Xen's TVM_REG does) or a set/way operation. Returns false when it is not one of them.
 * The caller advances the PC on true.
 */
export function cacheTrapSysreg(xen: Xen, v: Vcpu, s: SysregTrap): boolean {
  const k = key(s);
  const reg = TVM_REGS.get(k);
  if (reg !== undefined && !s.read) {
    routine('vregEmulateTvm', () => {
      cacheStats.tvmTraps++;
      const val = s.rt === 31 ? 0n : xen.cpu.xr(s.rt);
      if (reg !== 'SCTLR_EL1') {
        xen.cpu.writeSysreg(reg, val);
        return;
      }
      const before = xen.cpu.readSysreg('SCTLR_EL1');
      xen.cpu.writeSysreg('SCTLR_EL1', val);
      const after = xen.cpu.readSysreg('SCTLR_EL1');
      if (domainMmuOffPolicy(v.domain) === 'seed') updateSctlr(xen, v, after);
      else if (domainMmuOffPolicy(v.domain) === 'xen') p2mToggleCache(xen, v, cacheEnabled(before), after);
    });
    checkForVcpuWork(xen, v);
    return true;
  }
  if (SET_WAY_OPS.has(k) && !s.read && domainMmuOffPolicy(v.domain) === 'xen') {
    routine('p2mSetWayFlush', () => {
      cacheStats.setWayTraps++;
      // Only the first operation of a series does anything: the clean covers the whole domain,
      // and TVM then catches the SCTLR write that follows (KVM's and Xen's reasoning: set/way
      // cannot be virtualised, so turn it into "clean everything now and at the next toggle").
      if ((v.hcr & TVM) === 0n) {
        needFlushToRam.add(v);
        setHcr(xen, v, v.hcr | TVM);
      }
    });
    checkForVcpuWork(xen, v);
    return true;
  }
  return false;
}

function setHcr(xen: Xen, v: Vcpu, hcr: bigint): void {
  v.hcr = hcr;
  xen.cpu.writeSysreg('HCR_EL2', hcr);
  xen.cpu.isb();
}

/** The seed's update_sctlr: once M is set, DC must go (they are incompatible) and TVM with it. */
function updateSctlr(xen: Xen, v: Vcpu, sctlr: bigint): void {
  if ((sctlr & SCTLR_M) === 0n) return;
  cacheStats.dcDropped++;
  setHcr(xen, v, v.hcr & ~(DC | TVM));
}

/** p2m_toggle_cache: a change of the cache state asks for a flush; enabled caches end TVM. */
function p2mToggleCache(xen: Xen, v: Vcpu, wasEnabled: boolean, sctlr: bigint): void {
  const now = cacheEnabled(sctlr);
  if (now !== wasEnabled) needFlushToRam.add(v);
  if (now) setHcr(xen, v, v.hcr & ~TVM);
}

/** check_for_vcpu_work: the pending clean, before the vCPU returns to the guest. */
function checkForVcpuWork(xen: Xen, v: Vcpu): void {
  if (!needFlushToRam.delete(v)) return;
  p2mFlushVm(xen, v.domain);
}
