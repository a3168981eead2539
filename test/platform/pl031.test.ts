// The PL031 RTC (src/platform/devices/pl031.ts): QEMU's register behaviour on virtual time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pl031 } from '../../src/platform/devices/pl031.js';

const S = 1e9;

test('ID registers, CR always on, LR loads the counter and DR counts whole virtual seconds', () => {
  let now = 0;
  const rtc = new Pl031(() => now);
  assert.deepEqual(
    [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rtc.read(o, 4, 0)),
    [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1],
  );
  assert.equal(rtc.read(0x0c, 4, 0), 1);
  assert.equal(rtc.read(0x00, 4, 0), 0);
  now = 2.5 * S;
  assert.equal(rtc.read(0x00, 4, 0), 2);
  rtc.write(0x08, 4, 1000, 0);
  assert.equal(rtc.read(0x08, 4, 0), 1000);
  assert.equal(rtc.read(0x00, 4, 0), 1000);
  now = 4.1 * S;
  assert.equal(rtc.read(0x00, 4, 0), 1002, 'two whole seconds (2 → 4) since the load');
  rtc.write(0x00, 4, 5, 0);
  assert.equal(rtc.read(0x00, 4, 0), 1002, 'DR is read-only');
});

test('match interrupt state: RIS on MR == DR, MIS masked by IMSC, ICR clears', () => {
  const rtc = new Pl031(() => 7 * S);
  rtc.write(0x04, 4, 8, 0);
  assert.equal(rtc.read(0x14, 4, 0), 0);
  rtc.write(0x04, 4, 7, 0);
  assert.equal(rtc.read(0x04, 4, 0), 7);
  assert.equal(rtc.read(0x14, 4, 0), 1);
  assert.equal(rtc.read(0x18, 4, 0), 0, 'masked');
  rtc.write(0x10, 4, 1, 0);
  assert.equal(rtc.read(0x18, 4, 0), 1);
  rtc.write(0x1c, 4, 1, 0);
  assert.equal(rtc.read(0x14, 4, 0), 0);
});
