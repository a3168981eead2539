// Xen's command-line parser (xen/common/kernel.c parse_params, parse_bool; xen/lib/parse-size.c)
// with a small registry of the parameters armvisor's hypervisor understands.
//
// Semantics, as in Xen:
//   - options are separated by spaces (only ' '); each is truncated to MAX_PARAM_SIZE - 1 chars;
//   - `name=value` splits at the first '='; without '=' the value is "";
//   - a `no-` prefix inverts a boolean (`no-sync_console`), and for a custom parameter means
//     the value "no" (a `no-x=value` custom option is invalid);
//   - booleans take 1/0, on/no, yes/off, true/false, enable/disable ("" = true); `no-x=0` is
//     therefore true, as in Xen;
//   - integers are C strtoll with base 0 (decimal, 0x hex, leading-0 octal) and must use the
//     whole value;
//   - sizes are parse_size_and_unit: a number with an optional T/G/M/K/B suffix (any case);
//     no suffix means KiB;
//   - strings are copied (truncated to the parameter's buffer size, if it has one);
//   - an unknown option prints `parameter "x" unknown!`, a bad value
//     `parameter "x" has invalid value "v", rc=-22!`; parsing goes on either way.
// Output lines are returned without the "(XEN) " prefix; the caller prints them.

/** Xen's MAX_PARAM_SIZE. */
export const MAX_PARAM_SIZE = 128;
export const EINVAL = 22;
export const EOVERFLOW = 75;

export type ParamValue = boolean | number | string;

/** A custom parameter's handler: returns 0 or a negative errno, as Xen's par.func. */
export type CustomParser = (value: string) => number;

interface ParamDef {
  name: string;
  type: 'bool' | 'uint' | 'size' | 'string' | 'custom' | 'ignore';
  /** uint/size: the variable's width in bytes (1, 2, 4, 8), for Xen's overflow check. */
  width?: number;
  /** string: buffer size including the NUL. */
  len?: number;
  parse?: CustomParser;
}

/** parse_bool(): 1, 0, or -1 when `s` is not a boolean word. */
export function parseBool(s: string): 1 | 0 | -1 {
  switch (s) {
    case '1':
    case 'on':
    case 'yes':
    case 'true':
    case 'enable':
      return 1;
    case '0':
    case 'no':
    case 'off':
    case 'false':
    case 'disable':
      return 0;
    default:
      return -1;
  }
}

/** C strtoll/strtoull with base 0: the value and how many characters it used. */
export function strtoll(s: string): { value: number; used: number } {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return { value: 0, used: 0 };
  const body = m[2];
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  if (m[1] === '-') v = -v;
  return { value: Number(v), used: m[0].length };
}

/** parse_size_and_unit(): bytes, and how many characters were used. No suffix = KiB. */
export function parseSizeAndUnit(s: string): { value: number; used: number } {
  const { value, used } = strtoll(s);
  const c = s[used] ?? '';
  const shift: Record<string, number> = { t: 40, g: 30, m: 20, k: 10, b: 0 };
  const sh = shift[c.toLowerCase()];
  if (sh !== undefined) return { value: value * 2 ** sh, used: used + 1 };
  return { value: value * 1024, used };
}

const MAX_UNSIGNED: Record<number, number> = { 1: 0xff, 2: 0xffff, 4: 0xffff_ffff, 8: Number.MAX_SAFE_INTEGER };

/** A set of parameters, filled by defineParam-style calls, and their current values. */
export class ParamRegistry {
  private readonly defs: ParamDef[] = [];
  private readonly values = new Map<string, ParamValue>();

  private define(def: ParamDef, initial?: ParamValue): this {
    if (this.defs.some((d) => d.name === def.name && d.type !== 'custom')) throw new Error(`parameter ${def.name} defined twice`);
    this.defs.push(def);
    if (initial !== undefined) this.values.set(def.name, initial);
    return this;
  }

  /** boolean_param(name, var). */
  booleanParam(name: string, initial = false): this {
    return this.define({ name, type: 'bool' }, initial);
  }
  /** integer_param(name, var): an unsigned variable of `width` bytes. */
  integerParam(name: string, initial = 0, width = 4): this {
    return this.define({ name, type: 'uint', width }, initial);
  }
  /** size_param(name, var): bytes, from parse_size_and_unit. */
  sizeParam(name: string, initial = 0, width = 8): this {
    return this.define({ name, type: 'size', width }, initial);
  }
  /** string_param(name, var): `len` is the buffer size including the terminating NUL. */
  stringParam(name: string, initial = '', len = MAX_PARAM_SIZE): this {
    return this.define({ name, type: 'string', len }, initial);
  }
  /** custom_param(name, func). */
  customParam(name: string, parse: CustomParser): this {
    return this.define({ name, type: 'custom', parse });
  }
  /** ignore_param(name): accepted and ignored (options meant for another consumer). */
  ignoreParam(name: string): this {
    return this.define({ name, type: 'ignore' });
  }

  get(name: string): ParamValue | undefined {
    return this.values.get(name);
  }
  getBool(name: string): boolean {
    return this.values.get(name) === true;
  }
  getNumber(name: string): number {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : 0;
  }
  getString(name: string): string {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : '';
  }
  /** Let a custom parser store its result. */
  set(name: string, v: ParamValue): void {
    this.values.set(name, v);
  }

