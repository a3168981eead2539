// Per-interrupt state of a block of INTIDs (GICv3, IHI 0069 §4.1 "Interrupt lifecycle"): one
// byte array per attribute, indexed by INTID within the block. A redistributor holds the 32
// SGIs and PPIs of its PE (§1.2.1); the distributor holds the SPIs (§1.2.2).
//
// Pending is the latch (set by an edge, a write to ISPENDR or an SGI) OR-ed with the input
// line for level-sensitive interrupts (§4.1.1): clearing the latch (ICPENDR, acknowledge)
// leaves a level interrupt pending while its line stays asserted.

export class IrqState {
  /** IGROUPR: 1 = Group 1 (IRQ), 0 = Group 0 (FIQ). */
  readonly group: Uint8Array;
  readonly enabled: Uint8Array;
  readonly latch: Uint8Array;
  readonly active: Uint8Array;
  /** The interrupt's input line (level-sensitive sources). */
  readonly line: Uint8Array;
  /** ICFGR Int_config: 1 = edge-triggered, 0 = level-sensitive. */
  readonly edge: Uint8Array;
  /** IPRIORITYR: 8 bits stored (QEMU 7.2 keeps all of them; the CPU interface uses the top 5). */
  readonly priority: Uint8Array;

  constructor(readonly size: number) {
    this.group = new Uint8Array(size);
    this.enabled = new Uint8Array(size);
    this.latch = new Uint8Array(size);
    this.active = new Uint8Array(size);
    this.line = new Uint8Array(size);
    this.edge = new Uint8Array(size);
    this.priority = new Uint8Array(size);
  }

  pending(i: number): boolean {
    return this.latch[i] !== 0 || (this.edge[i] === 0 && this.line[i] !== 0);
  }

  /** Drive the input line; a rising edge latches an edge-triggered interrupt pending. */
  setLine(i: number, level: boolean): void {
    const v = level ? 1 : 0;
    if (v && !this.line[i] && this.edge[i]) this.latch[i] = 1;
    this.line[i] = v;
  }

  /** 32 bits of a one-bit-per-interrupt attribute starting at INTID `base` (within the block). */
  bits(arr: Uint8Array | ((i: number) => boolean), base: number): number {
    let v = 0;
    for (let b = 0; b < 32; b++) {
      const i = base + b;
      if (i >= this.size) break;
      const set = typeof arr === 'function' ? arr(i) : arr[i] !== 0;
      if (set) v |= 1 << b;
    }
    return v >>> 0;
  }

  pendingBits(base: number): number {
    return this.bits((i) => this.pending(i), base);
  }

  /** Apply `fn` to every INTID of the 32 starting at `base` whose bit is set in `value`. */
  forBits(value: number, base: number, fn: (i: number) => void): void {
    for (let b = 0; b < 32; b++) {
      if (((value >>> b) & 1) !== 0 && base + b < this.size) fn(base + b);
    }
  }

  /** ICFGR word `n` (16 interrupts, Int_config in the odd bit of each pair). */
  cfgWord(n: number): number {
    let v = 0;
    for (let k = 0; k < 16; k++) {
      const i = n * 16 + k;
      if (i < this.size && this.edge[i]) v |= 2 << (2 * k);
    }
    return v >>> 0;
  }

  setCfgWord(n: number, value: number, first: number): void {
    for (let k = 0; k < 16; k++) {
      const i = n * 16 + k;
      if (i < first || i >= this.size) continue;
      this.edge[i] = (value >>> (2 * k + 1)) & 1;
    }
  }
}
