// Physical SPIs of devices given to a domain (src/hv/irq.ts): the host GIC routes the SPI to
// the pCPU of the domain's vCPU 0 and enables it; the hypervisor injects it with a HW = 1 list
// register, so the guest's EOI deactivates the physical interrupt. The device is the virt
// board's PL031 RTC (SPI 2 = INTID 34), whose match interrupt the guests raise on demand;
// dom0-rtc-irq (dom0, owning it as a host device) and domu-rtc-irq (a dom0less domU, owning it
// through docs/virt-rtc-passthrough.dts) take it twice — the second time only arrives if the
// first EOI deactivated the physical SPI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { XenBootSpec } from '../../src/cli/boot.js';
import { bootHv, domU as sharedDomU, partialDtb } from './domUs.js';
import type { XenDomainSpec } from '../../src/platform/loader/xenBoot.js';
import { guestIrqs } from '../../src/hv/irq.js';

const root = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));
const PARTIAL = readFileSync(root('docs/virt-rtc-passthrough.dts'), 'utf8');
const RTC_SPI = 34;
const GICD_IROUTER = 0x0800_0000 + 0x6000;

const boot = (spec: Partial<XenBootSpec>) => bootHv({ smp: 2, ...spec });

const domU = (i: number, file: string, partial?: string): XenDomainSpec =>
  sharedDomU(i, file, partial !== undefined ? { modules: [partialDtb(partial)] } : {});

/** The host GIC's IROUTER for `intid`, read from the board's distributor. */
function irouter(r: ReturnType<typeof boot>, intid: number): number {
  const at = GICD_IROUTER + 8 * intid;
  const reg = r.machine.bus.findMmio(at)!;
  return reg.dev.read(at - reg.base, 4, 0);
}

const RTC_PASSES = [
  'rtc-spi-enabled',
  'rtc-ris-on-match',
  'rtc-masked-no-irq',
  'rtc-irq-taken',
  'rtc-irq-intid',
  'rtc-irq-mis-in-handler',
  'rtc-ris-cleared',
  'rtc-irq-again',
  'rtc-irq-again-intid',
];

test("dom0's device SPIs are routed to it: the RTC's interrupt is taken, EOIed, and taken again", () => {
  const r = boot({
    modules: [{ kind: 'kernel', data: readFileSync(root('guests/bin/dom0-rtc-irq.img')), name: 'dom0-rtc-irq.img' }],
    xenBootargs: 'dom0_mem=64M',
  });
  assert.equal(r.status, 0, r.out + r.message);
  for (const p of RTC_PASSES) assert.ok(r.out.includes(`\nPASS ${p}\n`), `${p}\n${r.out}`);
  assert.match(r.out, /\nDONE pass=9 fail=0\n/);
  const xen = r.hv.xen!;
  const d0 = xen.domains.find((d) => d.id === 0)!;
  assert.ok(guestIrqs(xen, d0).includes(RTC_SPI), String(guestIrqs(xen, d0)));
  // The UART Xen keeps is not dom0's: its SPI (33) stays with the hypervisor.
  assert.ok(!guestIrqs(xen, d0).includes(33));
});

test("a domU's passthrough device: the host node's SPI routed to the pCPU of its vCPU, HW list registers", () => {
  // domU2 owns the RTC; with two pCPUs its vCPU 0 runs on pCPU 1, where the SPI must go.
  const r = boot({ domains: [domU(1, 'hello-domu.img'), domU(2, 'domu-rtc-irq.img', PARTIAL)] });
  assert.equal(r.status, 0, r.out + r.message);
  assert.match(r.out, /\(XEN\) d2: passthrough \/pl031@9010000: IRQ 34 routed \(vIRQ 34\)\n/);
  for (const p of RTC_PASSES) assert.ok(r.out.includes(`(XEN) DOM2: PASS ${p}\n`), `${p}\n${r.out}`);
  assert.match(r.out, /\(XEN\) DOM2: DONE pass=9 fail=0\n/);
  const xen = r.hv.xen!;
  const d2 = xen.domains.find((d) => d.id === 2)!;
  assert.equal(d2.vcpus[0].processor, 1);
  assert.equal(irouter(r, RTC_SPI), xen.cpuMpidr[1] & 0xff_ffff);
  assert.deepEqual(guestIrqs(xen, d2), [RTC_SPI]);
});

test('without xen,path the device is mapped but its interrupt is not routed: the guest sees none (the check can fail)', () => {
  const partial = PARTIAL.replace('xen,path = "/pl031@9010000";', '');
  const r = boot({ domains: [domU(1, 'domu-rtc-irq.img', partial)] });
  assert.match(r.out, /\(XEN\) DOM1: FAIL rtc-irq-taken /);
  assert.match(r.out, /\(XEN\) DOM1: PASS rtc-ris-on-match\n/);
});

test('one SPI, one domain: a second domain asking for the RTC stops the boot with one panic line', () => {
  const r = boot({ domains: [domU(1, 'domu-rtc-irq.img', PARTIAL), domU(2, 'domu-rtc-irq.img', PARTIAL)] });
  assert.equal(r.status, 3, r.out);
  assert.match(r.message ?? '', /d2: IRQ 34 is already used by domain 1/);
  assert.doesNotMatch(r.message ?? '', /\n/);
});
