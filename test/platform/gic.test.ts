// GICv3 model: register semantics (reset values, RAZ/WI, access sizes), the HPPI and
// preemption rules, edge vs level, SGI routing, IROUTER, and the ICC_* access rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine } from './machineHelper.js';
import { Gicv3, GicDistributor, GicRedistributors, INTID_SPURIOUS } from '../../src/platform/devices/gic/index.js';
import { Icc } from '../../src/arch/sysreg/gic.js';
import { allSysRegs, sr, Access } from '../../src/arch/sysreg/index.js';
import { accessPlan, checkAccess } from '../../src/arch/sysreg/access.js';
import type { Pe } from '../../src/arch/pe.js';

const SGI = 0x1_0000;
const STRIDE = 0x2_0000;

/** Three PEs: affinities 0.0.0.0, 0.0.0.1 and 0.0.1.0 (Aff1 = 1) to exercise affinity lists. */
function setup(cpus = 3, el: 1 | 2 = 1) {
  const t = makeMachine([0], { cpus, el });
  const affs = [0, 1, 0x100, 0x101];
  t.m.pes.forEach((p, i) => ((p.cfg as { affinity: number }).affinity = affs[i]));
  const gic = new Gicv3(t.m.pes);
  gic.attach();
  const d = new GicDistributor(gic);
  const r = new GicRedistributors(gic);
  const pe = (i: number): Pe => t.m.pes[i];
  const icc = (i: number, reg: Icc, v?: bigint): bigint => {
    if (v === undefined) return gic.cpuInterface.read(pe(i), reg);
    gic.cpuInterface.write(pe(i), reg, v);
    return 0n;
  };
  /** Common set-up: distributor on, this CPU's interface on, SGIs Group 1 enabled at 0xa0. */
  const enableAll = (): void => {
    d.write(0, 4, 3, 0);
    for (let i = 0; i < cpus; i++) {
      r.write(i * STRIDE + SGI + 0x80, 4, 0xffff_ffff, i);
      r.write(i * STRIDE + SGI + 0x100, 4, 0xffff_ffff, i);
      for (let k = 0; k < 32; k += 4) r.write(i * STRIDE + SGI + 0x400 + k, 4, 0xa0a0_a0a0, i);
      icc(i, Icc.PMR, 0xffn);
      icc(i, Icc.IGRPEN1, 1n);
      icc(i, Icc.IGRPEN0, 1n);
    }
  };
  return { t, gic, d, r, pe, icc, enableAll };
}

test('distributor: QEMU 7.2 identification, DS/ARE RAO, RAZ/WI for reserved offsets and sizes', () => {
  const { d } = setup();
  assert.equal(d.read(0, 4, 0), 0x50);
  d.write(0, 4, 0xffff_ffff, 0);
  assert.equal(d.read(0, 4, 0), 0x53, 'only the group enables are writable');
  assert.equal(d.read(0, 1, 0), 0, 'byte read of GICD_CTLR is RAZ');
  d.write(0, 1, 0, 0);
  assert.equal(d.read(0, 4, 0), 0x53, 'byte write of GICD_CTLR is ignored');
  assert.equal(d.read(4, 4, 0) & 0x1f, 7, 'ITLinesNumber: 256 INTIDs');
  assert.equal((d.read(4, 4, 0) >>> 19) & 0x1f, 15, 'IDbits: 16');
  assert.equal(d.read(8, 4, 0), 0x43b);
  assert.equal((d.read(0xffe8, 4, 0) >>> 4) & 0xf, 3, 'PIDR2.ArchRev = GICv3');
  for (const off of [0x10, 0x40, 0x800, 0xf00, 0x2000, 0x6000, 0xc000, 0xfffe]) {
    d.write(off, 4, 0xffff_ffff, 0);
    assert.equal(d.read(off, 4, 0), 0, `offset ${off.toString(16)} RAZ/WI`);
  }
  d.write(0x100, 4, 0xffff_ffff, 0);
  assert.equal(d.read(0x100, 4, 0), 0, 'ISENABLER0 RAZ/WI with ARE');
  d.write(0xc08, 4, 0xffff_ffff, 0);
  assert.equal(d.read(0xc08, 4, 0), 0xaaaa_aaaa, 'ICFGR: Int_config bits only');
  d.write(0x420, 4, 0x11223344, 0);
  d.write(0x422, 1, 0x5a, 0);
  assert.equal(d.read(0x420, 4, 0), 0x115a3344, 'IPRIORITYR is byte-accessible');
  assert.equal(d.read(0x421, 1, 0), 0x33);
});

