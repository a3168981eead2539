// Cross-calls and the SGI they ride on (src/hv/smp.ts, gicSendSgi in src/hv/gic/gicV3.ts): the
// ICC_SGI1R_EL1 writes reach exactly the target PEs through the machine's GICv3 model, targets
// are grouped one write per affinity cluster and 16-wide Aff0 range, and a cross-call nobody
// answers ends in a panic naming the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootXen } from '../../src/cli/boot.js';
import { Cpu } from '../../src/hv/arch/cpu.js';
import { GIC_SGI_CALL_FUNCTION, gicSendSgi } from '../../src/hv/gic/gicV3.js';
import { onSelectedCpus, smpCallWait, SMP_CALL_TIMEOUT_SPINS } from '../../src/hv/smp.js';
import { encodeSgi1r, GICD, GICR_SGI_FRAME, GICR_STRIDE } from '../../src/arch/gic/regs.js';
import { R82_MEMMAP } from '../../src/platform/boards/r82Dt.js';
import type { Xen } from '../../src/hv/xen.js';
import { assertPanics } from './helpers.js';

function bootR82(smp: number) {
  const r = bootXen({ board: 'r82', loader: 'direct', smp, console: () => {} });
  assert.equal(r.status, 0, r.message ?? '');
  return r;
}

test('gicSendSgi: the SGI is pending on the target PEs only (the machine GICv3 model)', () => {
  const r = bootR82(4);
  const xen = r.hv.xen!;
  xen.cpu = new Cpu(r.machine.pes[0]);
  // GICR_ISPENDR0 of each PE's SGI frame: which SGIs/PPIs are pending there.
  // (The SGI frame lays out its banked registers as the distributor does.)
  const pending = (i: number): number => {
    const pa = R82_MEMMAP.gicRedist.base + i * GICR_STRIDE + GICR_SGI_FRAME + GICD.ISPENDR;
    const m = r.machine.bus.findMmio(pa)!;
    return m.dev.read(pa - m.base, 4, 0);
  };
  const bit = 1 << GIC_SGI_CALL_FUNCTION;
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => pending(i) & bit),
    [0, 0, 0, 0],
  );
  gicSendSgi(xen, xen.gic!, GIC_SGI_CALL_FUNCTION, [1, 3]);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => pending(i) & bit),
    [0, bit, 0, bit],
  );
  assertPanics(() => gicSendSgi(xen, xen.gic!, 16, [1]), /^GICv3: SGI 16 is not an SGI/);
});

test('gicSendSgi: one ICC_SGI1R_EL1 write per Aff3.Aff2.Aff1 cluster and Aff0 range', () => {
  const writes: { reg: string; value: bigint }[] = [];
  const cpu = { dsb() {}, isb() {}, writeSysreg: (reg: string, value: bigint) => writes.push({ reg, value }) };
  // CPU0 0.0.0.0, CPU1 0.0.0.1, CPU2 0.0.1.0, CPU3 0.0.0.17, CPU4 1.0.0.2 (Aff3 = 1).
  const xen = { cpu, cpuMpidr: [0x0, 0x1, 0x100, 0x11, 2 ** 32 + 2] } as unknown as Xen;
  gicSendSgi(xen, {} as never, 5, [1, 2, 3, 4]);
  assert.deepEqual(
    writes,
    [
      { aff1: 0, aff2: 0, aff3: 0, rs: 0, targets: 1 << 1 },
      { aff1: 1, aff2: 0, aff3: 0, rs: 0, targets: 1 << 0 },
      { aff1: 0, aff2: 0, aff3: 0, rs: 1, targets: 1 << 1 },
      { aff1: 0, aff2: 0, aff3: 1, rs: 0, targets: 1 << 2 },
    ].map((g) => ({ reg: 'ICC_SGI1R_EL1', value: encodeSgi1r({ intid: 5, ...g }) })),
  );
});

test('a cross-call no CPU answers panics naming it; one with no other CPU runs at once', () => {
  const r = bootR82(2);
  const xen = r.hv.xen!;
  xen.cpu = new Cpu(r.machine.pes[0]);
  const ran: number[] = [];
  let done = 0;
  // Only this CPU: the function and the continuation run now, no SGI, no wait.
  onSelectedCpus(
    xen,
    [0],
    'local',
    (x) => ran.push(x.cpu.id),
    () => done++,
  );
  assert.deepEqual(ran, [0]);
  assert.equal(done, 1);
  assert.equal(xen.smpWait, null);
  // CPU1 is never run again (the machine has stopped): the wait gives up after its spins.
  onSelectedCpus(
    xen,
    [0, 1],
    'test',
    (x) => ran.push(x.cpu.id),
    () => done++,
  );
  assert.deepEqual(ran, [0, 0]);
  assert.deepEqual([...xen.callData!.pending], [1]);
  for (let i = 0; i < SMP_CALL_TIMEOUT_SPINS; i++) smpCallWait(xen);
  assertPanics(() => smpCallWait(xen), /^test: CPU1 did not answer the cross-call$/);
  assert.equal(done, 1);
});
