// The per-PE TLB behind the fast TLB: translations tagged with their regime, VMID and ASID,
// kept until a TLBI with the architected scope removes them (Arm ARM D8.13 "Translation
// Lookaside Buffers", D8.14 "TLB maintenance"). Entries are never dropped early except when
// the capacity limit is hit (which the architecture permits at any time), so a hypervisor
// that forgets a TLBI sees the stale translation, as on hardware with a large TLB.
//
// Three kinds of context hold entries:
//   EL2      the EL2 regime (no ASID, no VMID);
//   EL1&0    combined stage 1 (+ stage 2) entries, tagged VMID and ASID (or global);
//   stage 2  IPA→PA entries for a VMID, used by stage-1 walks;
//   flat     EL1&0 accesses with stage 1 off under stage 2, tagged VMID: stage-2-only in
//            content but, as the Arm ARM allows (D8.17.6.1: the IPAS2E1 + VMALLE1 sequence is
//            needed "even if stage 1 translation is disabled"), removed by EL1 TLBIs only.
// Combined entries keep their stage-2 part: TLBI IPAS2E1 alone does not remove them, which is
// why hypervisors follow it with TLBI VMALLE1 (arm-facts §4.10).
import type { MemAttrs } from './memattr.js';
import type { Regime } from './regime.js';

export interface TlbEntry {
  regime: Regime;
  /** Stage-2 only entry (input is an IPA). */
  stage2Only: boolean;
  vmid: number;
  /** ASID for non-global EL1&0 entries, -1 for global ones. */
  asid: number;
  /** Input range: [vaBase, vaBase + size). */
  vaBase: number;
  size: number;
  paBase: number;
  /** IPA of vaBase (= vaBase when stage 1 is off, = paBase when stage 2 is off). */
  ipaBase: number;
  /** Leaf levels (-1: that stage is off). */
  s1Level: number;
  s2Level: number;
  s1Perms: number;
  s2Perms: number;
  /** Attributes after stage 1 alone, and after both stages. */
  s1Attrs: MemAttrs;
  attrs: MemAttrs;
  /** Physical addresses of every descriptor this entry was built from, and their values. */
  descPas: number[];
  descLo: number[];
  descHi: number[];
  /** stage * 4 + level of each descriptor. */
  descMeta: number[];
}

const SIZES = [2 ** 30, 2 ** 21, 2 ** 12];
const GLOBAL = 0x10000;
/** Pseudo-ASID of the flat (stage 1 off) EL1&0 entries: in scope wherever global entries are. */
const FLAT = 0x10001;
const KIND = 2 ** 32;
const enum CtxKind {
  El10 = 1,
  El2 = 2,
  Stage2 = 3,
}

export function ctxEl10(vmid: number, asid: number): number {
  return CtxKind.El10 * KIND + vmid * 2 ** 17 + (asid < 0 ? GLOBAL : asid);
}
export const CTX_EL2 = CtxKind.El2 * KIND;
export function ctxEl10Flat(vmid: number): number {
  return CtxKind.El10 * KIND + vmid * 2 ** 17 + FLAT;
}
export function ctxStage2(vmid: number): number {
  return CtxKind.Stage2 * KIND + vmid;
}

function ctxKind(key: number): CtxKind {
  return Math.floor(key / KIND);
}
function ctxVmid(key: number): number {
  const k = key % KIND;
  return ctxKind(key) === CtxKind.Stage2 ? k : Math.floor(k / 2 ** 17);
}
function ctxAsid(key: number): number {
  const a = key % 2 ** 17;
  return a >= GLOBAL ? -1 : a;
}

/** Which contexts a TLBI reaches (Arm ARM C5.5, the TLBI instruction descriptions). */
export interface TlbiScope {
  el2?: boolean;
  /** EL1&0 combined entries of this VMID (undefined: every VMID). */
  el10?: boolean;
  stage2?: boolean;
  vmid?: number;
  /** Only this ASID's non-global entries, plus global ones when `withGlobal`. */
  asid?: number;
  withGlobal?: boolean;
  /** By input address (VA or IPA); undefined: the whole context. */
  addr?: number;
}

