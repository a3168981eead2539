// CONSTRAINED UNPREDICTABLE choices of QEMU 7.2 (qemu-system-aarch64 -M virt -cpu cortex-a57)
// that src/arch/a64/ldst/ copies. Build and run (exit status 63 = all six bits set):
//   aarch64-linux-gnu-as qemu-constrained.s -o q.o && aarch64-linux-gnu-ld -Ttext=0x40080000 q.o -o q.elf
//   qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -semihosting -kernel q.elf; echo $?
.globl _start
_start:
  mov x20, #0
  adr x1, data
  ldp x0, x0, [x1]            // QEMU 7.2 expectation: x0 = 1 (first element)
  cmp x0, #1
  cset x9, eq
  orr x20, x20, x9
  adr x1, data
  adr x10, data
  add x10, x10, #8
  ldr x1, [x1], #8            // writeback wins?
  cmp x1, x10
  cset x9, eq
  orr x20, x20, x9, lsl #1
  adr x11, data
  ldxp x2, x2, [x11]          // x2 = 2 (second)?
  cmp x2, #2
  cset x9, eq
  orr x20, x20, x9, lsl #2
  adr x4, scratch
  mov x3, x4                   // stxr w3, x3: store old x3 (== address), status in w3
  ldxr x12, [x4]
  stxr w3, x3, [x4]
  ldr x13, [x4]
  cmp x13, x4
  cset x9, eq
  cmp x3, #0
  cset x14, eq
  and x9, x9, x14
  orr x20, x20, x9, lsl #3
  adr x5, data
  add x15, x5, #16
  ldp x5, x6, [x5], #16        // Rt == Rn with writeback: x5 = data+16?
  cmp x5, x15
  cset x9, eq
  orr x20, x20, x9, lsl #4
  adr x7, scratch
  mov x16, x7
  str x7, [x7, #8]!            // stores old base
  ldr x17, [x16, #8]
  cmp x17, x16
  cset x9, eq
  orr x20, x20, x9, lsl #5
  // semihosting SYS_EXIT_EXTENDED(0x20) with {ADP_Stopped_ApplicationExit, code}
  adr x1, block
  str x20, [x1, #8]
  mov x0, #0x20
  hlt #0xf000
1: b 1b
.balign 16
data: .quad 1, 2, 3, 4
scratch: .quad 0, 0, 0, 0
block: .quad 0x20026, 0
