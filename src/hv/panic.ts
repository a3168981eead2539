// A broken hypervisor invariant or unusable boot input ends the hypervisor, as Xen's panic()
// does (DESIGN.md §10): one `(XEN) Panic on CPU n:` block on the console, then the PE idles.
// Code anywhere in src/hv throws HvPanic; the entry glue prints it in Xen's format.

/** Thrown by panic(); the entry glue turns it into Xen's panic banner. */
export class HvPanic extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'HvPanic';
  }
}

/** Xen's panic(): never returns. `reason` is one line, without the `(XEN) ` prefix. */
export function panic(reason: string): never {
  throw new HvPanic(reason);
}
