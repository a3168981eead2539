// The p2m: tables the hypervisor builds in simulated RAM (domheap pages reached through its
// directmap) walked back with the machine's own stage-2 walker under the VTCR/VTTBR the world
// switch loads. Types → attributes and permissions, blocks where alignment allows, errors for
// overlaps / out-of-range / misalignment, and break-before-make flushes on removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootXen } from '../../src/cli/boot.js';
import { stage2Config } from '../../src/arch/mmu/regime.js';
import { walkStage2, PERM, type WalkResult } from '../../src/arch/mmu/walk.js';
import {
  EEXIST,
  EINVAL,
  P2mError,
  VTCR_EL2_VALUE,
  p2mInit,
  p2mInsertMapping,
  p2mLookup,
  p2mRemoveMapping,
  vttbrOf,
  type P2m,
} from '../../src/hv/p2m/p2m.js';
import type { Xen } from '../../src/hv/xen.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** A booted hypervisor (no domains): its heap, directmap and PE0 at EL2 are ready to use. */
function bootedXen(): Xen {
  const r = bootXen({ board: 'virt', loader: 'direct', memSize: 2 * GB, console: () => {} });
  assert.equal(r.status, 0, r.message ?? '');
  return r.hv.xen!;
}

const xen = bootedXen();

/** Walk `ipa` in `p2m` with the machine's walker, as the PE would with this VTTBR/VTCR. */
function walk(p: P2m, ipa: number): WalkResult {
  const cpu = xen.cpu;
  cpu.writeSysreg('VTCR_EL2', VTCR_EL2_VALUE);
  cpu.writeSysreg('VTTBR_EL2', vttbrOf(p));
  cpu.writeSysreg('HCR_EL2', 1n | (1n << 31n));
  const c = stage2Config(cpu.pe);
  assert.equal(c.badConfig, false);
  assert.equal(c.iaBits, 40);
  assert.equal(c.startLevel, 1);
  assert.equal(c.vmid, p.vmid);
  return walkStage2(cpu.pe.bus, c, ipa);
}

function heapPages(order: number): number {
  return xen.heap!.allocDomheapPages(order)!;
}

test('ram_rw: 2MB blocks where both addresses are aligned, 4K pages elsewhere; Normal WB, RWX', () => {
  const p = p2mInit(xen, 5);
  const pa = heapPages(10); // 4 MB, 4 MB aligned
  p2mInsertMapping(xen, p, 0x4000_0000, 1024, pa, 'ram_rw');
  const a = walk(p, 0x4000_0000 + 0x1234);
  assert.ok(a.ok);
  assert.equal(a.level, 2);
  assert.equal(a.oa, pa + 0x1234);
  assert.equal(a.attrs.device, false);
  assert.equal(a.perms & (PERM.R1 | PERM.W1 | PERM.X1), PERM.R1 | PERM.W1 | PERM.X1);
  // 4K-aligned only: level-3 pages.
  const q = p2mInit(xen, 6);
  p2mInsertMapping(xen, q, 0x4000_1000, 3, pa, 'ram_rw');
  const b = walk(q, 0x4000_2000);
  assert.ok(b.ok);
  assert.equal(b.level, 3);
  assert.equal(b.oa, pa + 0x1000);
  assert.equal(walk(q, 0x4000_0000).ok, false);
  assert.equal(walk(q, 0x4000_4000).ok, false);
  assert.deepEqual(p2mLookup(xen, q, 0x4000_3004), { pa: pa + 0x2004, type: 'ram_rw', level: 3 });
});

test('a 1GB block at the concatenated level-1 root, in its second page (IPA bit 39 set)', () => {
  const p = p2mInit(xen, 7);
  const ipa = 0x80_0000_0000 + GB; // 513 GB: root index 513, the second concatenated table
  p2mInsertMapping(xen, p, ipa, GB / 4096, GB, 'mmio_direct_c');
  const r = walk(p, ipa + 0x12_3456);
  assert.ok(r.ok);
  assert.equal(r.level, 1);
  assert.equal(r.oa, GB + 0x12_3456);
});

