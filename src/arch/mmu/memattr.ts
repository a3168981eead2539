// Memory attributes: MAIR and stage-2 MemAttr decoding, the combination of the two stages and
// the effect of the SCTLR/HCR controls (Arm ARM D8.5 "Memory region attributes", B2.7 "Memory
// types and attributes"; arm-facts §4.6-4.8). The machine has no cache model yet, so what
// matters architecturally today is Device vs Normal (alignment, DC ZVA); cacheability and
// shareability are carried so that PAR_EL1, traces and `--explain` report them exactly.

/** Device memory types, most restrictive first (so "more restrictive" is Math.min). */
export const enum DeviceType {
  nGnRnE = 0,
  nGnRE = 1,
  nGRE = 2,
  GRE = 3,
}

/** Cacheability of one level (inner or outer), least cacheable first (so "wins" is Math.min). */
export const enum Cacheability {
  NonCacheable = 0,
  WriteThrough = 1,
  WriteBack = 2,
}

/** Shareability as encoded in descriptors' SH field. */
export const enum Shareability {
  Non = 0,
  Outer = 2,
  Inner = 3,
}

export interface MemAttrs {
  device: boolean;
  deviceType: DeviceType;
  inner: Cacheability;
  outer: Cacheability;
  /** Allocation hints and transience as the stage-1 MAIR nibbles gave them (for PAR.ATTR). */
  innerHints: number;
  outerHints: number;
  sh: Shareability;
  /** The encoding was reserved / UNPREDICTABLE (reported by the rule checker). */
  reserved?: boolean;
}

const DEVICE_NAMES = ['Device-nGnRnE', 'Device-nGnRE', 'Device-nGRE', 'Device-GRE'];
const CACHE_NAMES = ['NC', 'WT', 'WB'];
const SH_NAMES = ['NSH', '?', 'OSH', 'ISH'];

export function deviceAttrs(t: DeviceType): MemAttrs {
  return { device: true, deviceType: t, inner: 0, outer: 0, innerHints: 0, outerHints: 0, sh: Shareability.Outer };
}

export function normalAttrs(inner: Cacheability, outer: Cacheability, sh: Shareability): MemAttrs {
  // Inner and Outer Non-cacheable Normal memory is always Outer Shareable (Arm ARM B2.7.2).
  const eff = inner === Cacheability.NonCacheable && outer === Cacheability.NonCacheable ? Shareability.Outer : sh;
  const hints = (c: Cacheability): number => (c === Cacheability.NonCacheable ? 0 : 3);
  return { device: false, deviceType: 0, inner, outer, innerHints: hints(inner), outerHints: hints(outer), sh: eff };
}

/** One MAIR nibble (Normal memory): cacheability and its R/W allocate + transient bits. */
function mairNibble(n: number): { c: Cacheability; hints: number; reserved: boolean } {
  if (n === 0b0100) return { c: Cacheability.NonCacheable, hints: 0, reserved: false };
  const rw = n & 3;
  switch (n >>> 2) {
    case 0b00: // Write-Through transient (RW != 00)
      return { c: Cacheability.WriteThrough, hints: rw, reserved: rw === 0 };
    case 0b01: // Write-Back transient (RW != 00; 0100 is NC, handled above)
      return { c: Cacheability.WriteBack, hints: rw, reserved: false };
    case 0b10:
      return { c: Cacheability.WriteThrough, hints: rw, reserved: false };
    default:
      return { c: Cacheability.WriteBack, hints: rw, reserved: false };
  }
}

/** Decode one MAIR_ELx attribute byte (Arm ARM D17.2.97, MAIR_EL1). */
export function decodeMair(byte: number, sh: Shareability): MemAttrs {
  const outer = byte >>> 4;
  const inner = byte & 15;
  if (outer === 0) {
    // 0b0000dd00 is Device; 0b0000ddxx with xx != 00 is UNPREDICTABLE (treated as its Device type).
    const a = deviceAttrs(((inner >>> 2) & 3) as DeviceType);
    if (inner & 3) a.reserved = true;
    return a;
  }
  const o = mairNibble(outer);
  const i = mairNibble(inner);
  const a = normalAttrs(i.c, o.c, sh);
  a.innerHints = i.hints;
  a.outerHints = o.hints;
  if (o.reserved || i.reserved || inner === 0) a.reserved = true;
  return a;
}

