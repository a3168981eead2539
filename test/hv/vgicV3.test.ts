// vGICv3 register emulation (src/hv/vgic/vgicV3.ts) without a machine: the distributor, the
// redistributors and their SGI frames, RAZ/WI with one log line per unhandled offset, and the
// list-register fill and reclaim (gic_raise_guest_irq / gic_update_one_lr).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vgic, GICR_STRIDE } from '../../src/hv/vgic/vgicV3.js';

const SGI = 0x1_0000;
const mpidr = (id: number): bigint => (1n << 31n) | BigInt(id);

function make(n = 2): { g: Vgic; log: string[] } {
  const log: string[] = [];
  const g = new Vgic(
    Array.from({ length: n }, (_, id) => ({ id, mpidr: mpidr(id) })),
    (l) => log.push(l),
  );
  return { g, log };
}

test('GICD identification: CTLR (ARE_NS RAO, EnableGrp1A), TYPER, IIDR, PIDR2', () => {
  const { g } = make(2);
  assert.equal(g.gicdRead(0, 0x0, 4), 0x10n);
  g.gicdWrite(0, 0x0, 4, 0xffff_ffffn);
  assert.equal(g.gicdRead(0, 0x0, 4), 0x12n, 'only EnableGrp1A is writable');
  const typer = Number(g.gicdRead(0, 0x4, 4));
  assert.equal(typer & 0x1f, 1, 'ITLinesNumber: 64 INTIDs');
  assert.equal((typer >> 5) & 7, 1, 'CPUNumber = vCPUs - 1');
  assert.equal((typer >> 19) & 0x1f, 9, 'IDbits');
  assert.equal(g.gicdRead(0, 0x8, 4), 0x34cn);
  assert.equal((g.gicdRead(0, 0xffe8, 4) >> 4n) & 0xfn, 3n);
});

test("a vGIC with the host's lines (dom0): ITLinesNumber rounds up, INTIDs beyond the lines do not exist", () => {
  const g = new Vgic([{ id: 0, mpidr: mpidr(0) }], () => undefined, 1020 - 32);
  assert.equal(Number(g.gicdRead(0, 0x4, 4)) & 0x1f, 31, '1020 lines: ITLinesNumber 31');
  assert.notEqual(g.irq(0, 1019), null);
  assert.equal(g.irq(0, 1020), null);
  g.gicdWrite(0, 0x6000 + 8 * 1019, 8, 0x1n);
  assert.equal(g.gicdRead(0, 0x6000 + 8 * 1019, 8), 0x1n, 'IROUTER of the last SPI');
  assert.throws(() => new Vgic([{ id: 0, mpidr: mpidr(0) }], () => undefined, 0), /vGIC: 0 SPIs is not in 1\.\.988/);
});

test('GICD enable/pending sets and clears are write-1 bit banks; word 0 is RAZ/WI with ARE', () => {
  const { g } = make();
  g.gicdWrite(0, 0x104, 4, 0x8000_0003n);
  assert.equal(g.gicdRead(0, 0x104, 4), 0x8000_0003n);
  assert.equal(g.gicdRead(0, 0x184, 4), 0x8000_0003n, 'ICENABLER reads the same state');
  g.gicdWrite(0, 0x184, 4, 0x1n);
  assert.equal(g.gicdRead(0, 0x104, 4), 0x8000_0002n);
  g.gicdWrite(0, 0x204, 4, 0x10n);
  assert.equal(g.gicdRead(0, 0x204, 4), 0x10n);
  g.gicdWrite(0, 0x284, 4, 0x10n);
  assert.equal(g.gicdRead(0, 0x204, 4), 0n);
  g.gicdWrite(0, 0x100, 4, 0xffff_ffffn);
  assert.equal(g.gicdRead(0, 0x100, 4), 0n);
  assert.equal(g.cpus[0].priv[5].enabled, false, 'the distributor does not reach banked INTIDs');
});

test('GICD IPRIORITYR by byte and word (5 priority bits), ICFGR, IROUTER 64-bit and halves', () => {
  const { g } = make();
  g.gicdWrite(0, 0x420 + 3, 1, 0xa7n);
  assert.equal(g.gicdRead(0, 0x420 + 3, 1), 0xa0n);
  g.gicdWrite(0, 0x424, 4, 0x1122_3344n);
  assert.equal(g.gicdRead(0, 0x424, 4), 0x1020_3040n);
  g.gicdWrite(0, 0xc08, 4, 0x2n);
  assert.equal(g.gicdRead(0, 0xc08, 4), 0x2n, 'INTID 32 edge');
  g.gicdWrite(0, 0x6000 + 8 * 40, 8, 0x0000_00ff_8000_0001n | (0xffn << 40n));
  assert.equal(g.gicdRead(0, 0x6000 + 8 * 40, 8), 0xff_8000_0001n, 'RES0 bits dropped');
  g.gicdWrite(0, 0x6000 + 8 * 41 + 4, 4, 0x1n);
  assert.equal(g.gicdRead(0, 0x6000 + 8 * 41, 8), 0x1_0000_0000n);
  assert.equal(g.gicdRead(0, 0x6000 + 8 * 41 + 4, 4), 1n);
});

