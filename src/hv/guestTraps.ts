// Exceptions from a guest (arm/traps.c do_trap_guest_sync, KVM's handle_exit table): the
// handler is chosen by ESR_EL2.EC from one table. Each handler either completes the trapped
// instruction (advancing the PC past it), injects an exception into the guest, or crashes the
// domain; then the entry glue calls schedule(). Nothing a guest does reaches panic().
import { paddr } from './format.js';
import type { Xen } from './xen.js';
import type { Domain, Vcpu } from './domain/domain.js';
import { domName } from './domain/domain.js';
import { ABT, EC, ESR_IL } from '../arch/esr.js';
import { describeEsr } from '../arch/esr-decode.js';
import { XEN_VERSION } from './image.js';
import { doTrapHypercall, XEN_HYPERCALL_TAG } from './hypercall.js';
import { doVpsciCall } from './vpsci.js';
import { raiseSoftirqSchedule, vcpuWake } from './sched.js';
import { vgicEmulateSysreg, vgicSyncFromLrs } from './vgic/vgic.js';
import { vcpuBlockUnlessEventPending } from './vcpuBlock.js';
import { physTimer, vtimerEmulateSysreg } from './vtimer.js';
import { cannotTakeAbort, injectAbtException, injectUndef, noteGuestSyncExit } from './inject.js';
import { hwdomShutdown } from './domain/dom0.js';
import { forwardStage2AlignmentFault } from './passthrough/alignFault.js';
import { cacheTrapSysreg } from './cacheCoherency.js';

type GuestTrap = (xen: Xen, v: Vcpu, esr: number) => void;

/** Skip the trapped instruction (advance_pc): 4 bytes for A64 (ESR.IL = 1). */
export function advancePc(v: Vcpu, esr: number): void {
  v.pc += esr & ESR_IL ? 4n : 2n;
}

/** enter_hypervisor_from_guest: record where the vCPU stopped. */
export function enterHypervisorFromGuest(xen: Xen, v: Vcpu): void {
  xen.call('enterHypervisorFromGuest', () => {
    v.pc = xen.cpu.readSysreg('ELR_EL2');
    v.cpsr = xen.cpu.readSysreg('SPSR_EL2');
  });
  vgicSyncFromLrs(xen, v);
}

/** The handler table, by exception class. */
const GUEST_SYNC: Partial<Record<number, GuestTrap>> = {
  [EC.WFX]: doTrapWfx,
  [EC.HVC64]: doTrapHvc,
  [EC.SMC64]: doTrapSmc,
  [EC.SYS64]: doTrapSysreg,
  [EC.DABT_LOW]: doTrapStage2AbortGuest,
  [EC.IABT_LOW]: doTrapStage2AbortGuest,
};

/** do_trap_guest_sync. */
export function doTrapGuestSync(xen: Xen, v: Vcpu): void {
  xen.call('doTrapGuestSync', () => {
    const esr = Number(xen.cpu.readSysreg('ESR_EL2') & 0xffff_ffffn);
    const h = GUEST_SYNC[esr >>> 26];
    if (esr >>> 26 !== EC.DABT_LOW && esr >>> 26 !== EC.IABT_LOW) noteGuestSyncExit(v);
    if (h) h(xen, v, esr);
    else {
      xen.printk(`${vName(v)} Unhandled guest exception: ESR_EL2 0x${esr.toString(16)}`);
      domainCrash(xen, v.domain, 'doTrapGuestSync');
    }
  });
}

export function vName(v: Vcpu): string {
  return `${domName(v.domain)}v${v.id}`;
}

/**
 * do_trap_wfi_wfe (arm/traps.c): WFE yields (vcpu_yield); WFI blocks the vCPU until an
 * interrupt is pending for it (vcpu_block_unless_event_pending). ISS.TI[0]: 1 = WFE.
 */
function doTrapWfx(xen: Xen, v: Vcpu, esr: number): void {
  advancePc(v, esr);
  if (esr & 1) raiseSoftirqSchedule(xen);
  else vcpuBlockUnlessEventPending(xen, v);
}

/** HVC: #0 is SMCCC (PSCI), #0xEA1 a Xen hypercall, anything else UNDEFINED (do_trap_hvc). */
function doTrapHvc(xen: Xen, v: Vcpu, esr: number): void {
  const imm = esr & 0xffff;
  // The preferred return of an HVC is already the next instruction.
  if (imm === XEN_HYPERCALL_TAG) doTrapHypercall(xen, v);
  else if (imm === 0) doVpsciCall(xen, v);
  else {
    xen.printk(`${vName(v)} Invalid HVC imm 0x${imm.toString(16)}`);
    injectUndefException(xen, v, esr, false);
  }
}

/** A trapped SMC (HCR_EL2.TSC): SMCCC as well; ELR points at the SMC itself. */
function doTrapSmc(xen: Xen, v: Vcpu, esr: number): void {
  advancePc(v, esr);
  doVpsciCall(xen, v);
}

