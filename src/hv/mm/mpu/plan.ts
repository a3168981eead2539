// EL2 MPU region planning (issue 7, seed 000): from the hypervisor image's sections, what the
// device tree gave bootFdtInfo, the devices the hypervisor drives and MPUIR_EL2, compute
//
//   the boot-time table   one region per image section (Xen's head.S prepare_xen_region loop,
//                         so each can later be freed or changed whole — Xen refuses partial
//                         removal), the UART, the DTB, every boot module, the static heap and
//                         the GIC; regions are plentiful here since no guest is loaded yet;
//   the runtime table     boot-only regions (init sections, DTB, modules) freed, then adjacent
//                         compatible regions merged ("The runtime MPU configuration will merge
//                         and reorder memory regions to save more MPU regions for guests" —
//                         seed 000), packed at the bottom: slots 0..H-1;
//   the guest regions     each domain's direct-mapped static memory (IPA = PA) and passthrough
//                         MMIO; emulated devices (vpl011, vGIC) are left unmapped so the guest's
//                         access faults to EL2 and is emulated;
//   the switch            either every domain's regions stay resident, disabled, in slots below
//                         32 and a context switch is one PRENR write (Bao's enable-mask switch),
//                         or all domains share one window of W slots at the top and a switch
//                         rewrites only what differs there;
//   the budget            H hypervisor + R reserved (transient: mapDomainPage, copyFromPaddr,
//                         ioremap) + a domain's regions ≤ MPUIR_EL2, else that domain is refused
//                         with the numbers.
//
// Pure: no PE, no registers. The MPU backend programs what this returns (writes.ts turns the
// tables into PRSELR/PRBAR<n>/PRLAR<n>/PRENR writes).
import type { BootInfo, MemBank } from '../../bootinfo.js';
import { MODULE_KIND_NAME } from '../../bootfdt.js';
import { panic } from '../../panic.js';
import { MAX_REGIONS } from '../../../arch/pmsa/regions.js';
import type { ImageSection } from './layout.js';
import { compatible, granuleAligned, granuleRange, inSlot, overlap, spanText, type MpuRegion, type SlotRegion } from './region.js';

/** A device the hypervisor itself drives (console UART, GIC distributor / redistributors). */
export interface MpuDevice {
  name: string;
  start: number;
  size: number;
}

/** A domain's memory as the MPU sees it: direct-mapped RAM banks and passthrough MMIO. */
export interface DomainMem {
  name: string;
  ram: MemBank[];
  mmio?: MemBank[];
}

export type SwitchMode = 'prenr' | 'rewrite';

export interface MpuPlanInput {
  sections: readonly ImageSection[];
  bootInfo: Pick<BootInfo, 'modules' | 'staticHeap'>;
  devices: readonly MpuDevice[];
  domains: readonly DomainMem[];
  /** MPUIR_EL2.REGION. */
  regions: number;
  /** Slots kept free for transient mappings (default 2: copyFromPaddr's source and mapDomainPage's destination while a kernel is copied into a domain). */
  reserve?: number;
  /** How a context switch changes the guest regions (default: PRENR when everything fits below 32). */
  switching?: SwitchMode | 'auto';
}

/** One merge made for the runtime table, and why it is allowed. */
export interface MergeDecision {
  owner: string;
  parts: string[];
  result: MpuRegion;
  why: string;
}

export interface DomainPlan {
  name: string;
  /** The domain's regions in the slots they are loaded into (empty when refused). */
  regions: SlotRegion[];
  /** Regions it needs (after merging its adjacent banks). */
  needed: number;
  /** Why the domain cannot be created, with needed and available regions. */
  refused?: string;
}

export interface MpuPlan {
  regions: number;
  reserve: number;
  boot: SlotRegion[];
  /** Boot regions dropped when init is done. */
  freed: SlotRegion[];
  merges: MergeDecision[];
  /** Hypervisor regions at run time (slots 0..H-1, plus any later mpuIoremap). */
  runtime: SlotRegion[];
  /** Count of hypervisor regions in the runtime table before any ioremap. */
  hypervisorRegions: number;
  domains: DomainPlan[];
  switching: SwitchMode;
  /** Slots holding guest regions: the shared window (rewrite) or every domain's slots (prenr). */
  guestSlots: { first: number; count: number };
  /** Slots free at run time, lowest first (the first `reserve` of them are the transient pool). */
  free: number[];
}