test('redistributors: TYPER affinity/processor number/Last, WAKER, frames past the last RAZ/WI', () => {
  const { r } = setup();
  assert.equal(r.read(0x8, 4, 0), 0);
  assert.equal(r.read(STRIDE + 0x8, 4, 0), 1 << 8);
  assert.equal(r.read(2 * STRIDE + 0x8, 4, 0), (2 << 8) | (1 << 4), 'Last on the last PE');
  assert.equal(r.read(2 * STRIDE + 0xc, 4, 0), 0x100, 'affinity Aff1 = 1');
  assert.equal(r.read(3 * STRIDE + 0x8, 4, 0), 0, 'nothing past the last redistributor');
  r.write(3 * STRIDE + SGI + 0x100, 4, 0xffff_ffff, 0);
  assert.equal(r.read(0x14, 4, 0), 6, 'WAKER: ProcessorSleep and ChildrenAsleep at reset');
  r.write(0x14, 4, 0, 0);
  assert.equal(r.read(0x14, 4, 0), 0);
  assert.equal(r.read(SGI + 0xc00, 4, 0), 0xaaaa_aaaa, 'SGIs are edge');
  r.write(SGI + 0xc00, 4, 0, 0);
  assert.equal(r.read(SGI + 0xc00, 4, 0), 0xaaaa_aaaa, 'ICFGR0 is read-only');
  assert.equal(r.read(0xffe0, 4, 0), 0x93, 'GICR PIDR0');
});

test('priority: highest first, lowest INTID among equals, PMR strictly, IAR/EOI and RPR', () => {
  const { pe, icc, r, enableAll } = setup();
  enableAll();
  r.write(SGI + 0x404, 1, 0x60, 0); // SGI 4 priority 0x60
  r.write(SGI + 0x200, 4, (1 << 4) | (1 << 2) | (1 << 3), 0);
  assert.equal(pe(0).irqLine, true);
  assert.equal(icc(0, Icc.HPPIR1), 4n);
  assert.equal(icc(0, Icc.IAR1), 4n);
  assert.equal(icc(0, Icc.RPR), 0x60n);
  assert.equal(pe(0).irqLine, false, '0xa0 cannot preempt 0x60');
  assert.equal(icc(0, Icc.IAR1), BigInt(INTID_SPURIOUS));
  icc(0, Icc.EOIR1, 4n);
  assert.equal(icc(0, Icc.RPR), 0xffn);
  assert.equal(icc(0, Icc.IAR1), 2n, 'equal priority: lower INTID');
  icc(0, Icc.EOIR1, 2n);
  icc(0, Icc.PMR, 0xa0n);
  assert.equal(pe(0).irqLine, false, 'priority equal to PMR is masked');
  assert.equal(icc(0, Icc.HPPIR1), 3n);
  assert.equal(icc(0, Icc.IAR1), BigInt(INTID_SPURIOUS));
  icc(0, Icc.PMR, 0xffn);
  assert.equal(icc(0, Icc.PMR), 0xf8n, 'five priority bits');
  assert.equal(icc(0, Icc.IAR1), 3n);
});

