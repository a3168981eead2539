// An Armv8-R PE: the PMSA registers through MRS/MSR (profile dispatch, aliases, PRENR,
// MPUIR from the board option), and translation on the MPUs (faults, background region,
// stage 2, the fast-path rule for pages split by a region boundary).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../../src/platform/bus.js';
import { EXCEPTION_TAKEN, Pe } from '../../../src/arch/pe.js';
import { sr } from '../../../src/arch/sysreg/index.js';
import { AccessKind, translate } from '../../../src/arch/mem/translate.js';
import { DEFAULT_PMSA, pmsaOf, type PmsaConfig } from '../../../src/arch/pmsa/state.js';
import { encodePrbar, encodePrlar } from '../../../src/arch/pmsa/regions.js';
import { nullHost, RAM_BASE } from '../../helpers/cpu.js';

const CODE = RAM_BASE + 0x1000;

function rPe(pmsa: Partial<PmsaConfig> = {}, profile: 'A' | 'R' = 'R'): Pe {
  const bus = new Bus();
  bus.addRam(RAM_BASE, 0x100_0000);
  const pe = new Pe({ id: 0, affinity: 0, hasEl2: true, paBits: 40, profile, pmsa: { ...DEFAULT_PMSA, ...pmsa } }, bus);
  pe.host = nullHost;
  pe.reset(2, CODE);
  pe.off = false;
  return pe;
}

/** MSR/MRS <S op0_op1_Cn_Cm_op2>, Xt. */
function sysWord(read: boolean, op0: number, op1: number, crn: number, crm: number, op2: number, rt: number): number {
  return (0xd5100000 | (read ? 1 << 21 : 0) | ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt) >>> 0;
}

function exec(pe: Pe, words: number[], regs: Record<number, bigint> = {}): void {
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  pe.bus.writeBytes(CODE, b);
  pe.flushFetch();
  pe.pc = CODE;
  for (const [n, v] of Object.entries(regs)) setX(pe, Number(n), v);
  for (let i = 0; i < words.length; i++) pe.run(1);
}

function setX(pe: Pe, n: number, v: bigint): void {
  pe.x[2 * n] = Number(v & 0xffffffffn);
  pe.x[2 * n + 1] = Number((v >> 32n) & 0xffffffffn);
}
function x(pe: Pe, n: number): bigint {
  return (BigInt(pe.x[2 * n + 1]) << 32n) | BigInt(pe.x[2 * n]);
}

const PRSELR_EL2 = [3, 4, 6, 2, 1] as const;
const PRBAR_EL2 = [3, 4, 6, 8, 0] as const;
const PRLAR_EL2 = [3, 4, 6, 8, 1] as const;
const PRBAR3_EL2 = [3, 4, 6, 9, 4] as const;
const PRENR_EL2 = [3, 4, 6, 1, 1] as const;
const MPUIR_EL2 = [3, 4, 0, 0, 4] as const;
const MPUIR_EL1 = [3, 0, 0, 0, 4] as const;
const msr = (r: readonly number[], rt: number): number => sysWord(false, r[0], r[1], r[2], r[3], r[4], rt);
const mrs = (r: readonly number[], rt: number): number => sysWord(true, r[0], r[1], r[2], r[3], r[4], rt);

test('MPUIR_ELx report the board region counts; an Armv8-A PE has no PMSA registers', () => {
  for (const n of [16, 32, 64, 255]) {
    const pe = rPe({ el2Regions: n, el1Regions: 8 });
    exec(pe, [mrs(MPUIR_EL2, 0), mrs(MPUIR_EL1, 1)]);
    assert.deepEqual([x(pe, 0), x(pe, 1)], [BigInt(n), 8n]);
  }
  const a = rPe({}, 'A');
  a.sys[sr('VBAR_EL2')] = BigInt(RAM_BASE);
  exec(a, [mrs(PRBAR_EL2, 0)]);
  assert.equal(Number(a.sys[sr('ESR_EL2')]) >>> 26, 0, 'UNDEFINED (EC 0) on Armv8-A');
  assert.equal(a.pc, RAM_BASE + 0x200);
});

