// Xen's hypercall ABI on Arm (arm/traps.c do_trap_hypercall, public/arch-arm.h): HVC #0xEA1,
// number in x16, arguments x0..x4, result in x0. Implemented: console_io (write; read returns
// nothing), xen_version (version, get_features), sched_op (yield, block, shutdown), vcpu_op
// (register_runstate_memory_area; the rest as Xen on Arm answers), memory_op add_to_physmap
// dev_mmio and domctl memory_mapping (passthrough/hypercalls.ts). Anything
// else is -ENOSYS, and bad arguments get Xen's error codes — never a crash of the hypervisor.
//
// Guest buffers: Xen translates a guest virtual address with AT S12E1R. Our guests run with
// their MMU off, so a buffer's address is its IPA; it is looked up in the domain's p2m (RAM
// types only) and read through the directmap. A guest with stage 1 on would need the AT path
// (a later step) — until then its buffers are taken as IPAs too.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';
import { domName } from './domain/domain.js';
import { mapDomainPage } from './mm/mmu/mm.js';
import { domainShutdown } from './guestTraps.js';
import { raiseSoftirqSchedule } from './sched.js';
import { vcpuBlockEnableEvents } from './vcpuBlock.js';
import { RUNSTATE, runstateArea, runstateChange, runstateInfoBytes, setRunstateArea } from './runstate.js';
import { doDomctl, doMemoryOp } from './passthrough/hypercalls.js';

export const XEN_HYPERCALL_TAG = 0xea1;

export const HYPERCALL = { memory_op: 12, xen_version: 17, console_io: 18, vcpu_op: 24, sched_op: 29, domctl: 36 } as const;
export const ERRNO = { EPERM: 1, ENOENT: 2, EFAULT: 14, EINVAL: 22, ENOSYS: 38 } as const;

const CONSOLEIO_write = 0;
const CONSOLEIO_read = 1;
const XENVER_version = 0;
const XENVER_get_features = 6;
const SCHEDOP_yield = 0;
const SCHEDOP_block = 1;
const SCHEDOP_shutdown = 2;
const SHUTDOWN_REASONS = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];
/** Xen 4.17. */
const XEN_MAJOR = 4;
const XEN_MINOR = 17;
/** XENFEAT_writable_page_tables | XENFEAT_auto_translated_physmap (translated guests). */
const FEATURES_SUBMAP0 = (1 << 0) | (1 << 2);
/** console_io writes are cut into chunks of this many bytes, as Xen's guest_console_write. */
const CONSOLE_CHUNK = 128;

const neg = (e: number): bigint => BigInt.asUintN(64, BigInt(-e));

/** copy_from_guest: `len` bytes at guest address `ipa`, or null when any byte is not guest RAM. */
export function copyFromGuest(xen: Xen, v: Vcpu, ipa: number, len: number): Uint8Array | null {
  return xen.call('copyFromGuest', () => {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = ipa + done;
      const m = xen.mm.p2mLookup(xen, v.domain, a);
      if (!m || (m.type !== 'ram_rw' && m.type !== 'ram_ro')) return null;
      const n = Math.min(len - done, 4096 - (a % 4096));
      out.set(xen.cpu.copyFrom(mapDomainPage(xen, m.pa), n), done);
      done += n;
    }
    return out;
  });
}

/** copy_to_guest (RAM rw only). */
export function copyToGuest(xen: Xen, v: Vcpu, ipa: number, data: Uint8Array): boolean {
  for (let done = 0; done < data.length;) {
    const a = ipa + done;
    const m = xen.mm.p2mLookup(xen, v.domain, a);
    if (!m || m.type !== 'ram_rw') return false;
    const n = Math.min(data.length - done, 4096 - (a % 4096));
    xen.cpu.copyTo(mapDomainPage(xen, m.pa), data.subarray(done, done + n));
    done += n;
  }
  return true;
}

/** do_console_io. */
function consoleIo(xen: Xen, v: Vcpu, cmd: bigint, count: bigint, buf: bigint): bigint {
  if (cmd === BigInt(CONSOLEIO_read)) return 0n;
  if (cmd !== BigInt(CONSOLEIO_write)) return neg(ERRNO.ENOSYS);
  // count is an unsigned int in Xen's prototype.
  const n = Number(count & 0xffff_ffffn);
  for (let done = 0; done < n; done += CONSOLE_CHUNK) {
    const len = Math.min(CONSOLE_CHUNK, n - done);
    const bytes = copyFromGuest(xen, v, Number(buf) + done, len);
    if (!bytes) return neg(ERRNO.EFAULT);
    guestConsoleWrite(xen, v, bytes);
  }
  return BigInt(n);
}

/** guest_console_write: "(d<n>) " lines on the hypervisor console; the hardware domain's go out as they are. */
function guestConsoleWrite(xen: Xen, v: Vcpu, bytes: Uint8Array): void {
  const d = v.domain;
  for (const b of bytes) {
    if (b === 0x0a) {
      xen.console.raw(d.id === 0 ? d.consoleBuf : `(${domName(d)}) ${d.consoleBuf}`);
      d.consoleBuf = '';
    } else if (b !== 0x0d) d.consoleBuf += String.fromCharCode(b);
  }
}

