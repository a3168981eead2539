// How the hypervisor prints addresses: Xen's PRIpaddr / %p on arm64, 16 zero-padded hex
// digits without 0x. Negative JS numbers are canonical high addresses (the machine's
// signed-canonical convention) and print as their 64-bit two's complement.

export function paddr(n: number | bigint): string {
  return BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');
}