test('preemption follows the binary point; EOImode 1 splits priority drop and deactivation', () => {
  const { pe, icc, r, enableAll } = setup();
  enableAll();
  r.write(SGI + 0x409, 1, 0x90, 0);
  r.write(SGI + 0x200, 4, 1 << 8, 0);
  assert.equal(icc(0, Icc.IAR1), 8n); // 0xa0 active
  r.write(SGI + 0x200, 4, 1 << 9, 0);
  assert.equal(pe(0).irqLine, true, '0x90 preempts 0xa0 at the minimum binary point');
  icc(0, Icc.BPR1, 7n);
  assert.equal(pe(0).irqLine, false, 'BPR1 = 7: both have group priority 0x80');
  icc(0, Icc.BPR1, 0n);
  assert.equal(icc(0, Icc.BPR1), 3n);
  assert.equal(icc(0, Icc.IAR1), 9n);
  assert.equal(icc(0, Icc.AP1R0), BigInt((1 << (0xa0 >> 3)) | (1 << (0x90 >> 3))));
  icc(0, Icc.EOIR1, 9n);
  icc(0, Icc.EOIR1, 8n);
  assert.equal(icc(0, Icc.AP1R0), 0n);

  icc(0, Icc.CTLR, 2n);
  assert.equal(icc(0, Icc.CTLR), 0x8c02n);
  r.write(SGI + 0x200, 4, 1 << 7, 0);
  assert.equal(icc(0, Icc.IAR1), 7n);
  icc(0, Icc.EOIR1, 7n);
  assert.equal(icc(0, Icc.RPR), 0xffn, 'priority dropped');
  assert.equal(r.read(SGI + 0x300, 4, 0) & (1 << 7), 1 << 7, 'still active');
  r.write(SGI + 0x200, 4, 1 << 7, 0);
  assert.equal(pe(0).irqLine, false, 'active and pending: not signalled');
  icc(0, Icc.DIR, 7n);
  assert.equal(r.read(SGI + 0x300, 4, 0) & (1 << 7), 0);
  assert.equal(pe(0).irqLine, true);
});

test('EOI of the wrong group and of special INTIDs is ignored', () => {
  const { icc, r, enableAll } = setup();
  enableAll();
  r.write(SGI + 0x200, 4, 1 << 1, 0);
  assert.equal(icc(0, Icc.IAR1), 1n);
  icc(0, Icc.EOIR0, 1n);
  icc(0, Icc.EOIR1, 1023n);
  assert.equal(icc(0, Icc.RPR), 0xa0n);
  icc(0, Icc.EOIR1, 1n);
  assert.equal(icc(0, Icc.RPR), 0xffn);
});

test('level SPIs follow their line; edge SPIs latch a rising edge; IROUTER picks the PE', () => {
  const { gic, d, pe, icc, enableAll } = setup();
  enableAll();
  d.write(0x84, 4, 0xffff_ffff, 0); // SPIs 32-63 Group 1
  d.write(0x104, 4, (1 << 1) | (1 << 2), 0); // enable 33, 34
  d.write(0x420, 4, 0x8080_8080, 0);
  gic.setSpiLine(33, true);
  assert.equal(d.read(0x204, 4, 0) & 2, 2);
  d.write(0x284, 4, 2, 0);
  assert.equal(d.read(0x204, 4, 0) & 2, 2, 'ICPENDR cannot clear an asserted level');
  assert.equal(icc(0, Icc.IAR1), 33n);
  assert.equal(d.read(0x304, 4, 0) & 2, 2, 'active');
  assert.equal(d.read(0x204, 4, 0) & 2, 2, 'and still pending while the line is high');
  gic.setSpiLine(33, false);
  assert.equal(d.read(0x204, 4, 0) & 2, 0);
  icc(0, Icc.EOIR1, 33n);

  d.write(0xc08, 4, 2 << 4, 0); // INTID 34 edge
  gic.setSpiLine(34, true);
  gic.setSpiLine(34, false);
  assert.equal(d.read(0x204, 4, 0) & 4, 4, 'an edge stays latched');
  // Route 34 to the PE with Aff1 = 1 (PE 2).
  d.write(0x6000 + 8 * 34, 4, 0x100, 0);
  assert.equal(pe(0).irqLine, false);
  assert.equal(pe(2).irqLine, true);
  assert.equal(icc(2, Icc.IAR1), 34n);
  assert.equal(d.read(0x204, 4, 0) & 4, 0, 'acknowledge clears an edge');
  d.write(0x6000 + 8 * 35, 4, 0x7, 0);
  assert.equal(gic.spiTarget[35], -1, 'no PE with that affinity');
});

