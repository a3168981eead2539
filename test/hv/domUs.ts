// Shared by the end-to-end hypervisor tests: a test guest image, a dom0less domU spec for it,
// and a boot of the hypervisor with those domUs (strict rule checker, console and rule lines
// collected).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootXen, type XenBootSpec } from '../../src/cli/boot.js';
import type { XenDomainSpec } from '../../src/platform/loader/xenBoot.js';

/** A prebuilt image from guests/bin. */
export const guest = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../../guests/bin/${name}`, import.meta.url)));

/** /chosen/domU<i>: `file` as its kernel, a vpl011, 16 MB and one vCPU unless told. */
export function domU(i: number, file: string, opts: { memKb?: number; cpus?: number } = {}): XenDomainSpec {
  return {
    name: `domU${i}`,
    memKb: opts.memKb ?? 16 * 1024,
    cpus: opts.cpus ?? 1,
    vpl011: true,
    kernel: { kind: 'kernel', data: guest(file), name: file },
  };
}

/** Boot virt (two pCPUs unless told) with these domUs to the end; `out` is the UART. */
export function bootDomUs(domains: XenDomainSpec[], spec: Partial<XenBootSpec> = {}) {
  let out = '';
  const rules: string[] = [];
  const r = bootXen({
    board: 'virt',
    loader: 'direct',
    smp: 2,
    strict: true,
    domains,
    console: (b) => (out += String.fromCharCode(b)),
    onRule: (l) => rules.push(l),
    ...spec,
  });
  return { ...r, out, rules };
}

/** The console lines that start with `prefix`. */
export const lines = (out: string, prefix: string): string[] => out.split('\n').filter((l) => l.startsWith(prefix));
