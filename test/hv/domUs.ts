// Shared by the end-to-end hypervisor tests: a test guest image, a dom0less domU spec for it,
// and a boot of the hypervisor (virt unless told, strict rule checker, console and rule lines
// collected).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootXen, type XenBootSpec } from '../../src/cli/boot.js';
import type { XenBootModule, XenDomainSpec } from '../../src/platform/loader/xenBoot.js';
import { buildDtb } from '../../src/fdt/dtb.js';
import { parseDts } from '../../src/fdt/dts.js';

/** A prebuilt image from guests/bin. */
export const guest = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../../guests/bin/${name}`, import.meta.url)));

/** /chosen/domU<i>: `file` as its kernel, a vpl011, 16 MB and one vCPU unless told, and its other modules. */
export function domU(i: number, file: string, opts: { memKb?: number; cpus?: number; modules?: XenBootModule[] } = {}): XenDomainSpec {
  return {
    name: `domU${i}`,
    memKb: opts.memKb ?? 16 * 1024,
    cpus: opts.cpus ?? 1,
    vpl011: true,
    kernel: { kind: 'kernel', data: guest(file), name: file },
    ...(opts.modules ? { modules: opts.modules } : {}),
  };
}

/** A domain's multiboot,device-tree module: a partial device tree (passthrough) from DTS text. */
export function partialDtb(dts: string): XenBootModule {
  return { kind: 'device-tree', data: buildDtb(parseDts(dts, 'partial.dts')), name: 'partial.dtb' };
}

/** Boot the hypervisor to the end: `out` is the UART, `rules` the rule checker's lines. */
export function bootHv(spec: Partial<XenBootSpec> = {}) {
  let out = '';
  const rules: string[] = [];
  const r = bootXen({
    board: 'virt',
    loader: 'direct',
    strict: true,
    console: (b) => (out += String.fromCharCode(b)),
    onRule: (l) => rules.push(l),
    ...spec,
  });
  return { ...r, out, rules };
}

/** These domUs on two pCPUs unless told. */
export function bootDomUs(domains: XenDomainSpec[], spec: Partial<XenBootSpec> = {}) {
  return bootHv({ smp: 2, domains, ...spec });
}

/** The console lines that start with `prefix`. */
export const lines = (out: string, prefix: string): string[] => out.split('\n').filter((l) => l.startsWith(prefix));