/** Regions a domain may use: what is left after the hypervisor and the transient pool. */
export function availableForGuests(plan: Pick<MpuPlan, 'regions' | 'hypervisorRegions' | 'reserve'>): number {
  return Math.max(0, plan.regions - plan.hypervisorRegions - plan.reserve);
}

/** PRENR_ELx holds the enable bits of regions 0..31 only. */
export const PRENR_REGIONS = 32;

export function planMpu(input: MpuPlanInput): MpuPlan {
  const n = input.regions;
  if (!Number.isInteger(n) || n < 1 || n > MAX_REGIONS) panic(`MPU: MPUIR_EL2.REGION = ${n}; must be 1..${MAX_REGIONS}`);
  const reserve = input.reserve ?? 2;

  // ---- boot-time table ------------------------------------------------------------------------
  const boot = bootRegions(input);
  if (boot.length + reserve > n) {
    panic(
      `MPU: the boot-time configuration needs ${boot.length + reserve} EL2 MPU regions (${boot.length} mapped + ${reserve} reserved for transient mappings) but MPUIR_EL2 implements ${n}`,
    );
  }
  const bootSlots = boot.map((r, i) => inSlot(r, i));

  // ---- runtime hypervisor table ---------------------------------------------------------------
  const merges: MergeDecision[] = [];
  const keep = mergeAdjacent(
    boot.filter((r) => r.lifetime === 'permanent'),
    merges,
  );
  const hyp = keep.length;
  if (hyp + reserve > n) {
    panic(
      `MPU: the runtime configuration needs ${hyp + reserve} EL2 MPU regions (${hyp} hypervisor + ${reserve} reserved) but MPUIR_EL2 implements ${n}`,
    );
  }

  // ---- domains -----------------------------------------------------------------------------------
  const avail = n - hyp - reserve;
  const domRegions = input.domains.map((d) => domainRegions(d, boot, merges));
  checkDomainsDisjoint(input.domains, domRegions);
  const domains: DomainPlan[] = input.domains.map((d, i) => {
    const needed = domRegions[i].length;
    const out: DomainPlan = { name: d.name, regions: [], needed };
    if (needed > avail) {
      out.refused = `domain ${d.name}: needs ${needed} EL2 MPU regions, ${avail} available (MPUIR_EL2 ${n} - ${hyp} hypervisor - ${reserve} reserved)`;
    }
    return out;
  });

  // ---- switching and slots ------------------------------------------------------------------------
  const accepted = domains.map((d, i) => ({ d, regs: domRegions[i] })).filter((x) => !x.d.refused);
  const total = accepted.reduce((s, x) => s + x.regs.length, 0);
  const prenrTop = Math.min(n, PRENR_REGIONS);
  const prenrFits = hyp + total <= prenrTop && hyp + reserve + total <= n;
  const want = input.switching ?? 'auto';
  if (want === 'prenr' && !prenrFits) {
    panic(
      `MPU: PRENR switching keeps every domain's regions in slots 0..${prenrTop - 1}: ${hyp} hypervisor + ${total} guest regions do not fit${hyp + reserve + total > n ? ` with ${reserve} reserved in ${n}` : ''}`,
    );
  }
  const switching: SwitchMode = want === 'auto' ? (prenrFits ? 'prenr' : 'rewrite') : want;
  let guestSlots: { first: number; count: number };
  if (switching === 'prenr') {
    guestSlots = { first: prenrTop - total, count: total };
    let at = guestSlots.first;
    for (const x of accepted) x.d.regions = x.regs.map((r) => inSlot(r, at++));
  } else {
    const w = accepted.reduce((m, x) => Math.max(m, x.regs.length), 0);
    guestSlots = { first: n - w, count: w };
    for (const x of accepted) x.d.regions = x.regs.map((r, i) => inSlot(r, n - w + i));
  }
  const runtime = keep.map((r, i) => inSlot(r, i));
  const free: number[] = [];
  for (let i = hyp; i < n; i++) if (i < guestSlots.first || i >= guestSlots.first + guestSlots.count) free.push(i);

  return {
    regions: n,
    reserve,
    boot: bootSlots,
    freed: bootSlots.filter((r) => r.lifetime === 'boot'),
    merges,
    runtime,
    hypervisorRegions: hyp,
    domains,
    switching,
    guestSlots,
    free,
  };
}

