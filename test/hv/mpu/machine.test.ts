// The bridge between the plan and the machine: random domain layouts (seeded), planned, then
// programmed into an r82 PE's EL2 MPU with the very register writes the plan lists
// (installWrites, switchWrites) through the PMSA system-register definitions, and checked by
// the machine's own translation (src/arch/pmsa): every access the plan intends is granted,
// every other one faults — at EL2 (the hypervisor) and at EL1 through stage 2 (the guest) —
// and no write in a context switch leaves two enabled regions overlapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../../src/platform/bus.js';
import { EXCEPTION_TAKEN, Pe } from '../../../src/arch/pe.js';
import { allSysRegs, sr } from '../../../src/arch/sysreg/index.js';
import { AccessKind, translate } from '../../../src/arch/mem/translate.js';
import { pmsaOf, DEFAULT_PMSA } from '../../../src/arch/pmsa/state.js';
import { defaultXenSections } from '../../../src/hv/mm/mpu/layout.js';
import { planMpu, type DomainMem, type MpuPlan, type SwitchMode } from '../../../src/hv/mm/mpu/plan.js';
import { MPU_MAIRVAL, type MpuRange, type SlotRegion } from '../../../src/hv/mm/mpu/region.js';
import { installWrites, switchWrites, type MpuWrite } from '../../../src/hv/mm/mpu/writes.js';
import { mpuIoremap } from '../../../src/hv/mm/mpu/ioremap.js';
import { diffProgrammed } from '../../../src/hv/mm/mpu/verify.js';
import { nullHost } from '../../helpers/cpu.js';
import { prng, randInt } from '../helpers.js';

const MiB = 0x10_0000;

function r82Pe(regions: number): Pe {
  const pe = new Pe(
    { id: 0, affinity: 0, hasEl2: true, paBits: 40, profile: 'R', pmsa: { ...DEFAULT_PMSA, el2Regions: regions } },
    new Bus(),
  );
  pe.host = nullHost;
  pe.reset(2, 0x20_0000);
  pe.off = false;
  return pe;
}

/** MSR <name>, v through the register's catalogue definition (what the MSR instruction runs). */
function msr(pe: Pe, w: MpuWrite): void {
  const def = allSysRegs().find((d) => d.name === w.reg && (d.profile ?? 'R') === 'R');
  assert.ok(def, `no register ${w.reg}`);
  if (def.write) def.write(pe, w.value);
  else pe.sys[sr(w.reg)] = w.value & (def.writeMask ?? (1n << 64n) - 1n);
}

function enabledOverlap(pe: Pe): string | null {
  const rs = pmsaOf(pe).el2.enabledRegions();
  for (let i = 0; i < rs.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = rs[i];
      const b = rs[j];
      if (a.base <= a.limit && b.base <= b.limit && a.base <= b.limit && b.base <= a.limit) return `regions ${b.index} and ${a.index}`;
    }
  }
  return null;
}

function allowed(pe: Pe, addr: number, kind: AccessKind, el: number): boolean {
  try {
    translate(pe, addr, kind, el);
    return true;
  } catch (e) {
    if (e !== EXCEPTION_TAKEN) throw e;
    return false;
  }
}

/**
 * Random direct-mapped domains in [256 MiB, 512 MiB): disjoint chunks on 64-byte or 4 KiB
 * granules, sometimes adjacent (mergeable), dealt out to the domains at random so that their
 * memory interleaves (which is what makes the order of a slot's PRBAR/PRLAR writes matter).
 */
function randomDomains(rnd: () => number): DomainMem[] {
  const count = randInt(rnd, 1, 4);
  const ds: DomainMem[] = Array.from({ length: count }, (_, d) => ({ name: `dom${d + 1}`, ram: [] }));
  let at = 0x1000_0000;
  const chunks = count * randInt(rnd, 1, rnd() < 0.2 ? 10 : 3);
  for (let c = 0; c < chunks; c++) {
    const unit = rnd() < 0.5 ? 64 : 0x1000;
    at += rnd() < 0.3 ? 0 : randInt(rnd, 1, 64) * unit;
    const size = randInt(rnd, 1, 256) * unit;
    ds[rnd() < 0.5 ? c % count : randInt(rnd, 0, count - 1)].ram.push({ start: at, size });
    at += size;
  }
  ds.forEach((d, i) => {
    if (d.ram.length === 0) d.ram.push({ start: 0x1e00_0000 + i * 0x10_0000, size: 0x1000 });
    if (rnd() < 0.3) d.mmio = [{ start: 0xc000_0000 + i * 0x1_0000, size: randInt(rnd, 1, 16) * 0x1000 }];
  });
  return ds;
}

