// `armvisor mpu-plan [<dts|dtb>]`: the EL2 MPU plan of a configuration, without booting — the
// boot-time and runtime region tables, each domain's regions, the merges, the budget against
// MPUIR_EL2 and the register writes per context switch (src/hv/mm/mpu/).
import { readFileSync } from 'node:fs';
import { parseDtb, type Fdt } from '../fdt/dtb.js';
import { parseDts } from '../fdt/dts.js';
import { InputError } from '../util/errors.js';
import { HvPanic } from '../hv/panic.js';
import { r82DefaultTree, r82HostTree, R82_CONFIG_DTB_ADDR } from '../hv/configs/r82.js';
import { defaultXenSections } from '../hv/mm/mpu/layout.js';
import { mpuInputFromFdt } from '../hv/mm/mpu/fromFdt.js';
import { availableForGuests, planMpu, type MpuPlan, type SwitchMode } from '../hv/mm/mpu/plan.js';
import { apXn, MPU_ATTR, rangeText, shareability, typeName, type SlotRegion } from '../hv/mm/mpu/region.js';
import { installWrites, switchMatrix } from '../hv/mm/mpu/writes.js';

export interface MpuPlanOptions {
  regions?: string;
  switch?: string;
  dtbAddr?: string;
}

/** The plan as text, and whether every domain fits. */
export function mpuPlanCommand(file: string | undefined, opts: MpuPlanOptions): { text: string; refused: string[] } {
  const regions = intOption('--regions', opts.regions ?? '32', 1, 255);
  const dtbAddr = intOption('--dtb-addr', opts.dtbAddr ?? String(R82_CONFIG_DTB_ADDR), 0, 2 ** 48 - 1);
  const sw = opts.switch ?? 'auto';
  if (!['auto', 'prenr', 'rewrite'].includes(sw)) throw new InputError('--switch', `'${sw}' must be auto, prenr or rewrite`);
  const tree = file === undefined ? r82DefaultTree() : r82HostTree(readTree(file));
  const where = file ?? 'built-in r82 configuration';
  let plan: MpuPlan;
  try {
    const sections = defaultXenSections();
    const fdt = mpuInputFromFdt(tree, dtbAddr, sections);
    plan = planMpu({
      sections,
      bootInfo: fdt.bootInfo,
      devices: fdt.devices,
      domains: fdt.domains,
      regions,
      switching: sw as SwitchMode | 'auto',
    });
  } catch (e) {
    if (e instanceof HvPanic) throw new InputError(where, e.reason);
    throw e;
  }
  return { text: formatPlan(plan, where), refused: plan.domains.flatMap((d) => (d.refused ? [d.refused] : [])) };
}

function intOption(opt: string, v: string, min: number, max: number): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InputError(opt, `'${v}' must be ${min}..${max}`);
  return n;
}

export function readTree(file: string): Fdt {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xd00dfeed) return parseDtb(new Uint8Array(bytes), file);
  return parseDts(bytes.toString('utf8'), file);
}

const AP_NAME = ['RW EL2', 'RW EL2+EL1', 'RO EL2', 'RO EL2+EL1'];
const SH_NAME = ['NSH', '?', 'OSH', 'ISH'];

function row(r: SlotRegion): string {
  const { ap, xn } = apXn(r.perms, r.guest);
  const attrs = `${typeName(r.type)}(${MPU_ATTR[r.type]}) ${SH_NAME[shareability(r.type)]} AP=${AP_NAME[ap]}${xn ? ' XN' : ''}`;
  const regs = `PRBAR=0x${r.prbar.toString(16).padStart(12, '0')} PRLAR=0x${r.prlar.toString(16).padStart(12, '0')}`;
  return `  ${String(r.index).padStart(3)}  ${rangeText(r)}  ${r.perms.toUpperCase().padEnd(3)}  ${attrs.padEnd(40)}  ${regs}  ${r.purpose}${r.lifetime === 'boot' ? ' [boot only]' : ''}${r.why ? ` — ${r.why}` : ''}`;
}

const HEAD = `  rgn  base........limit         prm  attributes (AttrIndx SH AP XN)            registers                                  purpose`;

export function formatPlan(plan: MpuPlan, where: string): string {
  const out: string[] = [];
  const n = plan.regions;
  out.push(`EL2 MPU plan for ${where}: MPUIR_EL2.REGION = ${n}`);
  out.push('');
  out.push(`Boot-time configuration: ${plan.boot.length} regions + ${plan.reserve} reserved for transient mappings, of ${n}`);
  out.push(HEAD);
  for (const r of plan.boot) out.push(row(r));
  out.push(`  (${installWrites(plan, 'boot').length} register writes per pCPU, MPU off; SCTLR_EL2.BR = 0: no background region)`);
  out.push('');
  out.push(`Freed after init: ${plan.freed.map((r) => r.purpose).join(', ') || 'nothing'}`);
  out.push('Merges:');
  if (plan.merges.length === 0) out.push('  none');
  for (const m of plan.merges) out.push(`  ${m.owner}: ${m.parts.join(' + ')} -> ${rangeText(m.result)}: ${m.why}`);
  out.push('');
  out.push(`Runtime configuration: ${plan.hypervisorRegions} hypervisor regions in slots 0..${plan.hypervisorRegions - 1}`);
  out.push(HEAD);
  for (const r of plan.runtime) out.push(row(r));
  const g = plan.guestSlots;
  const guestRange = g.count > 0 ? `${g.first}..${g.first + g.count - 1}` : 'none';
  out.push(
    `  guest slots ${guestRange}; transient pool ${plan.free.slice(0, plan.reserve).join(', ') || 'none'}; other free slots ${plan.free.slice(plan.reserve).join(', ') || 'none'}`,
  );
  out.push(`  (${installWrites(plan, 'runtime').length} register writes per pCPU to install, MPU off)`);
  out.push('');
  out.push('Domains (direct-mapped: IPA = PA; vpl011 and the vGIC are emulated, so not mapped):');
  for (const d of plan.domains) {
    if (d.refused) {
      out.push(`  ${d.name}: REFUSED: ${d.refused}`);
      continue;
    }
    out.push(`  ${d.name}: ${d.needed} region${d.needed === 1 ? '' : 's'}`);
    for (const r of d.regions) out.push('  ' + row(r));
  }
  out.push('');
  const avail = availableForGuests(plan);
  const widest = plan.domains.reduce((m, d) => Math.max(m, d.needed), 0);
  out.push(
    `Budget: ${plan.hypervisorRegions} hypervisor + ${plan.reserve} reserved + ${widest} (largest domain) = ${plan.hypervisorRegions + plan.reserve + widest} of ${n}: ` +
      `${avail} regions available to a domain -> ${widest <= avail ? 'fits' : 'does NOT fit'}`,
  );
  out.push('');
  if (plan.switching === 'prenr') {
    out.push(`Context switch: PRENR_EL2 (every domain's regions resident in slots ${guestRange}, below 32, disabled when not running)`);
  } else {
    out.push(`Context switch: rewrite the ${g.count}-slot window ${guestRange} (only slots that differ; PRSELR + PRBAR<n> + PRLAR<n>)`);
  }
  for (const s of switchMatrix(plan))
    out.push(`  ${s.from ?? 'idle'} -> ${s.to ?? 'idle'}: ${s.writes} register write${s.writes === 1 ? '' : 's'}`);
  return out.join('\n') + '\n';
}