test('PRSELR selects the region; PRBAR3 reaches PRSELR[7:4]:3; PRENR aliases PRLAR.EN', () => {
  const pe = rPe();
  exec(pe, [msr(PRSELR_EL2, 0), msr(PRBAR3_EL2, 1), msr(PRSELR_EL2, 2), mrs(PRBAR_EL2, 3), msr(PRLAR_EL2, 4), mrs(PRENR_EL2, 5)], {
    0: 0x10n,
    1: 0xffff_0000_1234_5678n, // RES0 [63:48] dropped
    2: 19n,
    4: 0x4000_0fc1n, // EN
  });
  assert.equal(x(pe, 3), 0x1234_5678n);
  assert.equal(x(pe, 5), 1n << 19n);
  assert.equal(pmsaOf(pe).el2.prlar[19], 0x4000_0fc1n);
  exec(pe, [msr(PRENR_EL2, 0), msr(PRSELR_EL2, 2), mrs(PRLAR_EL2, 3)], { 0: 0n, 2: 19n });
  assert.equal(x(pe, 3), 0x4000_0fc0n, 'PRENR bit cleared EN');
  // A selector beyond MPUIR reads as zero and ignores writes.
  const small = rPe({ el2Regions: 16 });
  exec(small, [msr(PRSELR_EL2, 0), msr(PRBAR_EL2, 1), mrs(PRBAR_EL2, 2)], { 0: 20n, 1: 0x1000n, 2: 7n });
  assert.equal(x(small, 2), 0n);
});

test('the TTBR0_EL2 encoding is VSCTLR_EL2 on Armv8-R (VMID [63:48] only)', () => {
  const pe = rPe();
  const TTBR0_EL2 = [3, 4, 2, 0, 0];
  exec(pe, [msr(TTBR0_EL2, 0), mrs(TTBR0_EL2, 1)], { 0: 0x0005_0000_4000_0000n });
  assert.equal(x(pe, 1), 0x0005_0000_0000_0000n);
  assert.equal(pe.sys[sr('VSCTLR_EL2')], 0x0005_0000_0000_0000n);
  assert.equal(pe.sys[sr('TTBR0_EL2')], 0n);
});

/** Program EL2 MPU region n directly and enable the EL2 MPU. */
function region(pe: Pe, n: number, base: number, limit: number, ap = 0, xn = 0, attrIndx = 0, bank: 1 | 2 = 2): void {
  const b = pmsaOf(pe).bank(bank);
  b.prbar[n] = encodePrbar({ base, sh: 3, ap, xn });
  b.prlar[n] = encodePrlar({ limit, ns: false, attrIndx, en: true });
  b.changed();
  pe.flushTlb();
}

function fault(pe: Pe, va: number, kind: AccessKind, el = 2): { esr: number; far: bigint; hpfar: bigint } {
  try {
    translate(pe, va, kind, el);
  } catch (e) {
    if (e !== EXCEPTION_TAKEN) throw e;
    return { esr: Number(pe.sys[sr('ESR_EL2')]), far: pe.sys[sr('FAR_EL2')], hpfar: pe.sys[sr('HPFAR_EL2')] };
  }
  assert.fail(`no fault at 0x${va.toString(16)}`);
}

function enableEl2Mpu(pe: Pe, br = false): void {
  pe.sys[sr('MAIR_EL2')] = 0x04ffn;
  pe.sys[sr('SCTLR_EL2')] |= 1n | (br ? 1n << 17n : 0n);
  pe.refreshControl();
}

