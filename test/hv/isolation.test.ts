// Isolation and faults (issue 6): a domU touching memory or a device it does not own takes the
// abort Xen injects and carries on; a domU that cannot take it (vector table unreachable, nested
// abort) has only its own domain crashed; a domU flooding hypercalls forever does not starve
// another domain on the same pCPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootDomUs, domU, lines } from './domUs.js';
import { injectedAbortEsr, syncVectorOffset, PSR_EL1H_DAIF } from '../../src/hv/inject.js';
import { EC, ESR_IL } from '../../src/arch/esr.js';

test('the vector offset follows the interrupted mode (Arm ARM D1.10.2)', () => {
  assert.equal(syncVectorOffset(0x3c5n), 0x200); // EL1h
  assert.equal(syncVectorOffset(0x3c4n), 0x000); // EL1t
  assert.equal(syncVectorOffset(0x000n), 0x400); // EL0t
  assert.equal(syncVectorOffset(0x010n), 0x600); // AArch32 user
  assert.equal(PSR_EL1H_DAIF, 0x3c5n);
});

test("the injected ESR_EL1 is Xen's: same-EL or lower-EL abort class, IL from ESR_EL2, ISS 0", () => {
  const hsrDabt = 0x9380_0045; // ISV, SRT, WnR, DFSC translation level 1
  assert.equal(injectedAbortEsr(0x3c5n, true, hsrDabt), ((EC.DABT_CUR << 26) | ESR_IL) >>> 0);
  assert.equal(injectedAbortEsr(0x0n, true, hsrDabt), ((EC.DABT_LOW << 26) | ESR_IL) >>> 0);
  assert.equal(injectedAbortEsr(0x3c5n, false, 0x8200_0005), ((EC.IABT_CUR << 26) | ESR_IL) >>> 0);
  assert.equal(injectedAbortEsr(0x0n, false, 0x8200_0005), ((EC.IABT_LOW << 26) | ESR_IL) >>> 0);
  assert.equal(injectedAbortEsr(0x3c5n, true, 0x9000_0005), (EC.DABT_CUR << 26) >>> 0);
});