/** ISS of a trapped MSR/MRS (EC 0x18): Op0, Op2, Op1, CRn, Rt, CRm, Direction. */
function sysregIss(iss: number): { op0: number; op1: number; crn: number; crm: number; op2: number; rt: number; read: boolean } {
  return {
    op0: (iss >>> 20) & 3,
    op2: (iss >>> 17) & 7,
    op1: (iss >>> 14) & 7,
    crn: (iss >>> 10) & 15,
    rt: (iss >>> 5) & 31,
    crm: (iss >>> 1) & 15,
    read: (iss & 1) === 1,
  };
}

/** Trapped system registers (arm64/vsysreg.c): ACTLR_EL1 (TACR) reads as 0; others UNDEFINED. */
function doTrapSysreg(xen: Xen, v: Vcpu, esr: number): void {
  const s = sysregIss(esr & 0x1ff_ffff);
  const name = `S${s.op0}_${s.op1}_C${s.crn}_C${s.crm}_${s.op2}`;
  const now = xen.cpu.readSysreg('CNTPCT_EL0');
  const val = s.rt === 31 ? 0n : xen.cpu.xr(s.rt);
  if (vgicEmulateSysreg(xen, v, name, s.read, val)) {
    advancePc(v, esr);
    return;
  }
  const r = vtimerEmulateSysreg(physTimer(v), name, s.read, val, now);
  if (r !== false) {
    if (r !== null && s.rt !== 31) xen.cpu.setX(s.rt, r);
    advancePc(v, esr);
    return;
  }
  if (cacheTrapSysreg(xen, v, s)) {
    advancePc(v, esr);
    return;
  }
  const isActlr = s.op0 === 3 && s.op1 === 0 && s.crn === 1 && s.crm === 0 && s.op2 === 1;
  if (isActlr) {
    if (s.read && s.rt !== 31) xen.cpu.setX(s.rt, 0);
    advancePc(v, esr);
    return;
  }
  xen.printk(
    `${vName(v)} unhandled 64-bit sysreg ${s.read ? 'read' : 'write'}: S${s.op0}_${s.op1}_C${s.crn}_C${s.crm}_${s.op2} (x${s.rt})`,
  );
  injectUndefException(xen, v, esr, true);
}

/**
 * inject_undef64_exception: an Unknown-reason exception taken to the guest's EL1 vector, as if
 * the instruction were UNDEFINED there. `atInsn`: the PC still points at the instruction.
 */
export function injectUndefException(xen: Xen, v: Vcpu, esr: number, atInsn: boolean): void {
  xen.call('injectUndefException', () => injectUndef(xen, v, esr, atInsn ? v.pc : v.pc - 4n));
}

/** Decoded data-abort syndrome (ISS with ISV = 1). */
interface DabtIss {
  isv: boolean;
  size: number;
  sse: boolean;
  srt: number;
  sf: boolean;
  write: boolean;
  s1ptw: boolean;
  fsc: number;
}

function dabtIss(esr: number): DabtIss {
  return {
    isv: ((esr >>> 24) & 1) === 1,
    size: 1 << ((esr >>> 22) & 3),
    sse: ((esr >>> 21) & 1) === 1,
    srt: (esr >>> 16) & 31,
    sf: ((esr >>> 15) & 1) === 1,
    s1ptw: ((esr >>> 7) & 1) === 1,
    write: ((esr >>> 6) & 1) === 1,
    fsc: esr & 0x3f,
  };
}

/**
 * do_trap_stage2_abort_guest: a stage-2 fault. Translation faults on an emulated device's
 * range with a valid syndrome go to its handler (handleMmio); anything else — an unmapped IPA,
 * a registered range without ISV, a fault on the stage-1 walk, an instruction fetch, a
 * permission fault — gets the abort Xen injects (inject.ts), unless the guest cannot take it
 * (cannotTakeAbort) or the abort is external (EA: Xen's SError path): then the domain crashes.
 */
function doTrapStage2AbortGuest(xen: Xen, v: Vcpu, esr: number): void {
  xen.call('doTrapStage2AbortGuest', () => {
    const cpu = xen.cpu;
    const far = cpu.readSysreg('FAR_EL2');
    const hpfar = cpu.readSysreg('HPFAR_EL2');
    const gpa = Number(((hpfar >> 4n) << 12n) | (far & 0xfffn));
    const iss = dabtIss(esr);
    const isData = esr >>> 26 === EC.DABT_LOW;
    if (isData && iss.isv && !iss.s1ptw && handleMmio(xen, v, gpa, iss)) {
      noteGuestSyncExit(v);
      advancePc(v, esr);
      return;
    }
    if (forwardStage2AlignmentFault(xen, v, esr)) return;
    const external = (esr & ABT.EA) !== 0;
    const why = external ? 'external abort' : cannotTakeAbort(xen, v, isData, v.pc, far);
    xen.printk(
      `${vName(v)} unhandled ${isData ? 'data' : 'prefetch'} abort: HSR=0x${esr.toString(16)} pc=0x${paddr(v.pc)} gva=0x${paddr(far)} gpa=0x${paddr(gpa)}${why ? `: ${why}` : ''}`,
    );
    if (why) domainCrash(xen, v.domain, 'doTrapStage2AbortGuest');
    else injectAbtException(xen, v, isData, far, esr);
  });
}

