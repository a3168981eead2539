// PSCI for guests (arm/vpsci.c) over HVC #0 or a trapped SMC, SMCCC function IDs in x0:
// VERSION (1.1), CPU_OFF, CPU_ON, AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF (domain
// shutdown), SYSTEM_RESET (domain reboot: with no toolstack to restart it, the domain stays
// down, as for a dom0less domU on Xen), PSCI_FEATURES. Other IDs: "Unhandled SMC/HVC" and
// NOT_SUPPORTED, as Xen's vsmccc does.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';
import { PSR_GUEST64_INIT, SCTLR_GUEST_INIT } from './domain/domain.js';
import { domainShutdown, vName } from './guestTraps.js';
import { vcpuWake } from './sched.js';

export const PSCI_FN = {
  VERSION: 0x8400_0000,
  CPU_OFF: 0x8400_0002,
  CPU_ON32: 0x8400_0003,
  CPU_ON64: 0xc400_0003,
  AFFINITY_INFO32: 0x8400_0004,
  AFFINITY_INFO64: 0xc400_0004,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  FEATURES: 0x8400_000a,
} as const;

const PSCI_SUCCESS = 0;
const PSCI_NOT_SUPPORTED = -1;
const PSCI_INVALID_PARAMETERS = -2;
const PSCI_ALREADY_ON = -4;
/** MIGRATE_INFO_TYPE: Trusted OS not present / does not require migration. */
const PSCI_TOS_NOT_PRESENT_MP = 2;

const SUPPORTED = new Set<number>(Object.values(PSCI_FN));

/** The vCPU of `v`'s domain with MPIDR affinity `mpidr` (vaffinity_to_vcpuid), or null. */
function vcpuByMpidr(v: Vcpu, mpidr: bigint): Vcpu | null {
  const aff0 = Number(mpidr & 0xffn);
  const aff1 = Number((mpidr >> 8n) & 0xffn);
  if (aff0 >= 16 || mpidr >> 16n !== 0n) return null;
  return v.domain.vcpus[aff1 * 16 + aff0] ?? null;
}

function cpuOn(xen: Xen, v: Vcpu, target: bigint, entry: bigint, ctx: bigint): number {
  const t = vcpuByMpidr(v, target);
  if (!t) return PSCI_INVALID_PARAMETERS;
  if (t.state !== 'down') return PSCI_ALREADY_ON;
  t.pc = entry;
  t.cpsr = PSR_GUEST64_INIT;
  t.gprs = null;
  t.x0 = ctx;
  t.sysregs = new Map([['SCTLR_EL1', SCTLR_GUEST_INIT]]);
  t.state = 'runnable';
  vcpuWake(xen);
  return PSCI_SUCCESS;
}

/** do_vpsci_0_2_call, behind the SMCCC dispatcher. */
export function doVpsciCall(xen: Xen, v: Vcpu): void {
  xen.call('doVpsciCall', () => {
    const cpu = xen.cpu;
    const fid = Number(cpu.xr(0) & 0xffff_ffffn);
    const set = (r: number): void => cpu.setX(0, BigInt.asUintN(64, BigInt(r)));
    switch (fid) {
      case PSCI_FN.VERSION:
        return set(0x1_0001);
      case PSCI_FN.CPU_OFF:
        v.state = 'down';
        return;
      case PSCI_FN.CPU_ON32:
      case PSCI_FN.CPU_ON64: {
        const a = (n: number): bigint => (fid === PSCI_FN.CPU_ON32 ? cpu.xr(n) & 0xffff_ffffn : cpu.xr(n));
        return set(cpuOn(xen, v, a(1), a(2), a(3)));
      }
      case PSCI_FN.AFFINITY_INFO32:
      case PSCI_FN.AFFINITY_INFO64: {
        const t = vcpuByMpidr(v, cpu.xr(1));
        if (!t || cpu.xr(2) !== 0n) return set(PSCI_INVALID_PARAMETERS);
        return set(t.state === 'runnable' || t.state === 'blocked' ? 0 : 1);
      }
      case PSCI_FN.MIGRATE_INFO_TYPE:
        return set(PSCI_TOS_NOT_PRESENT_MP);
      case PSCI_FN.SYSTEM_OFF:
        return domainShutdown(xen, v.domain, 'poweroff');
      case PSCI_FN.SYSTEM_RESET:
        return domainShutdown(xen, v.domain, 'reboot');
      case PSCI_FN.FEATURES:
        return set(SUPPORTED.has(Number(cpu.xr(1) & 0xffff_ffffn)) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
      default:
        xen.printk(`${vName(v)} Unhandled SMC/HVC: 0x${fid.toString(16).padStart(8, '0')}`);
        return set(PSCI_NOT_SUPPORTED);
    }
  });
}