/** do_xen_version. */
function xenVersion(xen: Xen, v: Vcpu, cmd: bigint, arg: bigint): bigint {
  if (cmd === BigInt(XENVER_version)) return BigInt((XEN_MAJOR << 16) | XEN_MINOR);
  if (cmd === BigInt(XENVER_get_features)) {
    // struct xen_feature_info { unsigned int submap_idx; uint32_t submap; }
    const fi = copyFromGuest(xen, v, Number(arg), 8);
    if (!fi) return neg(ERRNO.EFAULT);
    const idx = new DataView(fi.buffer).getUint32(0, true);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, idx, true);
    new DataView(out.buffer).setUint32(4, idx === 0 ? FEATURES_SUBMAP0 : 0, true);
    return copyToGuest(xen, v, Number(arg), out) ? 0n : neg(ERRNO.EFAULT);
  }
  return neg(ERRNO.ENOSYS);
}

/** do_sched_op. */
function schedOp(xen: Xen, v: Vcpu, cmd: bigint, arg: bigint): bigint {
  if (cmd === BigInt(SCHEDOP_yield)) {
    raiseSoftirqSchedule(xen);
    return 0n;
  }
  if (cmd === BigInt(SCHEDOP_block)) {
    vcpuBlockEnableEvents(xen, v);
    return 0n;
  }
  if (cmd === BigInt(SCHEDOP_shutdown)) {
    const s = copyFromGuest(xen, v, Number(arg), 4);
    if (!s) return neg(ERRNO.EFAULT);
    const reason = new DataView(s.buffer).getUint32(0, true);
    domainShutdown(xen, v.domain, SHUTDOWN_REASONS[reason] ?? `reason ${reason}`);
    return 0n;
  }
  return neg(ERRNO.ENOSYS);
}

/** public/vcpu.h. */
const VCPUOP_register_runstate_memory_area = 5;
const VCPUOP_register_vcpu_info = 10;

/**
 * do_arm_vcpu_op (arch/arm/domain.c): Arm allows only VCPUOP_register_vcpu_info and
 * VCPUOP_register_runstate_memory_area (then common do_vcpu_op: -ENOENT for a vCPU id the
 * domain does not have); every other command — is_up, up, down, the timers — is -EINVAL.
 * register_vcpu_info needs the shared-info page and event channels, not there yet: -ENOSYS.
 */
function vcpuOp(xen: Xen, v: Vcpu, cmd: bigint, vcpuid: bigint, arg: bigint): bigint {
  if (cmd !== BigInt(VCPUOP_register_runstate_memory_area) && cmd !== BigInt(VCPUOP_register_vcpu_info)) return neg(ERRNO.EINVAL);
  const t = vcpuid < BigInt(v.domain.vcpus.length) ? v.domain.vcpus[Number(vcpuid)] : undefined;
  if (!t) return neg(ERRNO.ENOENT);
  if (cmd === BigInt(VCPUOP_register_vcpu_info)) return neg(ERRNO.ENOSYS);
  // struct vcpu_register_runstate_memory_area { uint64_t addr; } (a guest handle).
  const a = copyFromGuest(xen, v, Number(arg), 8);
  if (!a) return neg(ERRNO.EFAULT);
  const area = Number(new DataView(a.buffer).getBigUint64(0, true));
  setRunstateArea(xen, t, area);
  // The current record goes there at once (its result unchecked, as Xen's __copy_to_guest).
  if (t === v) runstateChange(xen, t, RUNSTATE.running);
  copyToGuest(xen, v, area, runstateInfoBytes(xen, t));
  return 0n;
}

/** update_runstate_area: on switching `v` in, its record to its registered area. */
export function updateRunstateArea(xen: Xen, v: Vcpu): void {
  const area = runstateArea(xen, v);
  if (area !== null) copyToGuest(xen, v, area, runstateInfoBytes(xen, v));
}

type Hypercall = (xen: Xen, v: Vcpu, a0: bigint, a1: bigint, a2: bigint) => bigint;

const HYPERCALLS: Partial<Record<number, Hypercall>> = {
  [HYPERCALL.console_io]: consoleIo,
  [HYPERCALL.xen_version]: (xen, v, a0, a1) => xenVersion(xen, v, a0, a1),
  [HYPERCALL.sched_op]: (xen, v, a0, a1) => schedOp(xen, v, a0, a1),
  [HYPERCALL.vcpu_op]: vcpuOp,
  [HYPERCALL.memory_op]: (xen, v, a0, a1) => doMemoryOp(xen, v, a0, a1),
  [HYPERCALL.domctl]: (xen, v, a0) => doDomctl(xen, v, a0),
};

/** do_trap_hypercall: dispatch on x16; the result goes to x0. */
export function doTrapHypercall(xen: Xen, v: Vcpu): void {
  xen.call('doTrapHypercall', () => {
    const cpu = xen.cpu;
    const nr = cpu.xr(16);
    const h = nr < 64n ? HYPERCALLS[Number(nr)] : undefined;
    if (!h) {
      cpu.setX(0, neg(ERRNO.ENOSYS));
      return;
    }
    const r = h(xen, v, cpu.xr(0), cpu.xr(1), cpu.xr(2));
    // The domain may be gone (shutdown): its registers no longer matter.
    if (v.domain.state === 'running') cpu.setX(0, r);
  });
}