/**
 * handle_mmio / try_handle_mmio: dispatch to the registered handler covering `gpa`. False when
 * none covers it (IO_UNHANDLED) or the handler refused the access (IO_ABORT): either way the
 * caller injects the abort.
 */
function handleMmio(xen: Xen, v: Vcpu, gpa: number, iss: DabtIss): boolean {
  return xen.call('handleMmio', () => {
    const h = v.domain.mmio.find((m) => gpa >= m.base && gpa + iss.size <= m.base + m.size);
    if (!h) return false;
    const cpu = xen.cpu;
    const off = gpa - h.base;
    if (iss.write) {
      const val = iss.srt === 31 ? 0n : cpu.xr(iss.srt);
      return h.write(v, off, iss.size, BigInt.asUintN(iss.size * 8, val), iss.srt) !== false;
    }
    const got = h.read(v, off, iss.size, iss.srt);
    if (got === null) return false;
    let r = BigInt.asUintN(iss.size * 8, got);
    if (iss.sse) r = BigInt.asUintN(iss.sf ? 64 : 32, BigInt.asIntN(iss.size * 8, r));
    if (iss.srt !== 31) cpu.setX(iss.srt, r);
    return true;
  });
}

/** domain_shutdown: every vCPU stops; the domain's console is flushed. */
export function domainShutdown(xen: Xen, d: Domain, reason: string): void {
  xen.call('domainShutdown', () => {
    if (d.state !== 'running') return;
    if (d.vpl011?.pending) d.vpl011.flush();
    d.state = 'shutdown';
    d.shutdownReason = reason;
    for (const v of d.vcpus) v.state = 'dead';
    xen.printk(`${domName(d)}: shutdown: ${reason}`);
    hwdomShutdown(xen, d, reason);
    vcpuWake(xen);
  });
}

/**
 * domain_crash: a Xen-style dump of the vCPU that crashed it (show_execution_state for a
 * guest), then every vCPU stops. Other domains are untouched.
 */
export function domainCrash(xen: Xen, d: Domain, from: string): void {
  xen.call('domainCrash', () => {
    if (d.state !== 'running') return;
    const cpu = xen.cpu;
    const v = xen.curr.get(cpu.id);
    if (d.vpl011?.pending) d.vpl011.flush();
    const lines: string[] = [`domain_crash called from ${from}`];
    if (v && v.domain === d) {
      lines.push(`Domain ${d.id} (vcpu#${v.id}) crashed on cpu#${cpu.id}:`);
      lines.push(`----[ Xen-${XEN_VERSION}  arm64  debug=n  Not tainted ]----`);
      lines.push(`CPU:    ${cpu.id}`);
      lines.push(`PC:     ${paddr(v.pc)}`);
      lines.push(`LR:     ${paddr(cpu.xr(30))}`);
      lines.push(`SP_EL0: ${paddr(cpu.readSysreg('SP_EL0'))}`);
      lines.push(`SP_EL1: ${paddr(cpu.readSysreg('SP_EL1'))}`);
      lines.push(`CPSR:   ${paddr(v.cpsr)} MODE:64-bit EL${Number(v.cpsr >> 2n) & 3}${Number(v.cpsr) & 1 ? 'h' : 't'} (Guest Kernel)`);
      for (let i = 0; i < 30; i += 3) {
        const regs = [i, i + 1, i + 2].filter((r) => r < 30);
        lines.push(regs.map((r) => `${`X${r}`.padStart(6)}: ${paddr(cpu.xr(r))}`).join(' '));
      }
      for (const r of ['ELR_EL1', 'ESR_EL1', 'FAR_EL1', 'SCTLR_EL1', 'TCR_EL1', 'TTBR0_EL1', 'TTBR1_EL1', 'VBAR_EL1']) {
        lines.push(`${r.padStart(10)}: ${paddr(cpu.readSysreg(r))}`);
      }
      const esr = cpu.readSysreg('ESR_EL2');
      lines.push(`   ESR_EL2: ${paddr(esr)}`);
      for (const l of describeEsr(esr, { el2: true })) lines.push(`     ${l}`);
      lines.push(` HPFAR_EL2: ${paddr(cpu.readSysreg('HPFAR_EL2'))}`);
      lines.push(`   FAR_EL2: ${paddr(cpu.readSysreg('FAR_EL2'))}`);
    }
    xen.printk(lines.join('\n'));
    d.state = 'crashed';
    d.shutdownReason = 'crash';
    for (const x of d.vcpus) x.state = 'dead';
    hwdomShutdown(xen, d, 'crash');
    vcpuWake(xen);
  });
}
