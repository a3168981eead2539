// A64 semihosting (Arm "Semihosting for AArch32 and AArch64", DUI 0003/IHI 0074): HLT #0xF000
// with the operation in W0 and a parameter (usually a pointer to a block of 64-bit words) in
// X1; the result goes to X0 and execution continues after the HLT.
//
// Guest memory is read through the calling PE's own data path (its EL, its translation
// regime), so a bad pointer is a Data Abort the guest takes, not a host error: the HLT
// instruction is then abandoned with nothing returned.
//
// Supported: the console ops (WRITEC, WRITE0, WRITE to ":tt" handles, OPEN of ":tt", CLOSE,
// ISTTY), EXIT and EXIT_EXTENDED, ERRNO, CLOCK/TIME/ELAPSED/TICKFREQ from virtual time,
// HEAPINFO (all zeros: "use your linker symbols"). Everything else returns -1 — we expose no
// host files, so a guest cannot read or write outside its console.
import type { Pe } from '../../arch/pe.js';
import { getX, putX } from './psci.js';

export const SYS = {
  OPEN: 0x01,
  CLOSE: 0x02,
  WRITEC: 0x03,
  WRITE0: 0x04,
  WRITE: 0x05,
  READ: 0x06,
  READC: 0x07,
  ISERROR: 0x08,
  ISTTY: 0x09,
  SEEK: 0x0a,
  FLEN: 0x0c,
  CLOCK: 0x10,
  TIME: 0x11,
  ERRNO: 0x13,
  GET_CMDLINE: 0x15,
  HEAPINFO: 0x16,
  EXIT: 0x18,
  EXIT_EXTENDED: 0x20,
  ELAPSED: 0x30,
  TICKFREQ: 0x31,
} as const;

/** SYS_EXIT reason codes (the "ADP_Stopped_*" values). */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

/**
 * Handles are numbered as QEMU numbers them: SYS_OPEN allocates the lowest free handle from 1
 * (so newlib's usual open of ":tt" for r, w, a yields 1, 2, 3). Every ":tt" handle is the one
 * semihosting console, whatever its mode — QEMU writes them all to its console (stdio) too.
 */
const FIRST_HANDLE = 1;

export interface SemihostingPlatform {
  /** Console output (the same stream as the UART: QEMU's -semihosting console is stdio). */
  console(byte: number): void;
  /** The guest asked to exit: stop the machine with this process status. */
  exit(by: Pe, status: number, reason: string): void;
  /** Virtual time of `pe` in nanoseconds. */
  nowNs(pe: Pe): number;
}

const MAX_STRING = 1 << 16;

export class Semihosting {
  /** Open ":tt" handles. */
  private readonly handles = new Set<number>();

  constructor(private readonly plat: SemihostingPlatform) {}

  /** Perform the operation requested by an HLT #0xF000 on `pe`. */
  call(pe: Pe): true {
    const op = pe.x[0];
    const p = Number(BigInt.asIntN(64, getX(pe, 1)));
    const ret = this.dispatch(pe, op, p);
    if (ret !== null) putX(pe, 0, ret);
    return true;
  }

  private dispatch(pe: Pe, op: number, p: number): number | bigint | null {
    switch (op) {
      case SYS.WRITEC:
        this.plat.console(pe.read8(p));
        return null; // X0 is corrupted by the call; we leave it alone
      case SYS.WRITE0:
        for (let i = 0; i < MAX_STRING; i++) {
          const c = pe.read8(p + i);
          if (c === 0) break;
          this.plat.console(c);
        }
        return null;
      case SYS.WRITE: {
        const handle = this.word(pe, p, 0);
        const buf = this.word(pe, p, 1);
        const len = this.word(pe, p, 2);
        if (!this.handles.has(handle)) return -1; // EBADF
        for (let i = 0; i < len; i++) this.plat.console(pe.read8(buf + i));
        return 0; // bytes *not* written
      }
      case SYS.OPEN: {
        const name = this.string(pe, this.word(pe, p, 0), this.word(pe, p, 2));
        const mode = this.word(pe, p, 1);
        if (name !== ':tt' || mode < 0 || mode > 11) return -1;
        let h = FIRST_HANDLE;
        while (this.handles.has(h)) h++;
        this.handles.add(h);
        return h;
      }
      case SYS.CLOSE:
        return this.handles.delete(this.word(pe, p, 0)) ? 0 : -1;
      case SYS.ISTTY:
        return this.handles.has(this.word(pe, p, 0)) ? 1 : 0;
      case SYS.ERRNO:
        return 0;
      case SYS.CLOCK:
        // Centiseconds since the start of execution.
        return Math.floor(this.plat.nowNs(pe) / 10_000_000);
      case SYS.TIME:
        // Seconds since the epoch; our epoch is the start of the run, so it is deterministic.
        return Math.floor(this.plat.nowNs(pe) / 1_000_000_000);
      case SYS.ELAPSED: {
        // 64-bit tick count (1 tick = 1 ns) written to the two words at X1.
        const t = BigInt(this.plat.nowNs(pe));
        pe.write64(p, Number(t & 0xffff_ffffn), Number(t >> 32n));
        return 0;
      }
      case SYS.TICKFREQ:
        return 1_000_000_000;
      case SYS.HEAPINFO: {
        // X1 points at a word holding the address of a 4-word block: heap base, heap limit,
        // stack base, stack limit. Zeros mean "unknown"; C libraries then use their own.
        const block = this.word(pe, p, 0);
        for (let i = 0; i < 4; i++) pe.write64(block + i * 8, 0, 0);
        return 0;
      }
      case SYS.EXIT:
      case SYS.EXIT_EXTENDED: {
        // A64: X1 points at {reason, subcode}. Only ApplicationExit carries a status; any other
        // reason (a reported exception) is a failure, as QEMU reports it.
        const reason = this.word(pe, p, 0);
        const subcode = Number(BigInt.asUintN(32, BigInt(this.word(pe, p, 1))));
        if (reason === ADP_STOPPED_APPLICATION_EXIT) this.plat.exit(pe, subcode & 0xff, 'semihosting SYS_EXIT');
        else this.plat.exit(pe, 1, `semihosting SYS_EXIT reason 0x${reason.toString(16)}`);
        return null;
      }
      default:
        return -1;
    }
  }

  /** Word `i` of the parameter block at `p` (64-bit, as a JS number; exact below 2^53). */
  private word(pe: Pe, p: number, i: number): number {
    const lo = pe.read64(p + i * 8);
    return Number(BigInt.asIntN(64, (BigInt(pe.rhi) << 32n) | BigInt(lo)));
  }

  private string(pe: Pe, addr: number, len: number): string {
    let s = '';
    for (let i = 0; i < Math.min(len, MAX_STRING); i++) s += String.fromCharCode(pe.read8(addr + i));
    return s;
  }
}