test('SGIs: affinity lists with Aff1 and RS, IRM broadcast, group filtering, Group 0 on FIQ', () => {
  const { gic, pe, icc, r, enableAll } = setup();
  enableAll();
  const pending = (i: number): number => r.read(i * STRIDE + SGI + 0x200, 4, i);
  // SGI 5 to Aff1 = 1, Aff0 = 0 (PE 2): TargetList bit 0, Aff1 field = 1.
  icc(0, Icc.SGI1R, (5n << 24n) | (1n << 16n) | 1n);
  assert.deepEqual([pending(0), pending(1), pending(2)], [0, 0, 1 << 5]);
  // RS = 1 selects Aff0 16-31: nobody here.
  icc(0, Icc.SGI1R, (6n << 24n) | (1n << 44n) | 0xffffn);
  assert.deepEqual([pending(0), pending(1)], [0, 0]);
  icc(1, Icc.SGI1R, (7n << 24n) | (1n << 40n));
  assert.deepEqual([pending(0) >> 7, pending(1) >> 7, (pending(2) >> 7) & 1], [1, 0, 1], 'IRM: all but self');
  // Group 0 SGI: SGI1R does not reach it, SGI0R does, and it is signalled as FIQ.
  r.write(SGI + 0x80, 4, ~(1 << 9) >>> 0, 0);
  icc(1, Icc.SGI1R, (9n << 24n) | 1n);
  assert.equal(pending(0) & (1 << 9), 0);
  assert.equal(icc(0, Icc.IAR1), 7n);
  icc(1, Icc.SGI0R, (9n << 24n) | 1n);
  assert.equal(pending(0) & (1 << 9), 1 << 9);
  assert.equal(gic.cpus[0].hppiId, 9);
  assert.equal(pe(0).fiqLine, false, 'same group priority as the active SGI 7: no preemption');
  icc(0, Icc.EOIR1, 7n);
  assert.deepEqual([pe(0).fiqLine, pe(0).irqLine], [true, false]);
  assert.equal(icc(0, Icc.IAR1), BigInt(INTID_SPURIOUS), 'IAR1 does not acknowledge Group 0');
  assert.equal(icc(0, Icc.IAR0), 9n);
});

