// xenPtUpdate on a bare PE at EL2: map/unmap/modify at 4K/2M/1G, the contiguous hint, W^X,
// errors, and break-before-make on live entries (the rule checker, strict, must stay silent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../src/platform/bus.js';
import { Pe } from '../../src/arch/pe.js';
import { sr } from '../../src/arch/sysreg/index.js';
import { walkStage1, PERM } from '../../src/arch/mmu/walk.js';
import { RuleChecker, StrictRuleViolation } from '../../src/arch/rules/checker.js';
import { Cpu, HvFault } from '../../src/hv/arch/cpu.js';
import { INVALID_MFN, PtError, xenPtUpdate, type PtOps } from '../../src/hv/mm/mmu/pt.js';
import {
  MAIRVAL,
  PAGE_HYPERVISOR_NOCACHE,
  PAGE_HYPERVISOR_RO,
  PAGE_HYPERVISOR_RW,
  PAGE_HYPERVISOR_RX,
  _PAGE_BLOCK,
  _PAGE_CONTIG,
  _PAGE_PRESENT,
  _PAGE_XN,
  MT,
} from '../../src/hv/mm/mmu/pte.js';
import { nullHost } from '../helpers/cpu.js';

const RAM = 0x4000_0000;
const POOL = 0x4800_0000;
const MB = 1024 * 1024;
const GB = 1024 * MB;

function setup() {
  const bus = new Bus();
  bus.addRam(RAM, 2 * GB);
  const pe = new Pe({ id: 0, affinity: 0, hasEl2: true, paBits: 44, profile: 'A' }, bus);
  pe.host = nullHost;
  pe.reset(2, RAM);
  pe.off = false;
  const rules = new RuleChecker(bus);
  rules.attach(pe);
  rules.strict = true;
  const cpu = new Cpu(pe);
  let next = POOL;
  const ops: PtOps = { cpu, root: 0, mapTable: (pa) => pa, unmapTable: () => undefined, allocTable: () => (next += 4096) - 4096 };
  ops.root = ops.allocTable();
  cpu.zero(ops.root, 4096);
  const walk = (va: number) => {
    pe.sys[sr('TTBR0_EL2')] = BigInt(ops.root);
    pe.sys[sr('TCR_EL2')] = (1n << 31n) | (1n << 23n) | 16n | (4n << 16n);
    pe.sys[sr('MAIR_EL2')] = MAIRVAL;
    pe.refreshControl();
    const c = { ...pe.mmu.el2, enabled: true };
    return walkStage1(bus, c, va, false, null);
  };
  /** Turn the EL2 MMU on with these tables (the pool is identity mapped so updates still reach it). */
  const mmuOn = () => {
    xenPtUpdate(ops, POOL, POOL, 512, PAGE_HYPERVISOR_RW);
    xenPtUpdate(ops, RAM, RAM, 1, PAGE_HYPERVISOR_RX);
    pe.sys[sr('TTBR0_EL2')] = BigInt(ops.root);
    pe.sys[sr('TCR_EL2')] = (1n << 31n) | (1n << 23n) | 16n | (4n << 16n);
    pe.sys[sr('MAIR_EL2')] = MAIRVAL;
    pe.sys[sr('SCTLR_EL2')] = 0x30c5_0830n | 1n;
    pe.refreshControl();
    pe.curPc = RAM;
  };
  return { bus, pe, cpu, ops, walk, mmuOn, rules };
}

const VA = 0x80_4000_0000;

test('4K mappings: output address, permissions and attributes', () => {
  const { ops, walk } = setup();
  xenPtUpdate(ops, VA, 0x4100_0000, 3, PAGE_HYPERVISOR_RO);
  xenPtUpdate(ops, VA + 3 * 4096, 0x0900_0000, 1, PAGE_HYPERVISOR_NOCACHE);
  const r = walk(VA + 4096 + 12);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.oa, 0x4100_1000 + 12);
  assert.equal(r.level, 3);
  assert.equal(r.perms & PERM.W1, 0, 'read-only');
  assert.equal(r.perms & PERM.X1, 0, 'XN');
  const d = walk(VA + 3 * 4096);
  assert.ok(d.ok && d.attrs.device, 'ioremap nocache is Device');
  assert.equal(walk(VA + 4 * 4096).ok, false);
});

