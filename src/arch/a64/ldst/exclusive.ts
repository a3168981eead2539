// Load/store exclusive (Arm ARM C3.3.6; B2.9 "Synchronization and semaphores"):
// LDXR/LDAXR/STXR/STLXR (B/H/W/X) and LDXP/LDAXP/STXP/STLXP (W and X pairs).
//
// The monitors live in mem/exclusive.ts and are tagged with the physical address, so every
// exclusive translates (translateData) before touching the monitor. Exclusive accesses must
// be aligned to their whole size (a pair to twice the element size), whatever the memory type.
// Acquire/release adds ordering only, which a sequential interleaving already provides.
import type { Op } from '../op.js';
import type { Pe } from '../../pe.js';
import { AccessFlags, readSlow, translateData, writeSlow, dataAbort } from '../../mem/access.js';
import { markExclusive, checkExclusive } from '../../mem/exclusive.js';
import { FSC } from '../../esr.js';
import { baseVa } from './address.js';

function flagsFor(ordered: boolean): AccessFlags {
  return ordered ? AccessFlags.Exclusive | AccessFlags.Ordered : AccessFlags.Exclusive;
}

/** Load `bytes` (1..16, aligned) at Xn into `out` (lo, hi[, lo2, hi2]) and open a reservation. */
function loadExclusive(pe: Pe, n: number, bytes: number, flags: AccessFlags, out: Uint32Array): void {
  const va = baseVa(pe, n, 0, bytes, false, flags);
  if (va % bytes !== 0) dataAbort(pe, va, FSC.ALIGNMENT, false, flags);
  const first = bytes > 8 ? 8 : bytes;
  const tr = translateData(pe, va, first, false, flags);
  out[0] = readSlow(pe, va, first, flags);
  out[1] = first === 8 ? pe.rhi : 0;
  if (bytes > 8) {
    // A 16-byte aligned pair never crosses a page: one translation covers both halves.
    out[2] = readSlow(pe, va + 8, 8, flags);
    out[3] = pe.rhi;
  }
  markExclusive(pe, tr.pa, bytes, pe.bus.ramPage(tr.pa));
}

const tmp = new Uint32Array(4);

/** LDXR/LDAXR: `size` is log2 of the access size. */
export function ldxrOp(size: number, n: number, t: number, acquire: boolean): Op {
  const bytes = 1 << size;
  const flags = flagsFor(acquire);
  return (pe) => {
    loadExclusive(pe, n, bytes, flags, tmp);
    if (t !== 31) {
      pe.x[2 * t] = tmp[0];
      pe.x[2 * t + 1] = tmp[1];
    }
  };
}

/**
 * LDXP/LDAXP: `esize` 2 (W pair, one 8-byte access) or 3 (X pair, 16 bytes).
 * Rt == Rt2 is CONSTRAINED UNPREDICTABLE; QEMU 7.2 (gen_load_exclusive) writes Rt then Rt2,
 * so Rt2 (the higher element) wins, and so do we.
 */
export function ldxpOp(esize: number, n: number, t: number, t2: number, acquire: boolean): Op {
  const flags = flagsFor(acquire);
  return (pe) => {
    const x = pe.x;
    if (esize === 3) {
      loadExclusive(pe, n, 16, flags, tmp);
      if (t !== 31) {
        x[2 * t] = tmp[0];
        x[2 * t + 1] = tmp[1];
      }
      if (t2 !== 31) {
        x[2 * t2] = tmp[2];
        x[2 * t2 + 1] = tmp[3];
      }
    } else {
      loadExclusive(pe, n, 8, flags, tmp);
      if (t !== 31) {
        x[2 * t] = tmp[0];
        x[2 * t + 1] = 0;
      }
      if (t2 !== 31) {
        x[2 * t2] = tmp[1];
        x[2 * t2 + 1] = 0;
      }
    }
  };
}

/**
 * Store-exclusive core, following AArch64.ExclusiveMonitorsPass: the alignment check comes
 * first; then, if the local monitor is open the store fails without translating (no abort);
 * otherwise the address is translated (aborts are reported) and compared with the monitor.
 * The monitor is cleared in every case. Returns the status (0 stored, 1 failed).
 */
function storeExclusive(pe: Pe, n: number, bytes: number, flags: AccessFlags, lo: number, hi: number, lo2: number, hi2: number): number {
  const va = baseVa(pe, n, 0, bytes, true, flags);
  if (va % bytes !== 0) dataAbort(pe, va, FSC.ALIGNMENT, true, flags);
  if (pe.exclusivePa < 0) return 1;
  const tr = translateData(pe, va, bytes > 8 ? 8 : bytes, true, flags);
  if (!checkExclusive(pe, tr.pa)) return 1;
  if (bytes > 8) {
    writeSlow(pe, va, 8, lo, hi, flags);
    writeSlow(pe, va + 8, 8, lo2, hi2, flags);
  } else writeSlow(pe, va, bytes, lo, hi, flags);
  return 0;
}

/**
 * STXR/STLXR: Ws gets 0 on success, 1 on failure. Ws == Rt or Ws == Rn (Rn != SP) is
 * CONSTRAINED UNPREDICTABLE; like QEMU 7.2 (gen_store_exclusive) we read Rt and Rn first and
 * write Ws last, so the store uses the old values and Ws ends up holding the status.
 */
export function stxrOp(size: number, s: number, n: number, t: number, release: boolean): Op {
  const bytes = 1 << size;
  const flags = flagsFor(release);
  const mask = size >= 2 ? 0xffffffff : (1 << (8 * bytes)) - 1;
  return (pe) => {
    const x = pe.x;
    const lo = t === 31 ? 0 : (x[2 * t] & mask) >>> 0;
    const hi = t === 31 || size < 3 ? 0 : x[2 * t + 1];
    const status = storeExclusive(pe, n, bytes, flags, lo, hi, 0, 0);
    if (s !== 31) {
      x[2 * s] = status;
      x[2 * s + 1] = 0;
    }
  };
}

/** STXP/STLXP: a W pair is one 8-byte access (Rt in the low word), an X pair 16 bytes. */
export function stxpOp(esize: number, s: number, n: number, t: number, t2: number, release: boolean): Op {
  const flags = flagsFor(release);
  return (pe) => {
    const x = pe.x;
    const a = t === 31 ? 0 : x[2 * t];
    const ah = t === 31 ? 0 : x[2 * t + 1];
    const b = t2 === 31 ? 0 : x[2 * t2];
    const bh = t2 === 31 ? 0 : x[2 * t2 + 1];
    const status = esize === 3 ? storeExclusive(pe, n, 16, flags, a, ah, b, bh) : storeExclusive(pe, n, 8, flags, a, b, 0, 0);
    if (s !== 31) {
      x[2 * s] = status;
      x[2 * s + 1] = 0;
    }
  };
}