test('p2m types: their stage-2 memory attributes and permissions', () => {
  const p = p2mInit(xen, 8);
  const base = 0x1000_0000;
  const types = ['ram_rw', 'ram_ro', 'mmio_direct_dev', 'mmio_direct_nc', 'mmio_direct_c', 'mmio_direct_c_rwx'] as const;
  types.forEach((t, i) => p2mInsertMapping(xen, p, base + i * 0x1000, 1, 0x0900_0000 + i * 0x1000, t));
  const at = (i: number) => {
    const r = walk(p, base + i * 0x1000);
    assert.ok(r.ok);
    return r;
  };
  const rw = at(0);
  assert.equal(rw.attrs.device, false);
  assert.ok(rw.perms & PERM.W1 && rw.perms & PERM.X1);
  const ro = at(1);
  assert.equal(ro.perms & PERM.W1, 0);
  assert.ok(ro.perms & PERM.R1 && ro.perms & PERM.X1);
  const dev = at(2);
  assert.equal(dev.attrs.device, true);
  assert.equal(dev.attrs.deviceType, 1, 'Device-nGnRE');
  assert.equal(dev.perms & PERM.X1, 0, 'XN');
  const nc = at(3);
  assert.equal(nc.attrs.device, false);
  assert.equal(nc.attrs.inner, 0, 'Non-cacheable');
  assert.equal(nc.perms & PERM.X1, 0);
  const c = at(4);
  assert.equal(c.attrs.device, false);
  assert.notEqual(c.attrs.inner, 0, 'cacheable');
  assert.equal(c.perms & PERM.X1, 0);
  // mmio-sram (seed 004): Normal WB like mmio_direct_c, but writable and executable.
  const sram = at(5);
  assert.equal(sram.attrs.device, false);
  assert.notEqual(sram.attrs.inner, 0, 'cacheable');
  assert.ok(sram.perms & PERM.W1 && sram.perms & PERM.X1, 'RWX');
  types.forEach((t, i) => assert.equal(p2mLookup(xen, p, base + i * 0x1000)?.type, t));
});

test('clear errors: overlapping, out-of-range and unaligned requests change nothing', () => {
  const p = p2mInit(xen, 9);
  const pa = heapPages(9);
  p2mInsertMapping(xen, p, 0x4000_0000, 512, pa, 'ram_rw');
  const err = (fn: () => void, errno: number, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof P2mError && e.errno === errno && re.test(e.message));
  err(() => p2mInsertMapping(xen, p, 0x401f_f000, 2, pa, 'ram_rw'), EEXIST, /IPA 0x401ff000 is already mapped/);
  assert.equal(p2mLookup(xen, p, 0x4020_0000), null, 'the rejected map left no partial mapping');
  err(() => p2mInsertMapping(xen, p, 2 ** 40 - 4096, 2, pa, 'ram_rw'), EINVAL, /outside the 40-bit IPA space/);
  err(() => p2mInsertMapping(xen, p, 0x5000_0800, 1, pa, 'ram_rw'), EINVAL, /unaligned/);
  err(() => p2mInsertMapping(xen, p, 0x5000_0000, 0, pa, 'ram_rw'), EINVAL, /empty/);
});

test('removal shatters a block with break-before-make and flushes; the rest stays mapped', () => {
  const p = p2mInit(xen, 10);
  const pa = heapPages(9); // 2 MB
  p2mInsertMapping(xen, p, 0x4000_0000, 512, pa, 'ram_rw');
  assert.equal(p.flushes, 0, 'inserting into invalid entries needs no flush');
  p2mRemoveMapping(xen, p, 0x4000_5000, 1);
  assert.ok(p.flushes >= 2, 'the block break and the page removal were both flushed');
  assert.equal(walk(p, 0x4000_5000).ok, false);
  const r = walk(p, 0x4000_6000);
  assert.ok(r.ok);
  assert.equal(r.level, 3);
  assert.equal(r.oa, pa + 0x6000);
  // Removing what is not mapped is a no-op, not an error (Xen's p2m_remove_mapping).
  const before = p.flushes;
  p2mRemoveMapping(xen, p, 0x7000_0000, 16);
  assert.equal(p.flushes, before);
});
