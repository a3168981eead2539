// The register writes that program a plan: installing a whole table on a pCPU, and a context
// switch between two domains (or the idle vCPU, `null`). Writes go through the numbered aliases
// as Xen's runtime does (mpu/arm64/mm.c: PRSELR_EL2 = sel & 0xF0, written only when it changes,
// then PRBAR<sel & 0xF>_EL2 / PRLAR<sel & 0xF>_EL2), so one PRSELR write serves 16 slots.
//
// A switch never passes through a state with two enabled regions matching one address (that is
// a fault on PMSA — an instruction fetch of the next MSR would take it): a slot that goes from
// one range to another is rewritten in the order that makes the half-written region empty:
// PRBAR first when the new range lies above the old one, PRLAR first when below. Ranges of
// different domains are disjoint (planMpu checks), so one of the two always holds. (A region
// matches A when BASE ≤ A ≤ LIMIT, so LIMIT < BASE matches nothing: arm-facts §5.3, marked (?)
// there as not stated in so many words; src/arch/pmsa/lookup.ts does the same.)
import { aliasName, aliasRegion } from '../../../arch/pmsa/regions.js';
import { PRENR_REGIONS, type MpuPlan } from './plan.js';
import type { SlotRegion } from './region.js';

export interface MpuWrite {
  /** System register name as the catalogue spells it: PRSELR_EL2, PRBAR3_EL2, PRENR_EL2… */
  reg: string;
  value: bigint;
}

/** Emits slot writes through the aliases, tracking PRSELR (unknown at the start). */
class SlotWriter {
  readonly writes: MpuWrite[] = [];
  private sel = -1;

  private select(slot: number): number {
    const group = slot & 0xf0;
    if (group !== this.sel) {
      this.writes.push({ reg: 'PRSELR_EL2', value: BigInt(group) });
      this.sel = group;
    }
    const n = slot & 0xf;
    if (aliasRegion(group, n) !== slot) throw new Error(`alias arithmetic for slot ${slot}`);
    return n;
  }

  prbar(slot: number, v: bigint): void {
    this.writes.push({ reg: aliasName(2, this.select(slot), false), value: v });
  }

  prlar(slot: number, v: bigint): void {
    this.writes.push({ reg: aliasName(2, this.select(slot), true), value: v });
  }
}

/** The slot → region map of a table. */
function bySlot(regions: readonly SlotRegion[]): Map<number, SlotRegion> {
  return new Map(regions.map((r) => [r.index, r]));
}

/**
 * Writes that install a whole table on one pCPU with its MPU off (SCTLR_EL2.M = 0: seed 000 —
 * "it is OK to have the memory RWX for a short period" in boot code): every implemented slot
 * is written, unused ones disabled, so nothing left over from before can overlap. 'runtime'
 * includes the guest slots: in PRENR mode every domain's regions, disabled; in rewrite mode
 * the window disabled (the idle vCPU's state).
 */
export function installWrites(plan: MpuPlan, table: 'boot' | 'runtime'): MpuWrite[] {
  const w = new SlotWriter();
  const slots = bySlot(table === 'boot' ? plan.boot : plan.runtime);
  const resident = new Map<number, SlotRegion>();
  if (table === 'runtime' && plan.switching === 'prenr') for (const d of plan.domains) for (const r of d.regions) resident.set(r.index, r);
  for (let i = 0; i < plan.regions; i++) {
    const r = slots.get(i);
    const g = resident.get(i);
    if (r) {
      w.prbar(i, r.prbar);
      w.prlar(i, r.prlar);
    } else if (g) {
      w.prbar(i, g.prbar);
      w.prlar(i, g.prlar & ~1n);
    } else {
      w.prlar(i, 0n);
    }
  }
  return w.writes;
}

/** PRENR value with the hypervisor's regions below 32 and `to`'s regions enabled. */
export function prenrValue(plan: MpuPlan, to: string | null): bigint {
  let v = 0n;
  for (const r of plan.runtime) if (r.index < PRENR_REGIONS) v |= 1n << BigInt(r.index);
  const d = to === null ? undefined : plan.domains.find((x) => x.name === to);
  for (const r of d?.regions ?? []) v |= 1n << BigInt(r.index);
  return v;
}

/** The writes a context switch from `from` to `to` (domain names; null = idle) performs. */
export function switchWrites(plan: MpuPlan, from: string | null, to: string | null): MpuWrite[] {
  if (from === to) return [];
  const dom = (name: string | null): SlotRegion[] => {
    if (name === null) return [];
    const d = plan.domains.find((x) => x.name === name);
    if (!d || d.refused) throw new Error(`switchWrites: no running domain ${name}`);
    return d.regions;
  };
  const a = bySlot(dom(from));
  const b = bySlot(dom(to));
  if (plan.switching === 'prenr') return [{ reg: 'PRENR_EL2', value: prenrValue(plan, to) }];
  const w = new SlotWriter();
  const { first, count } = plan.guestSlots;
  for (let i = first; i < first + count; i++) {
    const old = a.get(i);
    const nu = b.get(i);
    if (!nu) {
      if (old) w.prlar(i, old.prlar & ~1n);
      continue;
    }
    if (!old) {
      w.prbar(i, nu.prbar);
      w.prlar(i, nu.prlar);
    } else if (old.prbar === nu.prbar && old.prlar === nu.prlar) {
      continue;
    } else if (nu.base > old.limit) {
      w.prbar(i, nu.prbar);
      w.prlar(i, nu.prlar);
    } else if (nu.limit < old.base) {
      w.prlar(i, nu.prlar);
      w.prbar(i, nu.prbar);
    } else {
      // Overlapping ranges with other attributes: disable, then rewrite.
      w.prlar(i, old.prlar & ~1n);
      w.prbar(i, nu.prbar);
      w.prlar(i, nu.prlar);
    }
  }
  return w.writes;
}

/** Writes per switch for every ordered pair of states (idle and each running domain). */
export function switchMatrix(plan: MpuPlan): { from: string | null; to: string | null; writes: number }[] {
  const states: (string | null)[] = [null, ...plan.domains.filter((d) => !d.refused).map((d) => d.name)];
  const out: { from: string | null; to: string | null; writes: number }[] = [];
  for (const from of states) for (const to of states) if (from !== to) out.push({ from, to, writes: switchWrites(plan, from, to).length });
  return out;
}
