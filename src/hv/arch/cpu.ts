// The narrow PE interface (DESIGN.md §1, §3): everything the hypervisor may do to the machine.
// System registers by name from the one catalogue, loads and stores at EL2 through the PE's
// own EL2 translation regime, TLB/cache maintenance, barriers, ERET, WFI, SMC to firmware.
// Nothing here reaches into the bus's RAM arrays: a store goes where the EL2 translation
// sends it, and a fault is the real exception — ESR_EL2, FAR_EL2 and ELR_EL2 written, PC at
// VBAR_EL2 — after which the TypeScript flow is abandoned (HvFault) and the PE runs the vector.
//
// The notional PC: hypervisor routines that "are" at an address (the image's symbols) make
// the PE's PC point there while they run (call/branch). ELR_EL2 of a fault is that PC, the
// rule checker sees it, and every branch, SCTLR_EL2 write and TTBR0_EL2 write fetch-checks it
// through the EL2 regime, so a missing identity map or a freed .init page is an Instruction
// Abort at EL2, as on hardware.
import { paddr } from '../format.js';
import { EXCEPTION_TAKEN, type Pe } from '../../arch/pe.js';
import { allSysRegs, sr, Access } from '../../arch/sysreg/index.js';
import { accessPlan, checkAccess } from '../../arch/sysreg/access.js';
import { undefinedInstruction, exceptionReturn } from '../../arch/exceptions.js';
import { fetchSlow, translateData, AccessFlags } from '../../arch/mem/access.js';
import { tlbi as archTlbi } from '../../arch/mmu/tlbi.js';
import { COST } from './cost.js';
import { CacheOp, LINE_BYTES } from '../../arch/cache/dcache.js';
import { dataCacheability } from '../../arch/cache/policy.js';
import { Cacheability } from '../../arch/mmu/memattr.js';

/** The TypeScript flow was cut short by an exception the PE has already taken. */
export class HvFault extends Error {
  constructor(readonly trace: string[]) {
    super('exception taken at EL2');
    this.name = 'HvFault';
  }
}

/** Registers whose write changes what the PC fetches from (checked right after the write). */
const FETCH_CHECKED = new Set(['SCTLR_EL2', 'TTBR0_EL2', 'TCR_EL2']);

export type TlbiOp = 'ALLE2' | 'ALLE2IS' | 'VAE2' | 'VAE2IS' | 'ALLE1IS' | 'VMALLS12E1IS' | 'IPAS2E1IS' | 'VMALLE1IS';

/** A symbol resolver for the shadow call stack (image symbols; set by the entry glue). */
export type SymbolName = (va: number) => string;

export class Cpu {
  /** The shadow call stack: [symbol VA, ...] of the routines currently running. */
  private readonly frames: number[] = [];
  symbolName: SymbolName = (va) => `0x${va.toString(16)}`;

  constructor(readonly pe: Pe) {}

  get id(): number {
    return this.pe.id;
  }

  /**
   * The call trace of an exception taken in this entry, once there is one. From then on the
   * PE is at the vector: nothing more may run (cleanup code on the way out, `finally` blocks)
   * until the next entry, so every primitive rethrows instead of acting.
   */
  private faulted: string[] | null = null;

  private tick(n: number): void {
    if (this.faulted) throw new HvFault(this.faulted);
    this.pe.retired += n;
  }

  private fault(): never {
    this.faulted = this.callTrace();
    throw new HvFault(this.faulted);
  }