/** The boot-time regions in slot order: sections, UART, DTB, modules, static heap, GIC. */
function bootRegions(input: MpuPlanInput): MpuRegion[] {
  const out: MpuRegion[] = [];
  const sections = [...input.sections].sort((a, b) => a.start - b.start);
  for (const s of sections) {
    if (s.end === s.start) continue; // Xen's prepare_xen_region skips empty sections
    const r: MpuRegion = {
      base: s.start,
      limit: s.end - 1,
      perms: s.perms,
      type: 'normal',
      guest: false,
      lifetime: s.init ? 'boot' : 'permanent',
      owner: 'xen',
      purpose: s.name,
      why: SECTION_WHY[s.perms],
    };
    // The linker script aligns sections; a section off the 64-byte granule cannot get its own
    // rights without giving them to its neighbour too.
    if (s.end < s.start || !granuleAligned(r))
      panic(`MPU: section ${s.name} [${hexs(s.start)}, ${hexs(s.end)}) is not on the 64-byte region granule`);
    out.push(r);
  }
  const dev = (d: MpuDevice): MpuRegion => ({
    ...granuleRange(d.start, d.size),
    perms: 'rw',
    type: 'device',
    guest: false,
    lifetime: 'permanent',
    owner: 'xen',
    purpose: d.name,
    why: /uart/i.test(d.name) ? 'the console, from early printk on' : 'the hypervisor drives the GIC',
  });
  const uarts = input.devices.filter((d) => /uart/i.test(d.name));
  for (const d of uarts) add(out, dev(d));
  const mods = input.bootInfo.modules;
  mods.forEach((m, i) => {
    if (m.kind === 'xen') return; // the image: mapped section by section above
    const purpose = m.kind === 'fdt' ? 'DTB' : `MODULE[${i}] ${MODULE_KIND_NAME[m.kind]} ${m.node}`;
    const why = m.kind === 'fdt' ? 'read while booting: bootFdtInfo, unflattening' : 'copied into its domain at construction';
    add(out, { ...granuleRange(m.start, m.size), perms: 'r', type: 'normal', guest: false, lifetime: 'boot', owner: 'xen', purpose, why });
  });
  input.bootInfo.staticHeap.forEach((b, i) => {
    const r: MpuRegion = {
      base: b.start,
      limit: b.start + b.size - 1,
      perms: 'rw',
      type: 'normal',
      guest: false,
      lifetime: 'permanent',
      owner: 'xen',
      purpose: input.bootInfo.staticHeap.length > 1 ? `static heap ${i}` : 'static heap',
      why: 'xen,static-heap: the only memory the allocators get',
    };
    if (!granuleAligned(r)) panic(`MPU: xen,static-heap bank ${spanText(r)} is not on the 64-byte region granule`);
    add(out, r);
  });
  for (const d of input.devices) if (!uarts.includes(d)) add(out, dev(d));
  return out;
}

/**
 * Add a boot region. Overlap is a fault on PMSA (two enabled regions matching one address), so
 * an overlapping region is only accepted when it is compatible — two read-only boot modules
 * sharing a 64-byte granule after rounding — and then joins the existing one.
 */
function add(out: MpuRegion[], r: MpuRegion): void {
  for (let i = 0; i < out.length; i++) {
    const o = out[i];
    if (!overlap(o, r)) continue;
    if (compatible(o, r) && o.lifetime === 'boot') {
      out[i] = { ...o, base: Math.min(o.base, r.base), limit: Math.max(o.limit, r.limit), purpose: `${o.purpose} + ${r.purpose}` };
      return;
    }
    panic(`MPU: ${r.purpose} ${spanText(r)} overlaps ${o.purpose} ${spanText(o)}: one address cannot have two sets of attributes`);
  }
  out.push(r);
}

