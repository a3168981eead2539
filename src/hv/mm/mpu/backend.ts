// The MPU implementation of the memory-management interface (../backend.ts), for Armv8-R
// AArch64 where EL2 has no stage-1 translation (seed 000): every address is a PA, the image
// runs where it was linked, and what the hypervisor may touch is what the EL2 MPU's regions
// describe. The regions come from the planner (plan.ts) and are programmed through the PE's
// system registers only (PRSELR_EL2, PRBAR<n>_EL2, PRLAR<n>_EL2, SCTLR_EL2):
//
//   head             the boot-time table, read from the DTB with the MPU still off (Xen MPU's
//                    head.S maps the image sections before start_xen; here the plan's DTB,
//                    modules, static heap, UART and GIC regions go in at the same time, so
//                    start_xen never runs with a region missing), then SCTLR_EL2.M = 1 with
//                    no background region;
//   freeInitMemory   the runtime table (boot-only regions freed, merges applied) — seed 000:
//                    "In the end of Xen initialization, we will use a runtime MPU
//                    configuration to replace boot-time MPU configuration";
//   both             read back through PRSELR/PRBAR<n>/PRLAR<n> and compared with the plan
//                    (diffProgrammed): any difference is a panic.
//
// fixmap/vmap/copyFromPaddr/mapDomainPage have no virtual address to hand out: they return the
// PA, made reachable by a transient region in one of the plan's reserved slots (seed 000: "For
// FIXMAP, we will use 0 in FIXMAP_ADDR ... This will return physical address directly");
// ioremap goes through mpuIoremap, so an attribute the MPU cannot give is a panic naming the
// conflicting region, never a silent wrong mapping.
import type { Xen } from '../../xen.js';
import type { EarlyFdt } from '../../earlyfdt.js';
import { fdtTotalSize, parseFdtOrPanic } from '../../earlyfdt.js';
import type { IoremapAttr, MmBackend } from '../backend.js';
import { panic } from '../../panic.js';
import { bootFdtInfo } from '../../bootfdt.js';
import { SCTLR } from '../../../arch/sysreg/fields.js';
import {
  aliasName,
  decodeRegion,
  describeRegion,
  encodePrbar,
  encodePrlar,
  REGION_GRANULE,
  type Region,
} from '../../../arch/pmsa/regions.js';
import { SCTLR_EL2_SET } from '../mmu/switch.js';
import { planMpu, type DomainMem, type MpuPlan } from './plan.js';
import type { Domain } from '../../domain/domain.js';
import type { P2mType } from '../../p2m/p2m.js';
import { mpuInputFromBootInfo } from './fromFdt.js';
import { sectionsFromXenImage } from './layout.js';
import { installWrites, switchWrites } from './writes.js';
import { diffProgrammed, expectedSlots, type MpuView } from './verify.js';
import { mpuIoremap } from './ioremap.js';
import {
  encodeRegion,
  granuleRange,
  inSlot,
  MPU_MAIRVAL,
  overlap,
  rangeText,
  typeName,
  type MemType,
  type MpuRegion,
  type Perms,
  type SlotRegion,
} from './region.js';

const hx = (n: number): string => '0x' + n.toString(16);
const PAGE_SIZE = 0x1000;

const IOREMAP_TYPE: Record<IoremapAttr, MemType> = { nocache: 'device', wc: 'normal-nc', cached: 'normal' };

/** The EL2 MPU as the PE's system registers show it (what diffProgrammed compares). */
export function mpuReadback(xen: Xen): MpuView {
  const cpu = xen.cpu;
  const count = Number(cpu.readSysreg('MPUIR_EL2') & 0xffn);
  const regions: Region[] = [];
  for (let i = 0; i < count; i++) {
    if ((i & 0xf) === 0) cpu.writeSysreg('PRSELR_EL2', BigInt(i & 0xf0));
    regions.push(decodeRegion(i, cpu.readSysreg(aliasName(2, i & 0xf, false)), cpu.readSysreg(aliasName(2, i & 0xf, true))));
  }
  return { count, region: (i) => regions[i] };
}

export class MpuBackend implements MmBackend {
  readonly name = 'mpu' as const;

