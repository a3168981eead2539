// The built-in r82 configuration (r82-default.dts) and how a configuration fragment becomes a
// host device tree: a tree with no /memory node is a fragment (typically just /chosen with
// Xen's bindings) and is overlaid on the r82 board's own tree, so the board is described once
// (src/platform/boards/r82Dt.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDts } from '../../fdt/dts.js';
import { cloneNode, findNode, getReg, type Fdt, type FdtNode } from '../../fdt/dtb.js';
import { InputError } from '../../util/errors.js';
import { makeR82Dtb } from '../../platform/boards/r82Dt.js';

export const R82_DEFAULT_DTS = fileURLToPath(new URL('../../../../src/hv/configs/r82-default.dts', import.meta.url));
/** Host of the built-in configuration: the r82 default DRAM and one pCPU per domain. */
export const R82_CONFIG_RAM = 512 * 1024 * 1024;
export const R82_CONFIG_CPUS = 2;
/** Where the host DTB is placed: the last 2 MiB of DRAM (2 MiB aligned, like the loader's rule). */
export const R82_CONFIG_DTB_ADDR = R82_CONFIG_RAM - 2 * 1024 * 1024;

/** Merge `from` into `into`: properties replace, children merge by name or are appended. */
function overlay(into: FdtNode, from: FdtNode): void {
  for (const [k, v] of from.props) into.props.set(k, v);
  for (const c of from.children) {
    const same = into.children.find((x) => x.name === c.name);
    if (same) overlay(same, c);
    else into.children.push(cloneNode(c));
  }
}

/** The r82 host a fragment is overlaid on (default: R82_CONFIG_RAM, R82_CONFIG_CPUS). */
export interface R82Host {
  ramSize: number;
  cpus: number;
}

/** A complete host tree: `cfg` itself if it describes memory, else `cfg` overlaid on the r82 board. */
export function r82HostTree(cfg: Fdt, host: R82Host = { ramSize: R82_CONFIG_RAM, cpus: R82_CONFIG_CPUS }): Fdt {
  if (cfg.root.children.some((c) => c.name === 'memory' || c.name.startsWith('memory@'))) return cfg;
  const root = makeR82Dtb({ ramSize: host.ramSize, cpus: host.cpus });
  overlay(root, cfg.root);
  return { root, reserve: cfg.reserve, bootCpuidPhys: cfg.bootCpuidPhys };
}

/** The built-in configuration as a host tree. */
export function r82DefaultTree(host?: R82Host): Fdt {
  return r82HostTree(parseDts(readFileSync(R82_DEFAULT_DTS, 'utf8'), R82_DEFAULT_DTS), host);
}

/**
 * The kernels of the built-in configuration's domains: self-checking test guests built by
 * guests/build.sh for each domain's static memory (linked at its bank base + text_offset,
 * since a direct-mapped domain's IPA is its PA).
 */
export const R82_DEFAULT_KERNELS: Record<string, string> = {
  '/chosen/domU1': 'hello-r82d1.img',
  '/chosen/domU2': 'cprog-r82d2.img',
};
const GUEST_BIN = fileURLToPath(new URL('../../../../guests/bin/', import.meta.url));

/**
 * What the boot loader must place for the built-in configuration (as `--load FILE@ADDR` does
 * on the MMU boards): each domain's kernel at the address its module node names.
 */
export function r82DefaultLoads(
  tree: Fdt,
  kernels: Record<string, string> = R82_DEFAULT_KERNELS,
): { addr: number; data: Uint8Array; name: string }[] {
  return Object.entries(kernels).map(([dom, file]) => {
    const node = findNode(tree.root, dom);
    const mod = node?.children.find((c) => c.name.startsWith('module@'));
    if (!node || !mod) throw new InputError(R82_DEFAULT_DTS, `${dom} has no kernel module node`);
    const [reg] = getReg(node, mod);
    const path = GUEST_BIN + file;
    let data: Uint8Array;
    try {
      data = readFileSync(path);
    } catch {
      throw new InputError(path, 'missing: the built-in r82 configuration needs its guests (sh guests/build.sh)');
    }
    if (data.length > reg.size) throw new InputError(path, `${data.length} bytes do not fit ${dom}'s module of ${reg.size} bytes`);
    return { addr: reg.address, data, name: path };
  });
}
