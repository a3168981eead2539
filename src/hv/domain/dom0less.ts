// create_domUs (common/device-tree/dom0less-build.c): one domain per /chosen child compatible
// "xen,domain", configured by Xen's bindings — memory (KiB, required), cpus (default 1),
// vpl011 (empty property), its multiboot,kernel module (with bootargs), its multiboot,ramdisk
// module (placed after the DTB, named by /chosen linux,initrd-start/-end: loadModules). A node Xen would refuse
// stops the boot with Xen's kind of message (panic), as a bad boot configuration does on Xen.
import type { Xen } from '../xen.js';
import { panic } from '../panic.js';
import { parseDtb, findNode, getU32Or, getU64, getString, type FdtNode } from '../../fdt/dtb.js';
import { MMU_OFF_POLICY_PROP, parseMmuOffPolicy } from '../cacheCoherency.js';
import { InputError } from '../../util/errors.js';
import { constructDomain, type DomainConfig } from './domain.js';
import { Vpl011 } from '../vdev/vpl011.js';

/** GUEST_MAX_VCPUS. */
const GUEST_MAX_VCPUS = 128;

function domainConfig(xen: Xen, node: FdtNode, path: string): DomainConfig {
  if (!node.props.has('memory')) panic(`Unable to create ${path}: 'memory' property is missing`);
  let memKb: number;
  let cpus: number;
  try {
    memKb = getU64(node, 'memory');
    cpus = getU32Or(node, 'cpus', 1);
  } catch (e) {
    if (e instanceof InputError) panic(`Unable to create ${path}: ${e.message}`);
    throw e;
  }
  if (cpus < 1 || cpus > GUEST_MAX_VCPUS) panic(`Unable to create ${path}: cpus = ${cpus} (1..${GUEST_MAX_VCPUS})`);
  const kernel = xen.bootInfo!.modules.find((m) => m.domain === path && m.kind === 'kernel');
  if (!kernel) panic(`Unable to create ${path}: Could not find kernel for the domain`);
  const pdt = xen.bootInfo!.modules.find((m) => m.domain === path && m.kind === 'guest-dtb');
  const rd = xen.bootInfo!.modules.find((m) => m.domain === path && m.kind === 'ramdisk');
  // xen,static-mem (bootFdtInfo reserved it from the heap) and direct-map, which Xen accepts
  // only with static memory for a domU (dom0less-build.c: "direct-map is not valid for domain
  // without static allocation").
  const staticMem = xen
    .bootInfo!.reserved.filter((r) => r.kind === 'static-mem' && r.name === `${path}:xen,static-mem`)
    .map(({ start, size }) => ({ start, size }));
  const directMap = node.props.has('direct-map');
  if (directMap && staticMem.length === 0) panic(`Unable to create ${path}: direct-map is not valid for domain without static allocation`);
  return {
    ...(staticMem.length ? { staticMem } : {}),
    ...(directMap ? { directMap } : {}),
    ...(rd ? { ramdisk: { start: rd.start, size: rd.size } } : {}),
    ...(pdt ? { passthroughDtb: { start: pdt.start, size: pdt.size } } : {}),
    node: path,
    memKb,
    cpus,
    vpl011: node.props.has('vpl011'),
    kernel: { start: kernel.start, size: kernel.size, ...(kernel.cmdline !== undefined ? { cmdline: kernel.cmdline } : {}) },
    ...(node.props.has(MMU_OFF_POLICY_PROP)
      ? { mmuOffPolicy: parseMmuOffPolicy(getString(node, MMU_OFF_POLICY_PROP), `Unable to create ${path}`) }
      : {}),
  };
}

/** Build every dom0less domain; returns how many. */
export function createDomUs(xen: Xen): number {
  return xen.call('createDomUs', () => {
    const bi = xen.bootInfo!;
    if (bi.domains.length === 0) return 0;
    const root = parseDtb(xen.fdtBlob!, 'host device tree').root;
    for (const path of bi.domains) {
      const node = findNode(root, path);
      if (!node) panic(`Unable to create ${path}: node vanished`);
      const cfg = domainConfig(xen, node, path);
      constructDomain(xen, cfg, (d) => {
        const u = new Vpl011(xen, d);
        d.vpl011 = u;
        d.mmio.push(u);
      });
    }
    return bi.domains.length;
  });
}