  /**
   * dump_hyp_walk on an MPU: no tables to walk (seed 000: "no EL2 stage-1 translation"), so
   * the dump names the enabled EL2 regions that hold `va`, read back through PRSELR/PRBAR/PRLAR
   * — none is a background fault (SCTLR_EL2.BR = 0), two an overlap fault.
   */
  dumpHypWalk(xen: Xen, va: number): string[] {
    const mpu = mpuReadback(xen);
    const out = [`Looking up Hypervisor VA 0x${va.toString(16)} on CPU${xen.cpu.id} in the EL2 MPU (MPUIR_EL2.REGION = ${mpu.count})`];
    for (let i = 0; i < mpu.count; i++) {
      const r = mpu.region(i);
      if (r.en && r.base <= va && va <= r.limit) out.push(`  ${describeRegion(r)}`);
    }
    if (out.length === 1) out.push('  no enabled region holds it');
    return out;
  }
  plan: MpuPlan | null = null;
  /** Each domain's static memory as the plan was made from it (the DT's xen,static-mem). */
  private domainMem: readonly DomainMem[] = [];
  /** The domain whose regions are loaded in each pCPU's EL2 MPU (absent / null: none). */
  private readonly loadedOn = new Map<number, string | null>();
  /**
   * Every stage-2 switch made, with its register writes and the table the pCPU held; each was
   * checked against the plan. `seq` orders it with installLog.
   */
  readonly switchLog: { cpu: number; from: string | null; to: string | null; writes: number; on: 'boot' | 'runtime'; seq: number }[] = [];
  /** Every whole-table install, per pCPU, checked against the plan when it was made. */
  readonly installLog: { cpu: number; table: 'boot' | 'runtime'; seq: number }[] = [];
  private seq = 0;
  /** The system's configuration: boot-time until freeInitMemory (what a secondary coming up installs). */
  table: 'boot' | 'runtime' = 'boot';
  /** The table each pCPU's EL2 MPU holds (its own bank: PMSA regions are per PE). */
  private readonly tableOn = new Map<number, 'boot' | 'runtime'>();
  /** Transient regions in use, by slot. */
  private readonly transient = new Map<number, SlotRegion>();
  /** Regions ioremapped while the boot table is live (slot in the boot table → region). */
  private readonly bootExtra = new Map<number, SlotRegion>();

  private need(): MpuPlan {
    if (!this.plan) panic('MPU: no region plan yet (used before the head programmed the MPU)');
    return this.plan;
  }

