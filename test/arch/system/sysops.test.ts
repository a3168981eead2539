// SYS operations: DC ZVA (zeroing, Device-memory alignment fault), AT, TLBI, barriers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { w } from './words.js';
import { cpu, getSys, step, CODE, VBAR1, CUR_SPX_SYNC } from './util.js';
import { DATA, normalMemory } from '../../helpers/cpu.js';

test('DC ZVA zeroes the aligned 64-byte block holding Xt (Normal memory via HCR_EL2.DC)', () => {
  const c = cpu([w('dc zva, x0')]);
  c.bus.writeBytes(DATA, new Uint8Array(256).fill(0xaa));
  normalMemory(c);
  c.setX(0, DATA + 0x47);
  step(c);
  assert.equal(c.pe.pc, CODE + 4);
  const mem = c.bus.readBytes(DATA, 256);
  for (let i = 0; i < 256; i++) assert.equal(mem[i], i >= 0x40 && i < 0x80 ? 0 : 0xaa, `byte ${i}`);
});

test('DC ZVA to Device memory (EL1, MMU off) is an alignment fault with WnR=1 and CM=0 (DC ZVA is not cache maintenance for ISS.CM)', () => {
  const c = cpu([w('dc zva, x0')]);
  c.setX(0, DATA + 0x47);
  step(c);
  assert.equal(c.pe.pc, VBAR1 + CUR_SPX_SYNC);
  assert.equal(getSys(c.pe, 'ESR_EL1'), 0x96000061n);
  assert.equal(getSys(c.pe, 'FAR_EL1'), BigInt(DATA + 0x47));
});

test('AT S1E1R with the MMU off: PAR_EL1 holds the identity PA', () => {
  const c = cpu([w('at s1e1r, x0'), w('mrs x1, par_el1')]);
  c.setX(0, 0x4012_3456);
  step(c, 2);
  assert.equal(c.x(1), 0x4012_3000n | 0x800n | 0x200n | 0x100n); // RES1 bit 11, NS, SH = Outer
});

test('TLBI, IC, DC by set/way, barriers and CLREX execute at EL1', () => {
  const words = [
    'tlbi vmalle1is',
    'tlbi vae1, x1',
    'ic iallu',
    'dc isw, x2',
    'isb',
    'dsb sy',
    'dmb ish',
    'clrex',
    'nop',
    'yield',
    'esb',
    'paciasp',
  ];
  const c = cpu(words.map(w));
  let broadcasts = 0;
  c.pe.host = { ...c.pe.host, tlbiBroadcast: () => broadcasts++ } as typeof c.pe.host;
  c.run();
  assert.equal(c.pe.pc, CODE + words.length * 4);
  assert.equal(c.pe.el, 1);
  assert.equal(broadcasts, 1);
});

test('EL2 TLBI at EL1 is UNDEFINED; SYSL and unknown SYS are UNDEFINED', () => {
  for (const src of ['tlbi alle2', 'sysl x4, #0, c1, c2, #3', 'sys #0, c1, c2, #3, x4', 'msr pan, #0']) {
    const c = cpu([w(src)]);
    step(c);
    assert.equal(getSys(c.pe, 'ESR_EL1'), 0x02000000n, src);
  }
});

test('SEV calls the board hook and sets the local event register', () => {
  const c = cpu([w('sev')]);
  let n = 0;
  c.pe.host = { ...c.pe.host, sev: () => n++ } as typeof c.pe.host;
  step(c);
  assert.equal(n, 1);
  assert.equal(c.pe.eventReg, 1);
});
