/**
 * Errors raised for bad input (files, blobs, command-line values).
 *
 * Every loader and parser in the project reports malformed input with exactly
 * one `InputError` whose message reads `<where>: <what>` — e.g.
 * `xen.dtb@0x48: FDT_PROP name offset 0x9999 is outside the strings block` —
 * so the CLI can print it as-is and tests can match it exactly.
 */
export class InputError extends Error {
  /** The file, offset, node or line the problem was found at. */
  readonly where: string;
  /** What is wrong, without the location. */
  readonly what: string;

  constructor(where: string, what: string) {
    super(`${where}: ${what}`);
    this.name = 'InputError';
    this.where = where;
    this.what = what;
  }
}

/** `0x`-prefixed lower-case hex, the way Xen and QEMU print addresses. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