  head(xen: Xen, early: EarlyFdt, startXen: () => void): void {
    const cpu = xen.cpu;
    if (xen.image.layout) {
      panic(
        `this image is linked for the MMU at ${hx(xen.image.linkAddr)} (XEN_VIRT_START); an Armv8-R PE has no EL2 stage 1: link it at its load address`,
      );
    }
    if (xen.physOffset !== 0) {
      panic(
        `MPU image linked at ${hx(xen.image.linkAddr)} but loaded at ${hx(xen.loadPa)}: with no virtual addressing it must run where it was linked`,
      );
    }
    void early;
    xen.idPa = xen.loadPa;
    xen.call('cpuInit', () => {
      xen.console.raw('- Initialize CPU -');
      cpu.writeSysreg('MAIR_EL2', MPU_MAIRVAL);
      cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET);
      cpu.isb();
    });
    cpu.writeSysreg('VBAR_EL2', BigInt(xen.sym('hypTrapsVector')));
    this.plan = xen.call('prepareEarlyMappings', () => this.planFromDtb(xen));
    xen.console.raw('- Turning on the MPU -');
    xen.call('enableMpu', () => this.install(xen, 'boot'));
    xen.console.raw('- MPU turned on -');
    startXen();
  }

  /** The plan, from the DTB read by PA with the MPU off (every access allowed, seed 000). */
  private planFromDtb(xen: Xen): MpuPlan {
    const cpu = xen.cpu;
    const blob = cpu.copyFrom(xen.fdtPa, fdtTotalSize(cpu.copyFrom(xen.fdtPa, 8), xen.fdtPa));
    const bi = bootFdtInfo(blob, xen.fdtPa, (pa, len) => cpu.copyFrom(pa, len), { xenImage: { start: xen.loadPa, size: xen.image.size } });
    const tree = parseFdtOrPanic(blob, xen.fdtPa);
    const input = mpuInputFromBootInfo(
      { ...tree, bootCpuidPhys: new DataView(blob.buffer, blob.byteOffset).getUint32(0x1c) },
      bi,
      (pa, len) => cpu.copyFrom(pa, len),
    );
    const regions = Number(cpu.readSysreg('MPUIR_EL2') & 0xffn);
    this.domainMem = input.domains;
    return planMpu({ sections: sectionsFromXenImage(xen.image), bootInfo: bi, devices: input.devices, domains: input.domains, regions });
  }

  /** The table the calling pCPU's EL2 MPU holds. */
  liveTable(xen: Xen): 'boot' | 'runtime' {
    return this.tableOn.get(xen.cpu.id) ?? 'boot';
  }

  /** Program `table` on the calling CPU with its MPU off, turn it on, check it against the plan. */
  private install(xen: Xen, table: 'boot' | 'runtime'): void {
    const cpu = xen.cpu;
    const plan = this.need();
    cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET);
    cpu.isb();
    for (const w of installWrites(plan, table)) cpu.writeSysreg(w.reg, w.value);
    // A secondary coming up while the boot table is live needs what was ioremapped since too.
    if (table === 'boot') for (const r of this.bootExtra.values()) this.program(xen, r, true);
    this.tableOn.set(cpu.id, table);
    this.loadedOn.delete(cpu.id);
    this.installLog.push({ cpu: cpu.id, table, seq: this.seq++ });
    cpu.dsb();
    cpu.isb();
    // No background region (SCTLR_EL2.BR = 0): an address no region covers faults. WXN as on
    // the MMU: the plan never makes a writable region executable anyway.
    cpu.writeSysreg('SCTLR_EL2', SCTLR_EL2_SET | BigInt(SCTLR.M | SCTLR.C | SCTLR.WXN));
    cpu.isb();
    this.check(xen, table);
  }

  /** diffProgrammed against the live MPU; panic on any difference (`what`: the situation, for the message). */
  private check(xen: Xen, table: 'boot' | 'runtime', what?: string): void {
    const bad = this.diff(xen, table);
    if (bad.length)
      panic(`MPU: ${what ?? `the programmed ${table}-time configuration on CPU${xen.cpu.id} differs from the plan`}: ${bad.join('; ')}`);
  }

  /** diffProgrammed of the live MPU against `table`, less the regions this backend added since. */
  private diff(xen: Xen, table: 'boot' | 'runtime'): string[] {
    const running = table === 'runtime' ? (this.loadedOn.get(xen.cpu.id) ?? null) : null;
    const diff = diffProgrammed(this.need(), mpuReadback(xen), table, running);
    // Regions this backend added since (ioremap while booting, transient mappings) are expected too.
    const extra = new Set([...this.transient.keys(), ...(table === 'boot' ? this.bootExtra.keys() : [])]);
    return diff.filter((l) => !extra.has(Number(/^slot (\d+):/.exec(l)?.[1] ?? -1)));
  }

  /** The slots enabled in the live table, with what is in them. */
  private live(xen: Xen): Map<number, SlotRegion> {
    const plan = this.need();
    const table = this.liveTable(xen);
    const m = expectedSlots(plan, table, table === 'runtime' ? (this.loadedOn.get(xen.cpu.id) ?? null) : null);
    if (table === 'boot') for (const [i, r] of this.bootExtra) m.set(i, r);
    for (const [i, r] of this.transient) m.set(i, r);
    return m;
  }

  private program(xen: Xen, r: SlotRegion, en: boolean): void {
    const cpu = xen.cpu;
    const { prbar, prlar } = encodeRegion(r, en);
    cpu.writeSysreg('PRSELR_EL2', BigInt(r.index & 0xf0));
    if (en) cpu.writeSysreg(aliasName(2, r.index & 0xf, false), prbar);
    cpu.writeSysreg(aliasName(2, r.index & 0xf, true), prlar);
    cpu.dsb();
    cpu.isb();
  }

  /** A free slot of the live table for a transient mapping (the plan's reserved ones first). */
  private freeSlot(xen: Xen, purpose: string): number {
    const plan = this.need();
    // Resident (disabled) guest regions of PRENR mode hold their slots too.
    const used = new Set([
      ...this.live(xen).keys(),
      ...(this.liveTable(xen) === 'runtime' ? plan.domains.flatMap((d) => d.regions.map((r) => r.index)) : []),
    ]);
    const order = this.liveTable(xen) === 'runtime' ? plan.free : Array.from({ length: plan.regions }, (_, i) => i);
    const slot = order.find((i) => !used.has(i));
    if (slot === undefined) panic(`MPU: no free EL2 region for ${purpose}: all ${plan.regions} are in use`);
    return slot;
  }

  /**
   * Make [pa, pa + len) readable (and writable for `perms` rw) at VA = PA: nothing to do when a
   * live region already gives it; a transient region otherwise. Returns the slot to drop, or null.
   */
  private reach(xen: Xen, pa: number, len: number, perms: Exclude<Perms, 'rwx'>, type: MemType, purpose: string): number | null {
    const want = granuleRange(pa, len);
    for (const r of this.live(xen).values()) {
      if (!overlap(r, want)) continue;
      // A guest region live at EL2 is the loaded domain's own RAM, which EL2 may use too.
      const covers = r.base <= want.base && want.limit <= r.limit;
      const rightsOk = perms === 'r' || r.perms === 'rw';
      if (covers && rightsOk) return null;
      panic(
        `MPU: ${purpose} [${hx(pa)}, ${hx(pa + len)}) overlaps region ${r.index} (${r.purpose} ${rangeText(r)}, ${typeName(r.type)} ${r.perms.toUpperCase()}); PMSA regions may not overlap`,
      );
    }
    const slot = this.freeSlot(xen, purpose);
    const region: MpuRegion = { ...want, perms, type, guest: false, lifetime: 'boot', owner: 'xen', purpose };
    const s = inSlot(region, slot);
    this.transient.set(slot, s);
    this.program(xen, s, true);
    return slot;
  }

  private drop(xen: Xen, slot: number | null): void {
    if (slot === null) return;
    const r = this.transient.get(slot);
    if (!r) panic(`MPU: slot ${slot} holds no transient mapping`);
    this.program(xen, r, false);
    this.transient.delete(slot);
  }

  setupPagetables(xen: Xen): void {
    const plan = this.need();
    xen.printk(`MPU: EL2 has no stage-1 translation: MPUIR_EL2.REGION = ${plan.regions}, VA = PA everywhere`);
    xen.printk(`Xen image: ${hx(xen.loadPa)} - ${hx(xen.loadPa + xen.image.size)} linked at its load address`);
    for (const l of tableLines(plan)) xen.printk(l);
  }

  earlyFdtMap(xen: Xen, fdtPa: number): number {
    if (fdtPa % 8 !== 0) panic(`Invalid device tree blob at physical address ${hx(fdtPa)}: not 8-byte aligned`);
    return fdtPa;
  }

  copyFromPaddr(xen: Xen, pa: number, len: number): Uint8Array {
    return xen.call('copyFromPaddr', () => {
      const slot = this.reach(xen, pa, len, 'r', 'normal-nc', 'copyFromPaddr');
      const out = xen.cpu.copyFrom(pa, len);
      this.drop(xen, slot);
      return out;
    });
  }

  setupDirectmap(): void {
    // No directmap: the allocators hand out static-heap PAs, which a region already covers.
  }

  vmInit(): void {}

  ioremapAttr(xen: Xen, pa: number, len: number, attr: IoremapAttr): number {
    return xen.call('ioremapAttr', () => {
      const first = pa - (pa % REGION_GRANULE);
      const size = Math.ceil((pa + len - first) / REGION_GRANULE) * REGION_GRANULE;
      const r = mpuIoremap(this.need(), first, size, IOREMAP_TYPE[attr]);
      if (!r.ok) panic(`MPU: ${r.error}`);
      if (!r.reused) {
        // Into the calling pCPU's bank (a runtime ioremap on a secondary's bank is not done yet).
        if (this.liveTable(xen) === 'runtime') this.program(xen, r.region, true);
        else {
          // The boot table is live: the new runtime region also needs a boot-time slot.
          const slot = this.freeSlot(xen, `ioremap ${hx(first)}`);
          const s = { ...r.region, index: slot };
          this.bootExtra.set(slot, s);
          this.program(xen, s, true);
        }
      }
      return pa;
    });
  }

  vmap(xen: Xen, pas: number[], attr: IoremapAttr): number {
    // No virtual addressing: only a physically contiguous run can be "mapped" (at its PA).
    for (let i = 1; i < pas.length; i++) {
      if (pas[i] !== pas[0] + i * PAGE_SIZE)
        panic(`MPU: vmap of non-contiguous pages (${hx(pas[0])}, ${hx(pas[i])}): there is no VA to gather them at`);
    }
    return this.ioremapAttr(xen, pas[0], pas.length * PAGE_SIZE, attr);
  }

  vunmap(): void {
    // ioremapped regions are permanent (Xen's xen_mpumap_update keeps a refcount; nothing here drops one yet).
  }

  mapDomainPage(xen: Xen, pa: number): number {
    return xen.call('mapDomainPage', () => {
      const page = pa - (pa % PAGE_SIZE);
      const slot = this.reach(xen, page, PAGE_SIZE, 'rw', 'normal', 'mapDomainPage');
      if (slot !== null) this.domainPages.set(page, slot);
      return pa;
    });
  }

  private readonly domainPages = new Map<number, number>();

  unmapDomainPage(xen: Xen, va: number): void {
    xen.call('unmapDomainPage', () => {
      const page = va - (va % PAGE_SIZE);
      const slot = this.domainPages.get(page);
      if (slot === undefined) return;
      this.domainPages.delete(page);
      this.drop(xen, slot);
    });
  }

  bootAllocatorKeep(): number {
    return NaN;
  }

  updateIdentityMapping(): void {
    // VA = PA: secondaries enter at the PA of initSecondary, which .text.idmap already covers.
  }

  secondaryEntry(xen: Xen): number {
    return xen.sym('initSecondary');
  }

  /**
   * enable_secondary_cpu_mm (Xen's arm64/mpu/head.S has only a stub that spins, "SMP not
   * enabled yet": xen-facts §4.5): with this PE's MPU off, the table the system is in — the
   * boot-time one, from the shared plan, while start_xen runs — then SCTLR_EL2.M with WXN, and
   * the bank read back against the plan. PMSA regions are per PE: nothing is shared but the plan.
   */
  enableSecondaryMm(xen: Xen): void {
    xen.cpu.writeSysreg('MAIR_EL2', MPU_MAIRVAL);
    xen.cpu.writeSysreg('VBAR_EL2', BigInt(xen.sym('hypTrapsVector')));
    xen.call('enableMpu', () => this.install(xen, this.table));
  }

  domainMemory(xen: Xen, path: string): string[] {
    // The planner names a domain by its node name (fromFdt.ts domainMem).
    const domain = path.slice(path.lastIndexOf('/') + 1);
    const d = this.need().domains.find((x) => x.name === domain);
    if (!d) panic(`MPU: domain ${domain} is not in the region plan`);
    // Refused at creation (seed 000: the EL2 regions are shared between Xen and the guests).
    if (d.refused) panic(`Unable to create ${domain}: ${d.refused}`);
    const slots = d.regions.map((r) => r.index);
    return [
      `${domain}: direct-mapped (IPA = PA), ${d.needed} EL2 MPU region${d.needed === 1 ? '' : 's'} (slots ${slots.join(', ')}) loaded on context switch:`,
      ...d.regions.map((r) => `  ${rangeText(r)} ${r.perms.toUpperCase()} ${typeName(r.type)} ${r.purpose}`),
    ];
  }

  /**
   * A direct-mapped domain's stage 2 is its planned region window (seed 000: "The MPU at EL2
   * manages EL1 stage 2 access permissions"): nothing to build, its RAM is its xen,static-mem
   * (IPA = PA), which must be the domain's whole `memory`.
   */
  p2mInit(xen: Xen, d: Domain): void {
    xen.call('p2mInit', () => {
      const name = planName(d);
      const mem = this.domainMem.find((m) => m.name === name);
      const planned = this.need().domains.find((x) => x.name === name);
      if (!mem || !planned) panic(`MPU: domain ${name} is not in the region plan`);
      if (planned.refused) panic(`Unable to create ${name}: ${planned.refused}`);
      const total = mem.ram.reduce((n, b) => n + b.size, 0);
      if (total !== d.memKb * 1024)
        panic(
          `Unable to create ${name}: memory = ${d.memKb}KB but xen,static-mem gives ${total / 1024}KB (a direct-mapped domain gets exactly its static memory)`,
        );
      xen.printk(`Assigning static memory of d${d.id} (direct-mapped, IPA = PA):`);
      for (const b of mem.ram) {
        // Scrubbed through one transient region per bank (the guest regions are not live at EL2 yet).
        const slot = this.reach(xen, b.start, b.size, 'rw', 'normal', `scrub d${d.id} static memory`);
        xen.cpu.zero(b.start, b.size);
        this.drop(xen, slot);
        d.banks.push({ ipa: b.start, pa: b.start, size: b.size });
        xen.printk(`d${d.id} BANK ${hx(b.start)}-${hx(b.start + b.size)} (${b.size / (1024 * 1024)}MB)`);
      }
    });
  }

  p2mLookup(xen: Xen, d: Domain, ipa: number): { pa: number; type: P2mType } | null {
    void xen;
    return d.banks.some((b) => ipa >= b.ipa && ipa < b.ipa + b.size) ? { pa: ipa, type: 'ram_rw' } : null;
  }

  /**
   * The context switch of the stage 2: switchWrites from what this pCPU's EL2 MPU holds to
   * `next`'s regions (one PRENR write in PRENR mode), then the bank read back and compared with
   * the plan (diffProgrammed) — a difference is a panic (with --knob unpause-early on a bank
   * still holding the boot-time table: warnings, and the guest is entered). EL1&0 runs PMSA
   * (VTCR_EL2.MSA = 0) with its own MPU off (SCTLR_EL1.M = 0 from SCTLR_GUEST_INIT). The idle
   * vCPU (`next` null) has no guest region enabled.
   */
  p2mLoad(xen: Xen, prev: Domain | null, next: Domain | null): void {
    void prev;
    xen.call('p2mLoad', () => {
      const cpu = xen.cpu;
      const plan = this.need();
      // seed 000: a domain must never run on the boot-time configuration — init_done unpauses
      // the domains only after every pCPU installed the runtime table. Should one switch in on
      // a bank still holding the boot-time table (--knob unpause-early), the writes below assume
      // the runtime layout, and the check after them says what this pCPU really holds.
      const on = this.liveTable(xen);
      const from = this.loadedOn.get(cpu.id) ?? null;
      // The idle vCPU: no guest region enabled, so nothing of a domain stays reachable.
      const to = next ? planName(next) : null;
      if (from === to) return;
      const writes = switchWrites(plan, from, to);
      for (const w of writes) cpu.writeSysreg(w.reg, w.value);
      cpu.writeSysreg('VTCR_EL2', 0n);
      cpu.dsb();
      cpu.isb();
      this.loadedOn.set(cpu.id, to);
      this.switchLog.push({ cpu: cpu.id, from, to, writes: writes.length, on, seq: this.seq++ });
      const who = `CPU${cpu.id} switched ${to ?? 'the idle vCPU'} in while its EL2 MPU holds the boot-time configuration`;
      if (on === 'boot') for (const l of this.bootTableDamage(xen, who, to)) xen.printk(l);
      // The test knob lets the switch stand so that what follows can be seen: the ERET into
      // the guest on this bank (see bootTableDamage). Without it this is the plan check's panic.
      const bad = on === 'boot' && xen.knobs.unpauseEarly ? this.diff(xen, 'runtime') : [];
      if (bad.length) {
        xen.printk(
          `MPU: WARNING: CPU${cpu.id}'s EL2 MPU differs from the runtime plan in ${bad.length} slots; entering ${to ?? 'idle'} anyway (--knob unpause-early):`,
        );
        for (const l of bad) xen.printk(`  ${l}`);
        return;
      }
      this.check(xen, 'runtime', on === 'boot' ? who : undefined);
    });
  }

  /**
   * What a switch made on a bank holding the boot-time table leaves (read back from the bank):
   * boot-only regions still live at EL2, boot-time regions the switch turned off, and the
   * domain's own regions that are not there — its stage 2 as the EL2 MPU gives it.
   */
  private bootTableDamage(xen: Xen, who: string, to: string | null): string[] {
    const plan = this.need();
    const bank = mpuReadback(xen);
    const holds = (r: SlotRegion): boolean => {
      const g = bank.region(r.index);
      return g.en && encodePrbar(g) === r.prbar && encodePrlar(g) === r.prlar;
    };
    const names = (rs: SlotRegion[]): string => rs.map((r) => `${r.purpose} (slot ${r.index})`).join(', ') || 'none';
    const d = plan.domains.find((x) => x.name === to);
    return [
      `MPU: ${who}:`,
      `  boot-only regions still live at EL2: ${names(plan.boot.filter((r) => r.lifetime === 'boot' && holds(r)))}`,
      `  boot-time regions the switch turned off: ${names(plan.boot.filter((r) => !bank.region(r.index).en))}`,
      ...(d ? [`  ${d.name}'s regions missing from the bank (its stage 2): ${names(d.regions.filter((r) => !holds(r)))}`] : []),
    ];
  }

  freeInitMemory(xen: Xen): number {
    const plan = this.need();
    if (this.transient.size) panic(`MPU: ${this.transient.size} transient mapping(s) still live at the end of init`);
    const it = xen.image.section('.init.text');
    const id = xen.image.section('.init.data');
    // The runtime table has no region for .init, the DTB or the boot modules: installing it is
    // what frees them (they become unreachable, seed 000 "drop the Xen init code & data").
    this.table = 'runtime';
    this.bootExtra.clear();
    xen.call('setupRuntimeMpu', () => this.install(xen, 'runtime'));
    xen.printk(
      `MPU: runtime configuration installed: ${plan.hypervisorRegions} hypervisor regions (${plan.freed.length} boot-only freed, ${plan.merges.length} merge${plan.merges.length === 1 ? '' : 's'}); EL2 MPU = plan`,
    );
    return (id.offset + id.size - it.offset) / 1024;
  }

  /**
   * A secondary's part of free_init_memory (by cross-call from initDone): the same runtime
   * table in its own EL2 MPU, MPU off while it is written, then checked against the plan — so
   * no pCPU can still reach .init, the DTB or the boot modules, or lack a domain's resident
   * regions, when the domains are unpaused.
   */
  freeInitMemoryOnCpu(xen: Xen): void {
    if (this.table !== 'runtime') panic(`MPU: CPU${xen.cpu.id} asked to install the runtime configuration before the boot CPU did`);
    xen.call('setupRuntimeMpu', () => this.install(xen, 'runtime'));
    xen.printk(`MPU: CPU${xen.cpu.id}: runtime configuration installed; EL2 MPU = plan`);
  }
}