/** Capacity: far above any working set a test guest has; exceeding it drops everything. */
const CAPACITY = 1 << 16;

export class Tlb {
  private readonly ctx = new Map<number, Map<number, TlbEntry>[]>();
  private count = 0;
  /** Told about every entry that leaves the TLB (the rule checker tracks live descriptors). */
  onDrop: ((e: TlbEntry) => void) | null = null;
  onInsert: ((e: TlbEntry) => void) | null = null;

  get size(): number {
    return this.count;
  }

  lookup(key: number, addr: number): TlbEntry | undefined {
    const maps = this.ctx.get(key);
    if (!maps) return undefined;
    for (let i = 0; i < 3; i++) {
      const e = maps[i].get(Math.floor(addr / SIZES[i]));
      if (e) return e;
    }
    return undefined;
  }

  /** Lookup for an EL1&0 access: the ASID's entries, then global ones. */
  lookupEl10(vmid: number, asid: number, va: number): TlbEntry | undefined {
    return this.lookup(ctxEl10(vmid, asid), va) ?? this.lookup(ctxEl10(vmid, -1), va);
  }

  insert(key: number, e: TlbEntry): void {
    if (this.count >= CAPACITY) this.invalidate({ el2: true, el10: true, stage2: true });
    let maps = this.ctx.get(key);
    if (!maps) this.ctx.set(key, (maps = [new Map(), new Map(), new Map()]));
    const i = SIZES.indexOf(e.size);
    const k = Math.floor(e.vaBase / e.size);
    const old = maps[i].get(k);
    if (old) this.drop(old);
    else this.count++;
    maps[i].set(k, e);
    this.onInsert?.(e);
  }

  /** Another entry of a different size in the same context covers part of `e`'s range. */
  overlapping(e: TlbEntry): boolean {
    for (const maps of this.ctx.values()) {
      const i = SIZES.indexOf(e.size);
      if (maps[i].get(Math.floor(e.vaBase / e.size)) !== e) continue;
      for (let j = 0; j < 3; j++) {
        if (j === i) continue;
        if (SIZES[j] > e.size) {
          if (maps[j].has(Math.floor(e.vaBase / SIZES[j]))) return true;
        } else {
          for (const o of maps[j].values()) if (o.vaBase >= e.vaBase && o.vaBase < e.vaBase + e.size) return true;
        }
      }
      return false;
    }
    return false;
  }

  /** Every entry (for the rule checker and `--dump-tables`). */
  *entries(): IterableIterator<[number, TlbEntry]> {
    for (const [key, maps] of this.ctx) for (const m of maps) for (const e of m.values()) yield [key, e];
  }

  invalidate(s: TlbiScope): number {
    let n = 0;
    for (const [key, maps] of this.ctx) {
      if (!this.inScope(key, s)) continue;
      for (let i = 0; i < 3; i++) {
        const m = maps[i];
        if (s.addr === undefined) {
          for (const e of m.values()) this.drop(e);
          n += m.size;
          m.clear();
        } else {
          const k = Math.floor(s.addr / SIZES[i]);
          const e = m.get(k);
          if (e) {
            this.drop(e);
            m.delete(k);
            n++;
          }
        }
      }
    }
    this.count -= n;
    return n;
  }

  private inScope(key: number, s: TlbiScope): boolean {
    switch (ctxKind(key)) {
      case CtxKind.El2:
        return s.el2 === true;
      case CtxKind.Stage2:
        return s.stage2 === true && (s.vmid === undefined || s.vmid === ctxVmid(key));
      default: {
        if (!s.el10 || (s.vmid !== undefined && s.vmid !== ctxVmid(key))) return false;
        if (s.asid === undefined) return true;
        const a = ctxAsid(key);
        return a === s.asid || (a < 0 && s.withGlobal === true);
      }
    }
  }

  private drop(e: TlbEntry): void {
    this.onDrop?.(e);
  }
}