test('superpages: 1GB and 2MB blocks when aligned, 4K otherwise; contiguous runs of 16', () => {
  const { ops, walk } = setup();
  xenPtUpdate(ops, 0x100_0000_0000, RAM, GB / 4096, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  const g = walk(0x100_0000_0000 + 5 * MB);
  assert.ok(g.ok && g.level === 1 && g.oa === RAM + 5 * MB);
  xenPtUpdate(ops, VA, RAM, (32 * MB) / 4096, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  const b = walk(VA + 3 * MB);
  assert.ok(b.ok && b.level === 2 && b.contiguous, 'aligned 32MB of 2MB blocks carry the contiguous hint');
  xenPtUpdate(ops, VA + 64 * MB + 4096, RAM + 4096, 2000, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  const p = walk(VA + 64 * MB + 4096);
  assert.ok(p.ok && p.level === 3, 'misaligned start falls back to pages');
  const p2 = walk(VA + 66 * MB);
  assert.ok(p2.ok && p2.level === 2 && !p2.contiguous, 'an aligned 2MB inside the range is a block');
});

test('bad requests are clear errors', () => {
  const { ops } = setup();
  const rwx = MT.NORMAL | _PAGE_PRESENT;
  assert.throws(() => xenPtUpdate(ops, VA, RAM, 1, rwx), /W\^X/);
  assert.throws(() => xenPtUpdate(ops, VA + 12, RAM, 1, PAGE_HYPERVISOR_RW), /VA is not page aligned/);
  assert.throws(() => xenPtUpdate(ops, VA, RAM + 12, 1, PAGE_HYPERVISOR_RW), /PA is not page aligned/);
  assert.throws(() => xenPtUpdate(ops, VA, RAM, 1, PAGE_HYPERVISOR_RW | _PAGE_CONTIG), /_PAGE_CONTIG is internal/);
  assert.throws(() => xenPtUpdate(ops, VA, RAM, 0, PAGE_HYPERVISOR_RW), /positive/);
  assert.throws(() => xenPtUpdate(ops, 2 ** 48 - 4096, RAM, 2, PAGE_HYPERVISOR_RW), /outside the 48-bit/);
  xenPtUpdate(ops, VA, RAM, 1, PAGE_HYPERVISOR_RW);
  assert.throws(
    () => xenPtUpdate(ops, VA, RAM + 4096, 1, PAGE_HYPERVISOR_RW),
    (e: unknown) => e instanceof PtError && /overlapping request/.test(e.message),
  );
  assert.throws(() => xenPtUpdate(ops, VA, RAM, 512, PAGE_HYPERVISOR_RW | _PAGE_BLOCK), /finer-grained/);
  assert.throws(() => xenPtUpdate(ops, VA + 2 * MB, INVALID_MFN, 1, PAGE_HYPERVISOR_RO), /not mapped/);
});

test('unmap and modify, including shattering a block and breaking a contiguous run', () => {
  const { ops, walk } = setup();
  xenPtUpdate(ops, VA, RAM, (32 * MB) / 4096, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  const s = xenPtUpdate(ops, VA + 3 * MB, INVALID_MFN, 1, 0);
  assert.equal(s.shattered, 1);
  assert.equal(walk(VA + 3 * MB).ok, false);
  const n = walk(VA + 3 * MB + 4096);
  assert.ok(n.ok && n.level === 3 && n.oa === RAM + 3 * MB + 4096, 'the rest of the shattered block still maps');
  const o = walk(VA + 5 * MB);
  assert.ok(o.ok && o.level === 2 && !o.contiguous, 'the run lost its contiguous hint');
  xenPtUpdate(ops, VA + 8 * MB, INVALID_MFN, 512, PAGE_HYPERVISOR_RO);
  const m = walk(VA + 8 * MB + 77);
  assert.ok(m.ok && (m.perms & PERM.W1) === 0 && m.level === 2);
  xenPtUpdate(ops, VA, INVALID_MFN, (64 * MB) / 4096, 0);
  for (const off of [0, 3 * MB + 4096, 8 * MB, 31 * MB]) assert.equal(walk(VA + off).ok, false);
});

test('live changes follow break-before-make: the strict rule checker stays silent', () => {
  const { ops, cpu, mmuOn, pe, walk } = setup();
  xenPtUpdate(ops, VA, RAM + 16 * MB, (32 * MB) / 4096, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  mmuOn();
  // Fill the TLB from the blocks, then change them while live.
  for (let off = 0; off < 32 * MB; off += 2 * MB) cpu.read32(VA + off);
  xenPtUpdate(ops, VA + 4 * MB + 4096, INVALID_MFN, 1, PAGE_HYPERVISOR_RO);
  xenPtUpdate(ops, VA + 6 * MB, INVALID_MFN, 512, (PAGE_HYPERVISOR_RW & ~0x7) | MT.NORMAL_NC);
  xenPtUpdate(ops, VA + 10 * MB, INVALID_MFN, 1, 0);
  assert.equal(cpu.read32(VA + 4 * MB), 0, 'neighbour of the shattered page still readable');
  assert.throws(() => cpu.write32(VA + 4 * MB + 4096, 1), HvFault, 'the read-only page faults on write');
  assert.equal(Number(pe.sys[sr('ESR_EL2')] >> 26n), 0x25);
  const nc = walk(VA + 6 * MB);
  assert.ok(nc.ok && !nc.attrs.device);
  void _PAGE_XN;
});

test('control: the same live change without break-before-make is caught', () => {
  const { ops, cpu, mmuOn } = setup();
  xenPtUpdate(ops, VA, RAM + 16 * MB, 512, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  mmuOn();
  cpu.read32(VA);
  // Rewrite the live L2 block with another output address in place.
  const l1 = Number(cpu.read64(ops.root + 1 * 8) & 0xffff_ffff_f000n);
  const l2 = Number(cpu.read64(l1 + 1 * 8) & 0xffff_ffff_f000n);
  const e = cpu.read64(l2);
  assert.throws(() => cpu.write64(l2, e + BigInt(2 * MB)), StrictRuleViolation);
});

test('re-mapping the same page with other permissions is in place; with another memory type it breaks first', () => {
  const { ops } = setup();
  xenPtUpdate(ops, VA, RAM, 1, PAGE_HYPERVISOR_RW);
  const perm = xenPtUpdate(ops, VA, RAM, 1, PAGE_HYPERVISOR_RO);
  assert.equal(perm.breaks, 0);
  assert.equal(perm.tlbis, 1);
  const type = xenPtUpdate(ops, VA, RAM, 1, PAGE_HYPERVISOR_NOCACHE);
  assert.equal(type.breaks, 1);
  assert.equal(xenPtUpdate(ops, VA, RAM, 1, PAGE_HYPERVISOR_NOCACHE).tlbis, 0, 'identical: nothing to do');
});

test('shattering a 1GB block down to 4K keeps every other page where it was', () => {
  const { ops, walk } = setup();
  const G = 0x100_0000_0000;
  xenPtUpdate(ops, G, RAM, GB / 4096, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
  const s = xenPtUpdate(ops, G + 300 * MB + 8192, INVALID_MFN, 1, 0);
  assert.equal(s.shattered, 2, '1GB -> 2MB -> 4K');
  assert.equal(walk(G + 300 * MB + 8192).ok, false);
  for (const [off, level] of [
    [300 * MB + 4096, 3],
    [300 * MB + 12288, 3],
    [302 * MB, 2],
    [0, 2],
    [GB - 4096, 2],
  ] as const) {
    const r = walk(G + off);
    assert.ok(r.ok && r.oa === RAM + off && r.level === level, `offset ${off.toString(16)}`);
  }
});
