// The emulated EL1 physical timer's registers (src/hv/vtimer.ts): CNTP_CTL with ISTATUS
// computed from the count, CNTP_CVAL, and CNTP_TVAL as the signed 32-bit distance to CVAL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vtimerEmulateSysreg, type PhysTimer } from '../../src/hv/vtimer.js';

const CTL = 'S3_3_C14_C2_1';
const CVAL = 'S3_3_C14_C2_2';
const TVAL = 'S3_3_C14_C2_0';

test('CNTP_TVAL writes set CVAL = now + sext(TVAL); reads count down and wrap to 32 bits', () => {
  const t: PhysTimer = { ctl: 0n, cval: 0n, fired: true };
  assert.equal(vtimerEmulateSysreg(t, TVAL, false, 1000n, 5000n), null);
  assert.equal(t.cval, 6000n);
  assert.equal(t.fired, false, 'a write re-arms');
  assert.equal(vtimerEmulateSysreg(t, TVAL, true, 0n, 5400n), 600n);
  assert.equal(vtimerEmulateSysreg(t, TVAL, true, 0n, 6001n), 0xffff_ffffn, 'past the deadline: negative');
  vtimerEmulateSysreg(t, TVAL, false, 0xffff_fff0n, 100n);
  assert.equal(t.cval, 84n, 'TVAL is signed');
  assert.equal(vtimerEmulateSysreg(t, CVAL, true, 0n, 0n), 84n);
});

test('CNTP_CTL: ENABLE and IMASK kept, ISTATUS read-only and computed while enabled', () => {
  const t: PhysTimer = { ctl: 0n, cval: 0n, fired: false };
  vtimerEmulateSysreg(t, CVAL, false, 500n, 0n);
  vtimerEmulateSysreg(t, CTL, false, 0xffn, 0n);
  assert.equal(t.ctl, 3n);
  assert.equal(vtimerEmulateSysreg(t, CTL, true, 0n, 499n), 3n);
  assert.equal(vtimerEmulateSysreg(t, CTL, true, 0n, 500n), 7n);
  vtimerEmulateSysreg(t, CTL, false, 0n, 0n);
  assert.equal(vtimerEmulateSysreg(t, CTL, true, 0n, 900n), 0n, 'disabled: no ISTATUS');
  assert.equal(vtimerEmulateSysreg(t, 'S3_3_C14_C3_1', true, 0n, 0n), false, 'CNTV_CTL is not emulated');
});