test("a domU touching unowned IPAs, another domain's RAM and a device without a syndrome takes the injected abort and carries on", () => {
  const r = bootDomUs([domU(1, 'domu-abort.img'), domU(2, 'hello-domu.img')]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  const d1 = lines(r.out, '(XEN) DOM1: ');
  assert.equal(d1.filter((l) => l.includes('FAIL')).length, 0, d1.join('\n'));
  assert.ok(d1.includes('(XEN) DOM1: DONE pass=10 fail=0'), d1.join('\n'));
  // Xen's syndromes: EC 0x25/0x21 from EL1, 0x24 from EL0, IL 1, ISS 0; FAR the address.
  for (const l of [
    'ABT abort-read-unowned-ipa esr=96000000 far=10000000 vec=4',
    'ABT abort-write-unowned-ipa esr=96000000 far=10001000 vec=4',
    'ABT abort-read-other-domain-pa esr=96000000 far=5e000100 vec=4',
    'ABT abort-gicd-ldp-no-isv esr=96000000 far=3001000 vec=4',
    'ABT abort-vpl011-write-cr esr=96000000 far=22000030 vec=4',
    'ABT abort-vpl011-read-periphid esr=96000000 far=22000fe0 vec=4',
    'ABT abort-vpl011-read64-fr esr=96000000 far=22000018 vec=4',
    'ABT abort-fetch-unowned-ipa esr=86000000 far=10000000 vec=4',
    'ABT abort-el0-read esr=92000000 far=10000000 vec=8',
  ])
    assert.ok(d1.includes(`(XEN) DOM1: ${l}`), l);
  // The vpl011 refuses what Xen 4.17's refuses, with its log lines.
  assert.match(r.out, /\(XEN\) d1v0 vpl011: unhandled write r31 offset 0x000030\n/);
  assert.match(r.out, /\(XEN\) d1v0 vpl011: unhandled read r\d+ offset 0x000fe0\n/);
  assert.match(r.out, /\(XEN\) d1v0 vpl011: bad read width 3 r\d+ offset 0x000018\n/);
  // The "other domain" address the guest probes is domU2's RAM in this configuration.
  const [d2bank] = r.hv.xen!.domains[1].banks;
  assert.ok(0x5e00_0100 >= d2bank.pa && 0x5e00_0100 < d2bank.pa + d2bank.size, JSON.stringify(d2bank));
  assert.ok(r.out.includes('(XEN) DOM2: DONE pass=2 fail=0'));
  assert.equal(r.hv.xen!.domains[0].state, 'shutdown');
  assert.doesNotMatch(r.out, /domain_crash/);
});

test('a domU whose VBAR_EL1 points at an unowned IPA cannot take the abort: its domain is crashed, the other finishes', () => {
  const r = bootDomUs([domU(1, 'domu-fault.img'), domU(2, 'hello-domu.img')]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.match(
    r.out,
    /\(XEN\) d1v0 unhandled prefetch abort: HSR=0x82000005 pc=0x0000000010000200 gva=0x0000000010000200 gpa=0x0000000010000200: abort on the vector table\n\(XEN\) domain_crash called from doTrapStage2AbortGuest\n/,
  );
  // The dump shows the abort that was being delivered: ELR/ESR/FAR_EL1 of the injected one.
  assert.match(r.out, /\(XEN\)    ESR_EL1: 0000000096000000\n\(XEN\)    FAR_EL1: 0000000010000000\n/);
  assert.ok(!r.out.includes('unmapped-read-must-not-return'));
  assert.ok(r.out.includes('(XEN) DOM2: DONE pass=2 fail=0'));
  assert.equal(r.hv.xen!.domains[0].state, 'crashed');
  assert.equal(r.hv.xen!.domains[1].state, 'shutdown');
});

test('a domU whose handler returns to the same faulting access is crashed on the repeat (nested abort)', () => {
  const r = bootDomUs([domU(1, 'domu-nested.img'), domU(2, 'hello-domu.img')]);
  assert.equal(r.status, 0, r.out + r.message);
  const aborts = lines(r.out, '(XEN) d1v0 unhandled data abort:');
  assert.equal(aborts.length, 2, aborts.join('\n'));
  assert.ok(!aborts[0].endsWith('nested abort') && aborts[1].endsWith(': nested abort'), aborts.join('\n'));
  assert.match(r.out, /\(XEN\) Domain 1 \(vcpu#0\) crashed on cpu#0:\n/);
  assert.ok(!r.out.includes('retried-read-must-not-return'));
  assert.ok(r.out.includes('(XEN) DOM2: DONE pass=2 fail=0'));
  assert.equal(r.hv.xen!.domains[0].state, 'crashed');
});

test('a domU flooding hypercalls forever does not starve another domain on the same pCPU', () => {
  const r = bootDomUs([domU(1, 'domu-flood.img'), domU(2, 'hello-domu.img')], { smp: 1, maxInsns: 25_000_000 });
  const all = r.out.split('\n');
  const start = all.indexOf('(XEN) DOM1: flood: start');
  const done = all.indexOf('(XEN) DOM2: DONE pass=2 fail=0');
  assert.ok(start >= 0 && done > start, r.out.slice(-3000));
  // The flood went on after the victim had finished: it was preempted, not finished.
  assert.ok(
    all.slice(done).some((l) => /^\(XEN\) DOM1: flood: [1-9]\d*$/.test(l)),
    r.out.slice(-2000),
  );
  assert.equal(r.hv.xen!.domains[1].state, 'shutdown');
  assert.equal(r.hv.xen!.domains[0].state, 'running');
  assert.notEqual(r.status, 0, 'the run ended at the instruction limit, the flooder still running');
});