test('ICC_* access rules: no GIC → UNDEFINED; IMO at EL1 → ICV view with ICH_HCR_EL2 traps; SGI1R traps to EL2', () => {
  const { pe, gic, icc } = setup(1, 2);
  const def = (name: string) => allSysRegs()[sr(name)];
  const check = (p: Pe, name: string, read: boolean): Access => checkAccess(p, def(name), accessPlan(def(name)), read);
  const p = pe(0);
  p.el = 1;
  assert.equal(check(p, 'ICC_IAR1_EL1', true), Access.Ok);
  assert.equal(check(p, 'ICC_IAR1_EL1', false), Access.Undef, 'IAR1 is read-only');
  assert.equal(check(p, 'ICC_SRE_EL2', true), Access.Undef, 'EL2 register at EL1');
  assert.equal(check(p, 'ICH_HCR_EL2', true), Access.Undef, 'ICH_* at EL1');
  p.sys[sr('HCR_EL2')] = 1n << 4n; // IMO
  p.refreshControl();
  assert.equal(check(p, 'ICC_IAR1_EL1', true), Access.Ok, 'served by ICV_IAR1_EL1');
  assert.equal(check(p, 'ICC_SGI1R_EL1', false), Access.TrapEl2);
  icc(0, Icc.ICH_HCR, (1n << 12n) | (1n << 14n)); // TALL1, TDIR
  assert.equal(check(p, 'ICC_IAR1_EL1', true), Access.TrapEl2, 'ICH_HCR_EL2.TALL1');
  assert.equal(check(p, 'ICC_IAR0_EL1', true), Access.Ok, 'Group 0 follows FMO and TALL0');
  assert.equal(check(p, 'ICC_PMR_EL1', true), Access.Ok);
  assert.equal(check(p, 'ICC_DIR_EL1', false), Access.TrapEl2, 'ICH_HCR_EL2.TDIR');
  icc(0, Icc.ICH_HCR, 1n << 10n); // TC
  assert.equal(check(p, 'ICC_PMR_EL1', true), Access.TrapEl2, 'ICH_HCR_EL2.TC');
  assert.equal(check(p, 'ICC_SRE_EL1', true), Access.Ok, 'SRE is not virtualised');
  // A controller without a virtual interface: UNDEFINED rather than the physical registers.
  p.gic = Object.create(gic.cpuInterface, { virtualView: { value: false } }) as typeof gic.cpuInterface;
  assert.equal(check(p, 'ICC_IAR1_EL1', true), Access.Undef);
  p.el = 2;
  assert.equal(check(p, 'ICH_HCR_EL2', true), Access.Undef);
  assert.equal(check(p, 'ICC_IAR1_EL1', true), Access.Ok, 'EL2 uses the physical interface');
  p.gic = null;
  assert.equal(check(p, 'ICC_IAR1_EL1', true), Access.Undef, 'no system-register interface');
});