test('EL2 MPU: hit, no match and overlap faults (the board fault model), background region', () => {
  const pe = rPe();
  region(pe, 0, RAM_BASE, RAM_BASE + 0xfff);
  region(pe, 1, RAM_BASE + 0x2000, RAM_BASE + 0x2fff);
  region(pe, 2, RAM_BASE + 0x2800, RAM_BASE + 0x283f);
  enableEl2Mpu(pe);
  assert.equal(translate(pe, RAM_BASE + 0x10, AccessKind.Read, 2).pa, RAM_BASE + 0x10);
  const nm = fault(pe, RAM_BASE + 0x1000, AccessKind.Write);
  assert.equal(nm.esr, ((0x25 << 26) | (1 << 25) | (1 << 6) | 0x0c) >>> 0); // DABT_CUR, IL, WnR, Permission L0
  assert.equal(nm.far, BigInt(RAM_BASE + 0x1000));
  assert.equal(fault(pe, RAM_BASE + 0x2810, AccessKind.Read).esr & 0x3f, 0x0c, 'overlap');
  assert.equal(fault(pe, RAM_BASE + 0x1000, AccessKind.Fetch).esr >>> 26, 0x21, 'instruction abort');

  const tr = rPe({ faultModel: 'translation' });
  region(tr, 0, RAM_BASE, RAM_BASE + 0xfff);
  region(tr, 1, RAM_BASE + 0x800, RAM_BASE + 0x8ff);
  enableEl2Mpu(tr);
  assert.equal(fault(tr, RAM_BASE + 0x1000, AccessKind.Read).esr & 0x3f, 0x04, 'no match: Translation L0');
  assert.equal(fault(tr, RAM_BASE + 0x800, AccessKind.Read).esr & 0x3f, 0x04, 'overlap: Translation L0');

  const bg = rPe();
  region(bg, 0, RAM_BASE, RAM_BASE + 0xfff, 2);
  enableEl2Mpu(bg, true);
  const t = translate(bg, RAM_BASE + 0x5000, AccessKind.Write, 2);
  assert.equal(t.device, true, 'background region = default map: Device for data');
  assert.equal(fault(bg, RAM_BASE + 0x8, AccessKind.Write).esr & 0x3f, 0x0c, 'AP read-only');
});

test('SCTLR_EL2.WXN: a writable EL2 MPU region is execute-never; read-only code still runs', () => {
  const pe = rPe();
  region(pe, 0, RAM_BASE, RAM_BASE + 0xfff); // RW, XN clear: executable only without WXN
  region(pe, 1, RAM_BASE + 0x1000, RAM_BASE + 0x1fff, 2); // RO, executable
  enableEl2Mpu(pe);
  assert.equal(translate(pe, RAM_BASE + 0x10, AccessKind.Fetch, 2).pa, RAM_BASE + 0x10, 'WXN off: RWX region executes');
  pe.sys[sr('SCTLR_EL2')] |= 1n << 19n;
  pe.refreshControl();
  assert.equal(fault(pe, RAM_BASE + 0x10, AccessKind.Fetch).esr & 0x3f, 0x0c, 'WXN on: permission fault on fetch');
  assert.equal(translate(pe, RAM_BASE + 0x10, AccessKind.Write, 2).pa, RAM_BASE + 0x10, 'still writable');
  assert.equal(translate(pe, RAM_BASE + 0x1010, AccessKind.Fetch, 2).pa, RAM_BASE + 0x1010, 'read-only region executes');
});

test('a page split by a region boundary stays out of the page-granular fast path', () => {
  const pe = rPe();
  region(pe, 0, RAM_BASE, RAM_BASE + 0xfff);
  region(pe, 1, RAM_BASE + 0x1000, RAM_BASE + 0x17ff);
  enableEl2Mpu(pe);
  const whole = translate(pe, RAM_BASE + 0x8, AccessKind.Read, 2);
  assert.equal(whole.readable && whole.writable && whole.span === undefined, true);
  const split = translate(pe, RAM_BASE + 0x1008, AccessKind.Read, 2);
  assert.equal(split.readable || split.writable, false);
  assert.deepEqual(split.span, { lo: RAM_BASE + 0x1000, hi: RAM_BASE + 0x1800 });
});

