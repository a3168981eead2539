// `armvisor boot --dom0 FILE[,mem=SIZE][,bootargs=TEXT]`: the hardware domain's kernel as the
// first multiboot,kernel module of /chosen (outside every xen,domain node: Xen's dom0 kernel),
// bootargs= on the module node (Xen's kinfo->cmdline for dom0), mem= as `dom0_mem=` on Xen's
// command line. bootargs, when given, must come last (it may contain commas).
import { InputError } from '../util/errors.js';
import type { XenBootModule } from '../platform/loader/xenBoot.js';
import { parseSize, readInput } from './run.js';

export interface Dom0Option {
  kernel: XenBootModule;
  /** dom0_mem= for Xen's command line, when mem= was given. */
  dom0Mem?: string;
}

export function parseDom0(text: string): Dom0Option {
  const at = text.indexOf(',bootargs=');
  const head = at < 0 ? text : text.slice(0, at);
  const bootargs = at < 0 ? undefined : text.slice(at + ',bootargs='.length);
  const [file, ...opts] = head.split(',');
  if (!file) throw new InputError('--dom0', `'${text}' does not name a kernel file`);
  let dom0Mem: string | undefined;
  for (const o of opts) {
    const eq = o.indexOf('=');
    if (o.slice(0, eq) !== 'mem') throw new InputError('--dom0', `'${o}' is not mem=SIZE or bootargs=TEXT`);
    const v = o.slice(eq + 1);
    const bytes = parseSize(v, '--dom0 mem');
    if (bytes % 4096 || bytes < 4 * 1024 * 1024) throw new InputError('--dom0', `mem=${v} must be a multiple of 4K and at least 4M`);
    dom0Mem = `${bytes / 1024}K`;
  }
  return {
    kernel: { kind: 'kernel', data: readInput(file, '--dom0'), name: file, ...(bootargs !== undefined ? { cmdline: bootargs } : {}) },
    ...(dom0Mem !== undefined ? { dom0Mem } : {}),
  };
}

/** Xen's command line with dom0_mem= appended (a later option wins in Xen's parser). */
export function withDom0Mem(xenBootargs: string | undefined, d: Dom0Option | undefined): string | undefined {
  if (!d?.dom0Mem) return xenBootargs;
  return [xenBootargs, `dom0_mem=${d.dom0Mem}`].filter((s) => s !== undefined && s !== '').join(' ');
}