test('virtual interface: LR acknowledge/EOI, priorities, HW deactivation, EOIcount, maintenance', () => {
  const { gic, pe, icc, r, enableAll } = setup(1, 2);
  enableAll();
  const v = gic.virtual;
  const p = pe(0);
  const lr = (state: bigint, group: bigint, prio: bigint, vintid: bigint, extra = 0n): bigint =>
    (state << 62n) | (group << 60n) | (prio << 48n) | vintid | extra;
  assert.equal(icc(0, Icc.ICH_VTR), 0x90b8_0003n);
  assert.equal(icc(0, Icc.ICH_VMCR), 0x4c_0008n);
  assert.equal(icc(0, Icc.ICH_ELRSR), 0xfn);
  icc(0, Icc.ICH_LR0, lr(1n, 1n, 0xa0n, 40n));
  assert.equal(p.vIrqLine, false, 'ICH_HCR_EL2.En = 0');
  icc(0, Icc.ICH_HCR, 1n);
  assert.equal(p.vIrqLine, false, 'VENG1 = 0');
  v.writeIcv(p, Icc.IGRPEN1, 1n);
  assert.equal(p.vIrqLine, false, 'VPMR = 0');
  v.writeIcv(p, Icc.PMR, 0xffn);
  assert.equal(v.readIcv(p, Icc.PMR), 0xf8n);
  assert.equal(p.vIrqLine, true);
  icc(0, Icc.ICH_LR1, lr(1n, 1n, 0x80n, 41n, 1n << 41n)); // EOI maintenance requested
  assert.equal(v.readIcv(p, Icc.HPPIR1), 41n);
  assert.equal(v.readIcv(p, Icc.IAR1), 41n);
  assert.equal(icc(0, Icc.ICH_LR1) >> 62n, 2n, 'active');
  assert.equal(v.readIcv(p, Icc.RPR), 0x80n);
  assert.equal(p.vIrqLine, false, '0xa0 cannot preempt 0x80');
  v.writeIcv(p, Icc.EOIR1, 41n);
  assert.equal(icc(0, Icc.ICH_LR1) >> 62n, 0n);
  assert.equal(icc(0, Icc.ICH_EISR), 2n);
  assert.equal(icc(0, Icc.ICH_MISR) & 1n, 1n, 'MISR.EOI');
  assert.equal(r.read(0x10200, 4, 0) & (1 << 25), 1 << 25, 'maintenance PPI 25 pending');
  icc(0, Icc.ICH_LR1, 0n);
  assert.equal(r.read(0x10200, 4, 0) & (1 << 25), 0, 'level: gone with the cause');
  // HW = 1: deactivating vINTID 40 deactivates physical SPI 48.
  r.write(0x10200, 4, 1 << 3, 0);
  assert.equal(icc(0, Icc.IAR1), 3n); // physical SGI 3 active, priority drop only:
  icc(0, Icc.CTLR, 2n);
  icc(0, Icc.EOIR1, 3n);
  assert.equal(r.read(0x10300, 4, 0) & 8, 8);
  icc(0, Icc.ICH_LR0, lr(1n, 1n, 0xa0n, 40n, (1n << 61n) | (3n << 32n)));
  assert.equal(v.readIcv(p, Icc.IAR1), 40n);
  v.writeIcv(p, Icc.EOIR1, 40n);
  assert.equal(icc(0, Icc.ICH_LR0) >> 62n, 0n);
  assert.equal(r.read(0x10300, 4, 0) & 8, 0, 'physical SGI 3 deactivated through the HW LR');
  // EOI of an INTID no LR holds counts in EOIcount (after dropping a priority).
  v.writeIcv(p, Icc.AP1R0, 1n << 20n);
  v.writeIcv(p, Icc.EOIR1, 99n);
  assert.equal(icc(0, Icc.ICH_HCR) >> 27n, 1n);
  icc(0, Icc.ICH_HCR, 1n | 4n); // LRENPIE
  assert.equal(icc(0, Icc.ICH_MISR) & 4n, 0n, 'EOIcount was cleared by the write');
  // EOImode 1 for the guest: EOI drops, DIR deactivates.
  v.writeIcv(p, Icc.CTLR, 2n);
  assert.equal(icc(0, Icc.ICH_VMCR) & (1n << 9n), 1n << 9n);
  icc(0, Icc.ICH_LR2, lr(1n, 0n, 0x90n, 7n));
  v.writeIcv(p, Icc.IGRPEN0, 1n);
  assert.equal(p.vFiqLine, true, 'virtual Group 0 is a virtual FIQ');
  assert.equal(v.readIcv(p, Icc.IAR0), 7n);
  v.writeIcv(p, Icc.EOIR0, 7n);
  assert.equal(icc(0, Icc.ICH_LR2) >> 62n, 2n, 'still active');
  v.writeIcv(p, Icc.DIR, 7n);
  assert.equal(icc(0, Icc.ICH_LR2) >> 62n, 0n);
});

test('a PE reset resets its CPU interface, not the redistributor', () => {
  const { t, icc, r, enableAll } = setup(3, 2);
  enableAll();
  r.write(SGI + 0x200, 4, 1 << 1, 0);
  assert.equal(icc(0, Icc.IAR1), 1n);
  t.m.pes[0].reset(1, 0x4000_1000);
  assert.equal(icc(0, Icc.PMR), 0n);
  assert.equal(icc(0, Icc.IGRPEN1), 0n);
  assert.equal(icc(0, Icc.RPR), 0xffn);
  assert.equal(icc(0, Icc.BPR0), 2n);
  assert.equal(r.read(SGI + 0x300, 4, 0) & 2, 2, 'the interrupt itself stays active');
  // The virtual interface resets too, and an asserted maintenance interrupt goes away.
  icc(0, Icc.ICH_HCR, 1n | 8n); // En, NPIE: no pending LR → maintenance
  assert.equal(r.read(SGI + 0x200, 4, 0) & (1 << 25), 1 << 25);
  t.m.pes[0].reset(2, 0x4000_1000);
  assert.equal(icc(0, Icc.ICH_HCR), 0n);
  assert.equal(r.read(SGI + 0x200, 4, 0) & (1 << 25), 0);
});