  /** Run `fn`; an exception the PE takes inside it becomes an HvFault (with the call trace). */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e === EXCEPTION_TAKEN) this.fault();
      throw e;
    }
  }

  // --- the notional PC ------------------------------------------------------------------

  /** The PC the hypervisor is "at". */
  get pc(): number {
    return this.pe.curPc;
  }

  /** Put the PC at `va` without a fetch check (the instruction stream continues there). */
  setPc(va: number): void {
    if (this.faulted) throw new HvFault(this.faulted);
    this.pe.curPc = va;
    this.pe.pc = va;
  }

  /** Branch to `va`: the PE must be able to fetch there through the EL2 regime. */
  branch(va: number): void {
    this.setPc(va);
    this.fetchCheck();
  }

  /** Fetch at the current PC (Instruction Abort at EL2 if the regime cannot). */
  fetchCheck(): void {
    const pc = this.pe.curPc;
    if (this.faulted) throw new HvFault(this.faulted);
    if (!fetchSlow(this.pe, pc)) this.fault();
    // fetchSlow moved the PC bookkeeping to pc; keep the notional PC there.
    this.pe.curPc = pc;
    this.pe.pc = pc;
  }

  /** Call routine `va` (a symbol): branch there, run `fn`, return to the caller's PC. */
  call<T>(va: number, fn: () => T): T {
    const ret = this.pe.curPc;
    this.tick(COST.call);
    this.frames.push(va);
    this.branch(va);
    try {
      const r = fn();
      this.frames.pop();
      this.setPc(ret);
      return r;
    } catch (e) {
      this.frames.pop();
      throw e;
    }
  }

  /** The shadow call stack, innermost first, as "symbol" strings (for Xen's "call trace"). */
  callTrace(): string[] {
    const line = (va: number): string => `[<${paddr(va)}>] ${this.symbolName(va)}`;
    const pcName = this.symbolName(this.pe.curPc).split('+')[0];
    const out = [`${line(this.pe.curPc)} (PC)`];
    for (let i = this.frames.length - 1; i >= 0; i--) {
      // The innermost frame is the routine the PC is in: Xen prints it once, as the PC.
      if (i === this.frames.length - 1 && this.symbolName(this.frames[i]).split('+')[0] === pcName) continue;
      out.push(line(this.frames[i]));
    }
    return out;
  }

  /** A new entry (boot entry, vector, wait loop): forget the shadow stack and any earlier fault. */
  resetFrames(): void {
    this.frames.length = 0;
    this.faulted = null;
  }

  // --- general-purpose registers at entry -------------------------------------------------

  /** X`n` as a JS number (exact below 2^53; entry arguments such as the DTB address). */
  x(n: number): number {
    return this.pe.x[2 * n + 1] * 2 ** 32 + this.pe.x[2 * n];
  }

  /** X`n` exactly (guest hypercall arguments). */
  xr(n: number): bigint {
    return (BigInt(this.pe.x[2 * n + 1] >>> 0) << 32n) | BigInt(this.pe.x[2 * n] >>> 0);
  }

  /** Save x0..x30 (entry.S save_guest_regs: STPs to the hypervisor stack). */
  saveGprs(): Uint32Array {
    this.tick(31 * COST.access);
    return this.pe.x.slice(0, 62);
  }

  /** Restore x0..x30 (the LDPs before ERET). */
  restoreGprs(g: Uint32Array): void {
    this.tick(31 * COST.access);
    this.pe.x.set(g.subarray(0, 62));
  }

  setX(n: number, v: number | bigint): void {
    const b = BigInt.asUintN(64, BigInt(v));
    this.pe.x[2 * n] = Number(b & 0xffff_ffffn);
    this.pe.x[2 * n + 1] = Number(b >> 32n);
  }

  // --- system registers ----------------------------------------------------------------------

  private sysDef(name: string): { i: number; def: ReturnType<typeof allSysRegs>[number] } {
    const i = sr(name);
    return { i, def: allSysRegs()[i] };
  }

  /** MRS: access-checked as the PE would (an inaccessible register is UNDEFINED). */
  readSysreg(name: string): bigint {
    const { i, def } = this.sysDef(name);
    this.tick(COST.sysreg);
    return this.guard(() => {
      if (checkAccess(this.pe, def, accessPlan(def), true) !== Access.Ok) undefinedInstruction(this.pe);
      return def.read ? def.read(this.pe) : this.pe.sys[i];
    });
  }

  /** MSR with the catalogue's write mask and side effects; SCTLR/TTBR/TCR writes fetch-check the PC. */
  writeSysreg(name: string, v: bigint): void {
    const { i, def } = this.sysDef(name);
    this.tick(COST.sysreg);
    this.guard(() => {
      if (checkAccess(this.pe, def, accessPlan(def), false) !== Access.Ok) undefinedInstruction(this.pe);
      const val = BigInt.asUintN(64, v);
      if (def.write) def.write(this.pe, val);
      else {
        const mask = def.writeMask ?? 0xffff_ffff_ffff_ffffn;
        this.pe.sys[i] = (this.pe.sys[i] & ~mask) | (val & mask);
      }
      def.onWrite?.(this.pe);
      this.pe.attention = 1;
    });
    if (FETCH_CHECKED.has(name)) this.fetchCheck();
  }

  // --- memory, through the EL2 regime ------------------------------------------------------

  read8(va: number): number {
    this.tick(COST.access);
    return this.guard(() => this.pe.read8(va));
  }

  read32(va: number): number {
    this.tick(COST.access);
    return this.guard(() => this.pe.read32(va));
  }

  read64(va: number): bigint {
    this.tick(COST.access);
    return this.guard(() => {
      const lo = this.pe.read64(va);
      return (BigInt(this.pe.rhi >>> 0) << 32n) | BigInt(lo >>> 0);
    });
  }

  write8(va: number, v: number): void {
    this.tick(COST.access);
    this.guard(() => this.pe.write8(va, v));
  }

  write32(va: number, v: number): void {
    this.tick(COST.access);
    this.guard(() => this.pe.write32(va, v >>> 0));
  }

  write64(va: number, v: bigint): void {
    this.tick(COST.access);
    const b = BigInt.asUintN(64, v);
    this.guard(() => this.pe.write64(va, Number(b & 0xffff_ffffn), Number(b >> 32n)));
  }

  /** Copy `len` bytes from `va` (memcpy through the EL2 regime). */
  copyFrom(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.tick(Math.ceil(len / 8) * COST.copy8);
    this.guard(() => {
      let i = 0;
      while (i < len && (va + i) % 4 !== 0) out[i] = this.pe.read8(va + i++);
      for (; i + 4 <= len; i += 4) {
        const w = this.pe.read32(va + i);
        out[i] = w & 0xff;
        out[i + 1] = (w >>> 8) & 0xff;
        out[i + 2] = (w >>> 16) & 0xff;
        out[i + 3] = w >>> 24;
      }
      for (; i < len; i++) out[i] = this.pe.read8(va + i);
    });
    return out;
  }

  /** Copy `data` to `va`. */
  copyTo(va: number, data: Uint8Array): void {
    this.tick(Math.ceil(data.length / 8) * COST.copy8);
    this.guard(() => {
      for (let i = 0; i < data.length; i++) this.pe.write8(va + i, data[i]);
    });
  }

  /** Clear `len` bytes at `va` (8-byte aligned and sized: page clears, .bss). */
  zero(va: number, len: number): void {
    this.tick(Math.ceil(len / 8) * COST.copy8);
    this.guard(() => {
      for (let o = 0; o < len; o += 8) this.pe.write64(va + o, 0, 0);
    });
  }

  /**
   * clear_page: zero `len` bytes at `va` (page aligned and sized) with DC ZVA, 64 bytes at a
   * time, as Xen's arm64 clear_page does. Same cost as `zero`; with the data-cache model on, a
   * Write-Back page is zeroed line by line in the cache (the translation checked once per page).
   */
  clearPage(va: number, len: number): void {
    this.tick(Math.ceil(len / 8) * COST.copy8);
    const dc = this.pe.bus.dcache;
    this.guard(() => {
      for (let a = va; a < va + len; a += 4096) {
        const t = translateData(this.pe, a, 1, true, AccessFlags.ZeroBlock);
        const page = this.pe.bus.ramPage(t.pa);
        const inCache = dc !== null && page !== undefined && !page.monitors && !page.ptWatch;
        if (inCache && dataCacheability(this.pe, t.attrs) === Cacheability.WriteBack) {
          for (let o = 0; o < 4096; o += LINE_BYTES) dc.zeroLine(t.pa + o);
        } else for (let o = 0; o < 4096; o += 8) this.pe.write64(a + o, 0, 0);
      }
    });
  }

  // --- maintenance and barriers ------------------------------------------------------------

  /** TLBI `op` (by-VA forms take the VA). Same semantics as the instruction (arch/mmu/tlbi.ts). */
  tlbi(op: TlbiOp, va = 0): void {
    this.tick(COST.maintenance);
    const xt = BigInt(Math.floor(va / 4096)) & 0xfff_ffff_ffffn;
    archTlbi(this.pe, `TLBI ${op}`, xt, op.endsWith('IS'));
  }

  /** DC CVAC / CIVAC by VA: translation and permission checked (no data-cache model yet). */
  dcClean(va: number): void {
    this.tick(COST.maintenance);
    this.guard(() => void translateData(this.pe, va, 1, false, AccessFlags.CacheMaint));
  }

  /**
   * DC CIVAC / CVAC / CVAU over [va, va + len), line by line (a clean_dcache_va_range loop).
   * Each line costs a maintenance instruction; the EL2 translation is checked once per page,
   * as the TLB would serve the other lines of the page.
   */
  dcRange(va: number, len: number, op: 'civac' | 'cvac' | 'cvau'): void {
    const dc = this.pe.bus.dcache;
    const what = op === 'civac' ? CacheOp.CleanInvalidate : CacheOp.Clean;
    let a = va - (va % LINE_BYTES);
    const end = va + len;
    while (a < end) {
      const pageEnd = Math.min(end, (Math.floor(a / 4096) + 1) * 4096);
      const lines = Math.ceil((pageEnd - a) / LINE_BYTES);
      this.tick(lines * COST.maintenance);
      const pa = this.guard(() => translateData(this.pe, a, 1, false, AccessFlags.CacheMaint).pa);
      if (dc !== null) for (let i = 0; i < lines; i++) dc.maintain(pa + i * LINE_BYTES, what);
      a += lines * LINE_BYTES;
    }
  }

  /** IC IALLU. */
  icInvalidateAll(): void {
    this.tick(COST.maintenance);
    this.pe.flushFetch();
  }

  /** DSB: memory is sequentially consistent in this model; the barrier costs time only. */
  dsb(): void {
    this.tick(COST.barrier);
  }

  /** ISB: later "instructions" are refetched (the fetch window is dropped). */
  isb(): void {
    this.tick(COST.barrier);
    this.pe.flushFetch();
  }

  // --- leaving the hypervisor -------------------------------------------------------------------

  /** ERET to ELR_EL2/SPSR_EL2. */
  eret(): void {
    this.tick(COST.barrier);
    exceptionReturn(this.pe);
  }

  /** WFI at PC `va` (the idle loop): the PE sleeps until something can wake it. */
  wfi(): void {
    this.tick(COST.barrier);
    this.pe.sleeping = 'wfi';
    this.pe.attention = 1;
  }

  /** WFE at PC `va` (the idle loop once domains run): woken by SEV or any event. */
  wfe(): void {
    this.tick(COST.barrier);
    this.pe.sleeping = 'wfe';
    this.pe.attention = 1;
  }

  /** SEV: an event to every other PE (wakes idle pCPUs in WFE). */
  sev(): void {
    this.tick(COST.barrier);
    this.pe.host.sev(this.pe);
  }

  /** SMC #0 to the board firmware with x0..x3; returns x0 (PSCI: SMC calling convention). */
  smc(fid: number, a1 = 0, a2 = 0, a3 = 0): bigint {
    this.tick(COST.call);
    this.setX(0, fid);
    this.setX(1, a1);
    this.setX(2, a2);
    this.setX(3, a3);
    if (!this.pe.host.smc(this.pe, 0)) this.guard(() => undefinedInstruction(this.pe));
    if (this.faulted) throw new HvFault(this.faulted);
    return BigInt(this.x(0));
  }
}