/** The plan names a domain by its node name (fromFdt.ts domainMem). */
function planName(d: Domain): string {
  return d.node.slice(d.node.lastIndexOf('/') + 1);
}

/** The plan's two tables as (XEN) lines, like `armvisor mpu-plan` prints them. */
export function tableLines(plan: MpuPlan): string[] {
  const row = (r: SlotRegion): string =>
    `  ${String(r.index).padStart(3)} ${rangeText(r)} ${r.perms.toUpperCase().padEnd(2)} ${typeName(r.type).padEnd(10)} ${r.purpose}${r.lifetime === 'boot' ? ' [boot only]' : ''}`;
  return [
    `MPU boot-time configuration: ${plan.boot.length} regions + ${plan.reserve} reserved for transient mappings:`,
    ...plan.boot.map(row),
    `MPU runtime configuration (after init): ${plan.hypervisorRegions} regions; freed: ${plan.freed.map((r) => r.purpose).join(', ') || 'nothing'}:`,
    ...plan.runtime.map(row),
    `MPU guest slots: ${plan.guestSlots.count ? `${plan.guestSlots.first}..${plan.guestSlots.first + plan.guestSlots.count - 1}` : 'none'} (${plan.switching === 'prenr' ? 'PRENR switch' : 'window rewrite'})`,
  ];
}
