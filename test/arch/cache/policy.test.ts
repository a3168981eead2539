// Which accesses the data cache sees (src/arch/cache/policy.ts): the translation's attributes,
// then SCTLR_ELx.C, HCR_EL2.DC (overrides SCTLR_EL1.C) and HCR_EL2.CD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu } from '../../helpers/cpu.js';
import { sr } from '../../../src/arch/sysreg/index.js';
import { dataCacheability } from '../../../src/arch/cache/policy.js';
import { Cacheability, DeviceType, Shareability, deviceAttrs, normalAttrs } from '../../../src/arch/mmu/memattr.js';

const WB = normalAttrs(Cacheability.WriteBack, Cacheability.WriteBack, Shareability.Inner);
const WT = normalAttrs(Cacheability.WriteThrough, Cacheability.WriteThrough, Shareability.Inner);
const NC = normalAttrs(Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.Outer);
const DEV = deviceAttrs(DeviceType.nGnRE);
const SCTLR_C = 1n << 2n;

function pe(el: 1 | 2, sctlr1: bigint, sctlr2: bigint, hcr: bigint) {
  const c = makeCpu([], { el });
  c.pe.sys[sr('SCTLR_EL1')] = sctlr1;
  c.pe.sys[sr('SCTLR_EL2')] = sctlr2;
  c.pe.sys[sr('HCR_EL2')] = hcr;
  c.pe.refreshControl();
  return c.pe;
}

test('the inner attribute decides; Device and Non-cacheable bypass', () => {
  const p = pe(1, SCTLR_C, 0n, 0n);
  assert.equal(dataCacheability(p, WB), Cacheability.WriteBack);
  assert.equal(dataCacheability(p, WT), Cacheability.WriteThrough);
  assert.equal(dataCacheability(p, NC), Cacheability.NonCacheable);
  assert.equal(dataCacheability(p, DEV), Cacheability.NonCacheable);
  assert.equal(
    dataCacheability(p, normalAttrs(Cacheability.NonCacheable, Cacheability.WriteBack, Shareability.Inner)),
    Cacheability.NonCacheable,
  );
});

test('SCTLR_ELx.C = 0 makes the regime Non-cacheable; HCR_EL2.DC overrides SCTLR_EL1.C', () => {
  assert.equal(dataCacheability(pe(1, 0n, SCTLR_C, 0n), WB), Cacheability.NonCacheable);
  assert.equal(dataCacheability(pe(2, SCTLR_C, 0n, 0n), WB), Cacheability.NonCacheable, 'EL2 uses SCTLR_EL2.C');
  assert.equal(dataCacheability(pe(2, 0n, SCTLR_C, 0n), WB), Cacheability.WriteBack);
  assert.equal(dataCacheability(pe(1, 0n, 0n, 1n << 12n), WB), Cacheability.WriteBack, 'HCR_EL2.DC');
});

test('HCR_EL2.CD makes EL1&0 data Non-cacheable under stage 2', () => {
  assert.equal(dataCacheability(pe(1, SCTLR_C, 0n, (1n << 32n) | 1n), WB), Cacheability.NonCacheable);
  assert.equal(dataCacheability(pe(2, 0n, SCTLR_C, (1n << 32n) | 1n), WB), Cacheability.WriteBack, 'not EL2 accesses');
});