test('HCR_EL2.VM: the EL2 MPU checks EL1 accesses as stage 2, faults to EL2 with HPFAR', () => {
  const pe = rPe();
  region(pe, 0, RAM_BASE, RAM_BASE + 0xfff, 1); // EL1-accessible
  region(pe, 1, RAM_BASE + 0x1000, RAM_BASE + 0x1fff, 0); // EL2 only
  region(pe, 2, RAM_BASE + 0x2000, RAM_BASE + 0x2fff, 3, 2); // RO, XN
  pe.sys[sr('HCR_EL2')] = 1n;
  pe.refreshControl();
  pe.setElSp(1, 1);
  assert.equal(translate(pe, RAM_BASE + 0x40, AccessKind.Write, 1).pa, RAM_BASE + 0x40);
  for (const [va, kind, iss] of [
    [RAM_BASE + 0x1040, AccessKind.Read, 0x0c],
    [RAM_BASE + 0x3040, AccessKind.Read, 0x0c],
    [RAM_BASE + 0x2040, AccessKind.Write, 0x0c | (1 << 6)],
  ] as const) {
    const f = fault(pe, va, kind, 1);
    assert.equal(f.esr >>> 26, 0x24, 'data abort from a lower EL');
    assert.equal(f.esr & 0x7f, iss);
    assert.equal(f.far, BigInt(va));
    assert.equal(f.hpfar, BigInt(Math.floor(va / 4096)) << 4n);
    pe.setElSp(1, 1);
  }
  const xf = fault(pe, RAM_BASE + 0x2000, AccessKind.Fetch, 1);
  assert.equal(xf.esr >>> 26, 0x20, 'instruction abort from a lower EL');
  assert.equal(xf.esr & 0x3f, 0x0c);
});

test('ID_AA64MMFR0_EL1.MSA / MSA_frac and VTCR_EL2.MSA follow the EL1-VMSA board option', () => {
  const MMFR0 = [3, 0, 0, 7, 0];
  const VTCR = [3, 4, 2, 1, 2];
  for (const vmsa of [true, false]) {
    const pe = rPe({ el1Vmsa: vmsa });
    exec(pe, [mrs(MMFR0, 0), msr(VTCR, 1), mrs(VTCR, 2)], { 1: 1n << 31n });
    assert.equal((x(pe, 0) >> 48n) & 0xfn, 0xfn);
    assert.equal((x(pe, 0) >> 52n) & 0xfn, vmsa ? 2n : 1n);
    assert.equal(x(pe, 2) >> 31n, vmsa ? 1n : 0n);
  }
});

test('EL1 VMSA (VTCR_EL2.MSA = 1): a kernel-half VA maps through TTBR1 and its page is whole for the fast path', () => {
  const pe = rPe();
  const table = RAM_BASE + 0x10000;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(RAM_BASE) | (1n << 10n) | (3n << 8n) | 1n, true); // 1 GiB block, AF, ISH
  pe.bus.writeBytes(table, b);
  pe.sys[sr('MAIR_EL1')] = 0xffn;
  pe.sys[sr('TCR_EL1')] = (1n << 7n) | (25n << 16n) | (2n << 30n) | (2n << 32n); // EPD0, T1SZ 25, TG1 4K, IPS 40
  pe.sys[sr('TTBR1_EL1')] = BigInt(table);
  pe.sys[sr('VTCR_EL2')] = 1n << 31n;
  pe.sys[sr('SCTLR_EL1')] |= 1n;
  pe.refreshControl();
  pe.setElSp(1, 1);
  const va = -(2 ** 39) + 0x108; // 0xFFFF_FF80_0000_0108 as a signed-canonical number
  const t = translate(pe, va, AccessKind.Read, 1);
  assert.equal(t.pa, RAM_BASE + 0x108);
  assert.equal(t.readable && t.writable, true);
  assert.equal(t.span, undefined);
  // With the EL2 MPU as stage 2 and no region for the IPA: a stage-2 fault for that IPA.
  pe.sys[sr('HCR_EL2')] = 1n;
  pe.refreshControl();
  region(pe, 0, table, table + 0xfff, 1); // the walk may read the table
  const f = fault(pe, va, AccessKind.Read, 1);
  assert.equal(f.esr >>> 26, 0x24);
  assert.equal(f.hpfar, BigInt(RAM_BASE / 4096) << 4n);
  assert.equal(f.far, 0xffff_ff80_0000_0108n);
});