/** Addresses worth probing for a range: its ends and middle, and just outside it. */
function probes(r: MpuRange): number[] {
  return [r.base - 1, r.base, r.base + Math.floor((r.limit - r.base) / 2), r.limit, r.limit + 1].filter((a) => a >= 0);
}

function contains(rs: readonly SlotRegion[], a: number): SlotRegion | undefined {
  return rs.find((r) => r.base <= a && a <= r.limit);
}

/** Check every probe against the intended rights with `running` loaded. */
function checkAccesses(pe: Pe, plan: MpuPlan, running: string | null, where: string): void {
  const dom = plan.domains.find((d) => d.name === running);
  const guest = dom?.regions ?? [];
  const everything = [...plan.runtime, ...plan.domains.flatMap((d) => d.regions)];
  for (const r of everything) {
    for (const a of probes(r)) {
      const h = contains(plan.runtime, a);
      const g = contains(guest, a);
      const at = `${where}: 0x${a.toString(16)}`;
      // EL2: the hypervisor's regions with their rights, plus the running domain's memory
      // (read/write: Xen copies to and from its guest).
      const el2r = !!h || !!g;
      const el2w = (!!h && h.perms.includes('w')) || !!g;
      assert.equal(allowed(pe, a, AccessKind.Read, 2), el2r, `${at} EL2 read`);
      assert.equal(allowed(pe, a, AccessKind.Write, 2), el2w, `${at} EL2 write`);
      if (h) assert.equal(allowed(pe, a, AccessKind.Fetch, 2), h.perms.includes('x'), `${at} EL2 fetch`);
      // EL1 through stage 2: only the running domain's regions, with their rights.
      assert.equal(allowed(pe, a, AccessKind.Read, 1), !!g, `${at} EL1 read`);
      assert.equal(allowed(pe, a, AccessKind.Write, 1), !!g, `${at} EL1 write`);
      assert.equal(allowed(pe, a, AccessKind.Fetch, 1), !!g && g.perms.includes('x'), `${at} EL1 fetch`);
    }
  }
}