  /**
   * parse_params(): apply `cmdline`. Returns the lines Xen would print and the final rc
   * (0, or the last error).
   */
  parse(cmdline: string): { log: string[]; rc: number } {
    const log: string[] = [];
    let finalRc = 0;
    for (const raw of cmdline.split(' ')) {
      if (raw === '') continue;
      const opt = raw.slice(0, MAX_PARAM_SIZE - 1);
      const eq = opt.indexOf('=');
      const key = eq < 0 ? opt : opt.slice(0, eq);
      let optval = eq < 0 ? '' : opt.slice(eq + 1);
      const negated = key.startsWith('no-');
      const optkey = negated ? key.slice(3) : key;
      let rc = 0;
      let found = false;
      for (const p of this.defs) {
        if (p.name !== optkey) continue;
        found = true;
        let r = 0;
        switch (p.type) {
          case 'string':
            this.values.set(p.name, optval.slice(0, (p.len ?? MAX_PARAM_SIZE) - 1));
            break;
          case 'uint': {
            const { value, used } = strtoll(optval);
            r = this.assignInteger(p, value);
            if (used !== optval.length) r = -EINVAL;
            break;
          }
          case 'size': {
            const { value, used } = parseSizeAndUnit(optval);
            r = this.assignInteger(p, value);
            if (used !== optval.length) r = -EINVAL;
            break;
          }
          case 'bool': {
            const b = optval === '' ? 1 : parseBool(optval);
            if (b < 0) {
              r = -EINVAL;
              break;
            }
            this.values.set(p.name, b === 1 ? !negated : negated);
            break;
          }
          case 'custom':
            if (negated) {
              if (optval !== '') {
                r = -EINVAL;
                break;
              }
              optval = 'no';
            }
            r = p.parse!(optval);
            break;
          case 'ignore':
            break;
        }
        if (rc === 0) rc = r;
      }
      if (rc !== 0) {
        log.push(`parameter "${key}" has invalid value "${optval}", rc=${rc}!`);
        finalRc = rc;
      }
      if (!found) {
        log.push(`parameter "${key}" unknown!`);
        finalRc = -EINVAL;
      }
    }
    return { log, rc: finalRc };
  }

  /** assign_integer_param(): Xen accepts values that fit signed or unsigned in the width. */
  private assignInteger(p: ParamDef, value: number): number {
    const width = p.width ?? 8;
    const max = MAX_UNSIGNED[width] ?? Number.MAX_SAFE_INTEGER;
    const minSigned = width >= 8 ? Number.MIN_SAFE_INTEGER : -(2 ** (width * 8 - 1));
    if (value > max || value < minSigned) return -EOVERFLOW;
    this.values.set(p.name, value < 0 ? value + 2 ** (width * 8) : value);
    return 0;
  }
}

/** Xen's loglvl values (console.c parse_loglvl): "none|error|warning|info|debug|all[/rate]". */
const LOGLVLS = ['none', 'error', 'warning', 'info', 'debug', 'all'];

/** dom0_mem entries: [min:S,][max:S,]S — each a size (parse_dom0_mem). */
function parseDom0Mem(reg: ParamRegistry, s: string): number {
  let rc = 0;
  for (const item of s.split(',')) {
    const m = /^(?:(min|max):)?(.*)$/.exec(item)!;
    const { value, used } = parseSizeAndUnit(m[2]);
    if (used === 0 || used !== m[2].length) {
      rc = -EINVAL;
      continue;
    }
    reg.set(m[1] ? `dom0_mem.${m[1]}` : 'dom0_mem', value);
  }
  return rc;
}

/**
 * The parameters armvisor's hypervisor reads, with Xen's names and defaults (Arm builds).
 * Unknown options are reported, as Xen does.
 */
export function xenParams(): ParamRegistry {
  const reg = new ParamRegistry();
  reg
    .stringParam('console', 'dtuart', 64)
    .stringParam('dtuart', '', 64)
    .booleanParam('sync_console')
    .stringParam('conswitch', 'a', 5)
    .booleanParam('noreboot')
    .integerParam('dom0_max_vcpus', 0)
    .booleanParam('dom0_vcpus_pin')
    .stringParam('xsm', 'dummy', 16)
    .stringParam('flask', 'enforcing', 16)
    .stringParam('vwfi', 'trap', 8)
    .stringParam('sched', 'credit2', 16)
    .stringParam('badpage', '', 100)
    .stringParam('bootscrub', 'idle', 8)
    .booleanParam('hmp-unsafe')
    .sizeParam('xenheap_megabytes', 0);
  for (const name of ['loglvl', 'guest_loglvl']) {
    reg.set(name, 'warning');
    reg.customParam(name, (v) => {
      const [lower, upper] = v.split('/');
      if (!LOGLVLS.includes(lower) || (upper !== undefined && !LOGLVLS.includes(upper))) return -EINVAL;
      reg.set(name, v);
      return 0;
    });
  }
  reg.customParam('dom0_mem', (v) => parseDom0Mem(reg, v));
  return reg;
}
