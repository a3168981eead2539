// dump_hyp_walk for the MMU backend: the EL2 translation-table entries of a faulting address,
// as the hypervisor's trap dump shows them (traps.ts, through MmBackend.dumpHypWalk).
import type { Xen } from '../../xen.js';
import { DescKind, descKind, describeDescriptor } from '../../../arch/mmu/descriptor.js';
import { tableOffset } from './layout.js';

const LEVEL_NAMES = ['0TH', '1ST', '2ND', '3RD'];

/**
 * dump_hyp_walk: the EL2 tables' entries for `va`, read by the hypervisor itself — static
 * tables through the image, others through the directmap once it exists (a table it cannot
 * reach is said so rather than touched).
 */
export function dumpHypWalk(xen: Xen, va: number): string[] {
  const cpu = xen.cpu;
  const ttbr = Number(cpu.readSysreg('TTBR0_EL2') & 0x0000_ffff_ffff_f000n);
  const out = [`Walking Hypervisor VA 0x${va.toString(16)} on CPU${cpu.id} via TTBR 0x${ttbr.toString(16).padStart(16, '0')}`];
  let tpa = ttbr;
  for (let level = 0; level <= 3; level++) {
    const tva = xen.imageVaOf(tpa) ?? (xen.directmap ? xen.mm.mapDomainPage(xen, tpa) : null);
    if (tva === null) {
      out.push(`${LEVEL_NAMES[level]} table at 0x${tpa.toString(16)} is not reachable yet (not static, no directmap)`);
      break;
    }
    const idx = tableOffset(va, level);
    const e = cpu.read64(tva + idx * 8);
    const lo = Number(e & 0xffff_ffffn);
    const hi = Number(e >> 32n);
    out.push(`${LEVEL_NAMES[level]}[0x${idx.toString(16).padStart(3, '0')}] = ${describeDescriptor(lo, hi, level, 1)}`);
    if (descKind(lo, level) !== DescKind.Table) break;
    tpa = Number(e & 0x0000_ffff_ffff_f000n);
  }
  return out;
}
