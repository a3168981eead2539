// Does an MPU hold what the plan says? Compares every slot of a PE's EL2 MPU with the plan's
// table (boot, or runtime with one domain — or none — loaded) and lists the differences. This
// is how a booted system is checked against `armvisor mpu-plan`: read the bank after boot or
// after a context switch, expect an empty list.
import { describeRegion, encodePrbar, encodePrlar, type Region } from '../../../arch/pmsa/regions.js';
import type { MpuPlan } from './plan.js';
import type { SlotRegion } from './region.js';

/** What verification needs of an MPU (the machine's MpuBank has it). */
export interface MpuView {
  readonly count: number;
  region(i: number): Region;
}

/** The enabled regions the plan expects, by slot. */
export function expectedSlots(plan: MpuPlan, table: 'boot' | 'runtime', running: string | null = null): Map<number, SlotRegion> {
  const out = new Map<number, SlotRegion>();
  if (table === 'boot') {
    for (const r of plan.boot) out.set(r.index, r);
    return out;
  }
  for (const r of plan.runtime) out.set(r.index, r);
  const d = running === null ? undefined : plan.domains.find((x) => x.name === running && !x.refused);
  if (running !== null && !d) throw new Error(`expectedSlots: no running domain ${running}`);
  for (const r of d?.regions ?? []) out.set(r.index, r);
  return out;
}

/** Differences between `mpu` and the plan, one line each; [] when they agree. */
export function diffProgrammed(plan: MpuPlan, mpu: MpuView, table: 'boot' | 'runtime', running: string | null = null): string[] {
  const want = expectedSlots(plan, table, running);
  const out: string[] = [];
  if (mpu.count !== plan.regions) out.push(`MPUIR_EL2.REGION is ${mpu.count}, the plan is for ${plan.regions}`);
  for (let i = 0; i < Math.min(mpu.count, plan.regions); i++) {
    const got = mpu.region(i);
    const w = want.get(i);
    if (!w) {
      if (got.en) out.push(`slot ${i}: ${describeRegion(got)} is enabled, the plan has nothing there`);
      continue;
    }
    // Compare register values, re-encoding what was read with the one codec.
    if (encodePrbar(got) !== w.prbar || encodePrlar(got) !== w.prlar)
      out.push(
        `slot ${i}: ${describeRegion(got)}, the plan has ${w.purpose} (PRBAR 0x${w.prbar.toString(16)}, PRLAR 0x${w.prlar.toString(16)})`,
      );
  }
  return out;
}