test('property: planned regions, programmed through the PMSA registers, grant exactly the intended accesses', () => {
  const rnd = prng(0x82_2026);
  let checked = 0;
  let refusedSeen = 0;
  for (let iter = 0; iter < 40; iter++) {
    const regions = [16, 32, 64][randInt(rnd, 0, 2)];
    const switching = (['auto', 'prenr', 'rewrite'] as const)[randInt(rnd, 0, 2)];
    const domains = randomDomains(rnd);
    let plan: MpuPlan;
    try {
      plan = planMpu({
        sections: defaultXenSections(),
        bootInfo: { modules: [], staticHeap: [{ start: 0x100_0000, size: 16 * MiB }] },
        devices: [
          { name: 'UART', start: 0x9c09_0000, size: 0x1_0000 },
          { name: 'GICD', start: 0xaf00_0000, size: 0x1_0000 },
        ],
        domains,
        regions,
        switching: switching as SwitchMode | 'auto',
      });
    } catch (e) {
      // Forcing PRENR with too many guest regions is refused; that is tested elsewhere.
      assert.equal(switching, 'prenr', String(e));
      continue;
    }
    refusedSeen += plan.domains.filter((d) => d.refused).length;
    if (rnd() < 0.5) mpuIoremap(plan, 0xd000_0000, 0x1000, 'device');

    const pe = r82Pe(regions);
    // Install with the MPU off, then turn it on without the background region (Xen enable_mpu).
    for (const w of installWrites(plan, 'runtime')) msr(pe, w);
    pe.sys[sr('MAIR_EL2')] = MPU_MAIRVAL;
    pe.sys[sr('SCTLR_EL2')] = (pe.sys[sr('SCTLR_EL2')] & ~(1n << 17n)) | 1n;
    pe.sys[sr('HCR_EL2')] |= 1n; // VM: the EL2 MPU is stage 2 for EL1&0
    pe.refreshControl();
    assert.equal(enabledOverlap(pe), null);
    checkAccesses(pe, plan, null, `#${iter} idle`);

    // Visit the running domains in a random order, back to idle at the end.
    const order = plan.domains.filter((d) => !d.refused).map((d) => d.name);
    for (let i = order.length - 1; i > 0; i--) {
      const j = randInt(rnd, 0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let cur: string | null = null;
    for (const next of [...order, ...order.slice(0, 1), null]) {
      for (const w of switchWrites(plan, cur, next)) {
        msr(pe, w);
        assert.equal(enabledOverlap(pe), null, `#${iter} ${cur} -> ${next}: after ${w.reg}`);
      }
      cur = next;
      // What the PE now holds is exactly the plan's runtime table with `cur` loaded (in PRENR
      // mode the other domains' regions stay resident but disabled, which is allowed).
      assert.deepEqual(diffProgrammed(plan, pmsaOf(pe).el2, 'runtime', cur), [], `#${iter} running ${cur}`);
      checkAccesses(pe, plan, cur, `#${iter} ${regions} ${plan.switching} running ${cur}`);
      checked++;
    }
  }
  assert.ok(checked > 40, `checked ${checked} configurations`);
  assert.ok(refusedSeen > 0, 'some random layouts exceed the budget');
});

test('the boot-time table, programmed the same way, gives the hypervisor its sections, modules and heap', () => {
  const sections = defaultXenSections();
  const plan = planMpu({
    sections,
    bootInfo: {
      modules: [
        { kind: 'fdt', start: 0x1fe0_0000, size: 0x9c0, node: '/' },
        { kind: 'kernel', start: 0x1800_0000, size: MiB, node: '/chosen/d/module' },
      ],
      staticHeap: [{ start: 0x100_0000, size: 16 * MiB }],
    },
    devices: [{ name: 'UART', start: 0x9c09_0000, size: 0x1_0000 }],
    domains: [],
    regions: 16,
  });
  const pe = r82Pe(16);
  for (const w of installWrites(plan, 'boot')) msr(pe, w);
  pe.sys[sr('MAIR_EL2')] = MPU_MAIRVAL;
  pe.sys[sr('SCTLR_EL2')] |= 1n;
  pe.refreshControl();
  assert.equal(enabledOverlap(pe), null);
  assert.deepEqual(diffProgrammed(plan, pmsaOf(pe).el2, 'boot'), []);
  // A region the plan does not have, or one that differs, is named.
  msr(pe, { reg: 'PRSELR_EL2', value: 15n });
  msr(pe, { reg: 'PRLAR_EL2', value: 0x3000_0fc1n });
  msr(pe, { reg: 'PRSELR_EL2', value: 0n });
  msr(pe, { reg: 'PRBAR_EL2', value: plan.boot[0].prbar | 0x4n }); // AP[0]: EL1 access
  assert.deepEqual(
    diffProgrammed(plan, pmsaOf(pe).el2, 'boot').map((l) => l.replace(/:.*/, '')),
    ['slot 0', 'slot 15'],
  );
  msr(pe, { reg: 'PRBAR_EL2', value: plan.boot[0].prbar });
  msr(pe, { reg: 'PRSELR_EL2', value: 15n });
  msr(pe, { reg: 'PRLAR_EL2', value: 0n });
  for (const r of plan.boot) {
    for (const a of [r.base, r.limit]) {
      assert.equal(allowed(pe, a, AccessKind.Read, 2), true, r.purpose);
      assert.equal(allowed(pe, a, AccessKind.Write, 2), r.perms.includes('w'), r.purpose);
      assert.equal(allowed(pe, a, AccessKind.Fetch, 2), r.perms.includes('x'), r.purpose);
    }
  }
  // The DTB's last granule is mapped, the byte after it is not (no background region).
  assert.equal(allowed(pe, 0x1fe0_09bf, AccessKind.Read, 2), true);
  assert.equal(allowed(pe, 0x1fe0_09c0, AccessKind.Read, 2), false);
  assert.equal(translate(pe, 0x9c09_0000, AccessKind.Read, 2).device, true, 'UART is Device');
  assert.equal(translate(pe, 0x100_0000, AccessKind.Read, 2).device, false, 'heap is Normal');
});