/** Decode a stage-2 MemAttr[3:0] (no FEAT_S2FWB): 00dd Device, ooii Normal (01 NC, 10 WT, 11 WB). */
export function decodeS2MemAttr(m: number, sh: Shareability): MemAttrs {
  const oo = m >>> 2;
  const ii = m & 3;
  if (oo === 0) return deviceAttrs(ii as DeviceType);
  const a = normalAttrs((ii === 0 ? 0 : ii - 1) as Cacheability, (oo - 1) as Cacheability, sh);
  if (ii === 0) a.reserved = true;
  return a;
}

/**
 * Combine stage-1 and stage-2 attributes (Arm ARM D8.5.5, "Combining the stage 1 and stage 2
 * attributes"): Device wins and the more restrictive Device type wins; per cache level the less
 * cacheable wins; the more shareable wins. Allocation hints come from stage 1.
 */
export function combineStages(s1: MemAttrs, s2: MemAttrs): MemAttrs {
  if (s1.device || s2.device) {
    const t = s1.device && s2.device ? Math.min(s1.deviceType, s2.deviceType) : s1.device ? s1.deviceType : s2.deviceType;
    return deviceAttrs(t as DeviceType);
  }
  const sh = s1.sh === Shareability.Outer || s2.sh === Shareability.Outer ? Shareability.Outer : Math.max(s1.sh, s2.sh);
  const a = normalAttrs(Math.min(s1.inner, s2.inner), Math.min(s1.outer, s2.outer), sh as Shareability);
  a.innerHints = a.inner === Cacheability.NonCacheable ? 0 : s1.innerHints;
  a.outerHints = a.outer === Cacheability.NonCacheable ? 0 : s1.outerHints;
  return a;
}

/** SCTLR_ELx.C = 0 (data) or .I = 0 (fetch): Normal memory of that regime becomes Non-cacheable. */
export function nonCacheable(a: MemAttrs): MemAttrs {
  if (a.device) return a;
  return normalAttrs(Cacheability.NonCacheable, Cacheability.NonCacheable, a.sh);
}

/**
 * Attributes of a regime with its stage 1 off (Arm ARM D8.2.10): data accesses Device-nGnRnE;
 * instruction fetches Normal Outer Shareable, Write-Through when SCTLR.I = 1 else Non-cacheable;
 * with HCR_EL2.DC = 1 (EL1&0 only) everything is Normal Non-shareable Write-Back.
 */
export function mmuOffAttrs(fetch: boolean, icache: boolean, dc: boolean): MemAttrs {
  if (dc) return normalAttrs(Cacheability.WriteBack, Cacheability.WriteBack, Shareability.Non);
  if (!fetch) return deviceAttrs(DeviceType.nGnRnE);
  const c = icache ? Cacheability.WriteThrough : Cacheability.NonCacheable;
  return normalAttrs(c, c, Shareability.Outer);
}

/** The PAR_EL1.ATTR byte (MAIR format) for final attributes. */
export function attrsToMair(a: MemAttrs): number {
  if (a.device) return a.deviceType << 2;
  const nib = (c: Cacheability, hints: number): number =>
    c === Cacheability.NonCacheable ? 0b0100 : c === Cacheability.WriteThrough ? 0b1000 | hints : 0b1100 | hints;
  return (nib(a.outer, a.outerHints) << 4) | nib(a.inner, a.innerHints);
}

export function describeAttrs(a: MemAttrs): string {
  if (a.device) return DEVICE_NAMES[a.deviceType];
  const c = a.inner === a.outer ? CACHE_NAMES[a.inner] : `i${CACHE_NAMES[a.inner]}/o${CACHE_NAMES[a.outer]}`;
  return `Normal-${c} ${SH_NAMES[a.sh]}`;
}