test('GICR: TYPER affinity, Processor_Number and Last; WAKER; the SGI frame is banked per vCPU', () => {
  const { g } = make(2);
  const t0 = g.gicrRead(0, 0x8, 8);
  const t1 = g.gicrRead(0, GICR_STRIDE + 0x8, 8);
  assert.equal(t0 >> 32n, 0n);
  assert.equal(t1 >> 32n, 1n);
  assert.equal((t1 >> 8n) & 0xffffn, 1n);
  assert.equal(t0 & 0x10n, 0n);
  assert.equal(t1 & 0x10n, 0x10n, 'Last on the last redistributor');
  assert.equal(g.gicrRead(0, 0x14, 4), 6n, 'asleep at reset');
  g.gicrWrite(0, 0x14, 4, 0n);
  assert.equal(g.gicrRead(0, 0x14, 4), 0n);
  g.gicrWrite(0, GICR_STRIDE + SGI + 0x100, 4, 1n << 27n);
  assert.equal(g.gicrRead(0, GICR_STRIDE + SGI + 0x100, 4), 1n << 27n);
  assert.equal(g.gicrRead(0, SGI + 0x100, 4), 0n, "vCPU 0's PPI 27 untouched");
  g.gicrWrite(1, SGI + 0x400 + 27, 1, 0x80n);
  assert.equal(g.cpus[0].priv[27].priority, 0x80);
  assert.equal(g.gicrRead(0, SGI + 0xc00, 4), 0xaaaa_aaaan, 'SGIs are edge');
  g.gicrWrite(0, SGI + 0xc04, 4, 0xffff_ffffn);
  assert.equal(g.gicrRead(0, SGI + 0xc04, 4), 0n, 'PPI configuration is read-only');
});

test('unhandled offsets are RAZ/WI with one Xen-style line each; beyond the last GICR too', () => {
  const { g, log } = make(1);
  assert.equal(g.gicdRead(0, 0x8000, 4), 0n);
  assert.equal(g.gicdRead(0, 0x8000, 4), 0n);
  g.gicdWrite(0, 0x300, 4, 1n);
  assert.equal(g.gicrRead(0, GICR_STRIDE + 0x8, 8), 0n);
  assert.deepEqual(log, [
    'v0: vGICD: unhandled read offset 0x008000',
    'v0: vGICD: unhandled write offset 0x000300',
    'v0: vGICR: unhandled read offset 0x020008',
  ]);
});

test('list registers: pending+enabled interrupts fill free LRs by priority; invalid LRs are reclaimed', () => {
  const { g } = make(1);
  const LR_PENDING = 1n << 62n;
  g.gicdWrite(0, 0x0, 4, 2n);
  for (const id of [27, 40, 41, 42, 43]) {
    if (id < 32) {
      g.gicrWrite(0, SGI + 0x100, 4, 1n << BigInt(id));
      g.gicrWrite(0, SGI + 0x400 + id, 1, 0xa0n);
    } else {
      g.gicdWrite(0, 0x104, 4, 1n << BigInt(id - 32));
      g.gicdWrite(0, 0x400 + id, 1, 0xa0n);
    }
    g.injectIrq(0, id);
  }
  g.gicdWrite(0, 0x400 + 43, 1, 0x10n); // highest priority
  g.injectIrq(0, 44); // not enabled: stays out
  const lrs = g.flushLrs(0);
  const ids = lrs.map((l) => Number(l & 0xffffn));
  assert.deepEqual(ids, [43, 27, 40, 41], 'priority first, then INTID; four LRs');
  assert.equal(lrs[0] >> 62n, 1n);
  assert.equal((lrs[0] >> 48n) & 0xffn, 0x10n);
  assert.equal((lrs[0] >> 60n) & 1n, 1n, 'Group 1');
  assert.equal(g.spis[42 - 32].pending, true, 'INTID 42 waits for an LR');
  // The guest EOIed INTID 27 (LR 1 invalid) and is handling 43 (active).
  g.syncFromLrs(0, [(lrs[0] & ~LR_PENDING) | (1n << 63n), 0n, lrs[2], lrs[3]], 0n, 0n);
  g.injectIrq(0, 43);
  const again = g.flushLrs(0);
  assert.equal(Number(again[1] & 0xffffn), 42, 'the reclaimed LR takes the waiting interrupt');
  assert.equal(again[0] >> 62n, 3n, 'an active interrupt pending again: active+pending in its LR');
  // Distributor Group 1 disabled: SPIs stay pending in the vGIC.
  g.gicdWrite(0, 0x0, 4, 0n);
  g.syncFromLrs(0, [0n, 0n, 0n, 0n], 0n, 0n);
  g.injectIrq(0, 40);
  assert.deepEqual(g.flushLrs(0), [0n, 0n, 0n, 0n]);
  assert.equal(g.spis[40 - 32].pending, true);
});

test('a level line (vpl011) is pending again after the EOI while high, and not once lowered', () => {
  const { g } = make(1);
  g.gicdWrite(0, 0x0, 4, 2n);
  g.gicdWrite(0, 0x104, 4, 1n);
  g.setLevel(0, 32, true);
  const lrs = g.flushLrs(0);
  assert.equal(Number(lrs[0] & 0xffffn), 32);
  g.syncFromLrs(0, [0n, 0n, 0n, 0n], 0n, 0n); // the guest EOIed it; the line is still high
  assert.equal(g.spis[0].pending, true);
  assert.equal(Number(g.flushLrs(0)[0] & 0xffffn), 32);
  g.setLevel(0, 32, false);
  g.syncFromLrs(0, [0n, 0n, 0n, 0n], 0n, 0n);
  assert.equal(g.spis[0].pending, false);
  assert.deepEqual(g.flushLrs(0), [0n, 0n, 0n, 0n]);
});