/** Sort by base and merge neighbours that touch and are compatible; record each merge. */
export function mergeAdjacent(regions: readonly MpuRegion[], merges: MergeDecision[]): MpuRegion[] {
  const sorted = [...regions].sort((a, b) => a.base - b.base);
  const out: MpuRegion[] = [];
  const parts: string[][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.limit + 1 === r.base && compatible(last, r)) {
      out[out.length - 1] = { ...last, limit: r.limit, purpose: `${last.purpose} + ${r.purpose}` };
      parts[parts.length - 1].push(r.purpose);
    } else {
      out.push(r);
      parts.push([r.purpose]);
    }
  }
  out.forEach((r, i) => {
    if (parts[i].length < 2) return;
    const rights = `${r.perms.toUpperCase()} ${r.type}${r.guest ? ', EL1&0 access' : ', EL2 only'}, ${r.lifetime}`;
    merges.push({ owner: r.owner, parts: parts[i], result: r, why: `adjacent (each ends where the next begins) and alike: ${rights}` });
  });
  return out;
}

/** A domain's regions: its RAM banks (RWX at stage 2, Normal WB) and passthrough MMIO (Device). */
function domainRegions(d: DomainMem, boot: readonly MpuRegion[], merges: MergeDecision[]): MpuRegion[] {
  const rs: MpuRegion[] = [];
  const mk = (b: MemBank, i: number, mmio: boolean): MpuRegion => ({
    base: b.start,
    limit: b.start + b.size - 1,
    perms: mmio ? 'rw' : 'rwx',
    type: mmio ? 'device' : 'normal',
    guest: true,
    lifetime: 'guest',
    owner: d.name,
    purpose: mmio ? `passthrough MMIO ${i}` : `RAM bank ${i}`,
    why: mmio ? 'passthrough device: Device, never executable' : 'xen,static-mem, direct-mapped (IPA = PA)',
  });
  d.ram.forEach((b, i) => rs.push(mk(b, i, false)));
  (d.mmio ?? []).forEach((b, i) => rs.push(mk(b, i, true)));
  for (const r of rs) {
    // Rounding a guest range out to the granule would hand the guest someone else's bytes.
    if (r.limit < r.base || !granuleAligned(r))
      panic(`MPU: domain ${d.name}: ${r.purpose} ${spanText(r)} is not on the 64-byte region granule`);
    for (const h of boot) {
      if (overlap(h, r)) panic(`MPU: domain ${d.name}: ${r.purpose} ${spanText(r)} overlaps the hypervisor's ${h.purpose} ${spanText(h)}`);
    }
  }
  for (let i = 0; i < rs.length; i++) {
    for (let j = 0; j < i; j++) {
      if (overlap(rs[i], rs[j]))
        panic(`MPU: domain ${d.name}: ${rs[i].purpose} ${spanText(rs[i])} overlaps its ${rs[j].purpose} ${spanText(rs[j])}`);
    }
  }
  return mergeAdjacent(rs, merges);
}

/** Direct-mapped domains must not share memory: their regions are all valid at the same PAs. */
function checkDomainsDisjoint(ds: readonly DomainMem[], regs: MpuRegion[][]): void {
  for (let i = 0; i < ds.length; i++) {
    for (let j = 0; j < i; j++) {
      for (const a of regs[i]) {
        for (const b of regs[j]) {
          if (overlap(a, b))
            panic(`MPU: domain ${ds[i].name}: ${a.purpose} ${spanText(a)} overlaps domain ${ds[j].name}'s ${b.purpose} ${spanText(b)}`);
        }
      }
    }
  }
}

const SECTION_WHY: Record<ImageSection['perms'], string> = {
  rx: 'code: executable, read-only (W^X)',
  r: 'constants: read-only, execute-never',
  rw: 'data: writable, execute-never (W^X)',
};

function hexs(n: number): string {
  return `0x${n.toString(16)}`;
}
