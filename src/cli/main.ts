#!/usr/bin/env node
// armvisor's command line. Every command is a thin shell over library code; this file only
// parses arguments and turns failures into one line on stderr (DESIGN.md §10): bad input is
// `armvisor: <where>: <what>` with status 1, a bug is a one-line internal error (the stack
// only with ARMVISOR_DEBUG=1).
import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../util/errors.js';
import { runCommand, type RunOptions } from './run.js';
import { disasmCommand, type DisasmOptions } from './disasm.js';
import { esrCommand } from './esr.js';
import { walkCommand, type WalkOptions } from './walk.js';
import { bootCommand, layoutCommand, type BootOptions, type LayoutOptions } from './boot.js';
import { mpuPlanCommand, type MpuPlanOptions } from './mpuPlan.js';

/** Thrown to end the process with a status, after anything it printed. */
class Exit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

function buildProgram(): Command {
  const program = new Command('armvisor')
    .description('An instruction-accurate Armv8 machine and the Xen-style hypervisor it runs')
    .exitOverride()
    .configureOutput({
      // Commander's own errors ("error: unknown option '--x'") become our one-line format.
      outputError: (str, write) => write(`armvisor: ${str.replace(/^error: /, '').trim()}\n`),
    });

  program
    .command('run')
    .description('boot an image (ELF, arm64 Linux Image or raw binary) and run it; UART on stdout')
    .argument('[image]', 'guest image (default: the demo guest guests/bin/hello.elf)')
    .addOption(
      new Option(
        '--board <name>',
        'board: virt (QEMU virt, Cortex-A57), juno, seattle, zynqmp, or r82 (Armv8-R AArch64, Cortex-R82-like)',
      ).default('virt'),
    )
    .addOption(
      new Option('--el <n>', 'boot exception level: 2 = virtualization=on (PSCI via SMC), 1 = PSCI via HVC (default 1; r82: always 2)'),
    )
    .option('--smp <n>', 'number of PEs', '1')
    .option('--mem <size>', "RAM size (QEMU -m syntax: 512M, 2G; a bare number is MiB; default: the board's, 512M on virt)")
    .option('--append <args>', 'kernel command line (/chosen/bootargs)')
    .option('--initrd <file>', 'initial ramdisk (Linux Image kernels only)')
    .option('--dtb-out <file>', 'write the generated device tree blob here')
    .option('--max-insns <n>', 'stop after this many instructions (all PEs), exit status 2')
    .option('--trace', 'print every executed instruction to stderr (slow)')
    .option('--no-semihosting', 'make HLT #0xF000 UNDEFINED instead of a semihosting call')
    .option('--strict', 'stop (exit status 4) at the first architecture-rule violation (break-before-make, TTBR switch, TLB conflict)')
    .option('--explain', 'explain every translation fault step by step on stderr as it is taken')
    .option('--trace-tlb', 'print every TLB fill on stderr: the translation, its effective attributes and the descriptors behind it')
    .option('--dump-tables', "print each PE's live translation tables at exit (stderr), as coalesced ranges")
    .option('--walk <va...>', 'explain the translation of these VAs at exit (stderr)')
    .option('--walk-el <n>', 'EL for --walk (default: the EL PE0 stopped at)')
    .option('--save-state <file>', 'save registers and touched RAM at exit, for armvisor walk')
    .option('--mpu-el1-regions <n>', 'r82: EL1 MPU regions, MPUIR_EL1 (0..255, default 32)')
    .option('--mpu-el2-regions <n>', 'r82: EL2 MPU regions, MPUIR_EL2 (0..255, default 32)')
    .option('--no-el1-vmsa', 'r82: no VMSAv8-64 at EL1&0 (VTCR_EL2.MSA RES0, ID_AA64MMFR0_EL1.MSA_frac = 1)')
    .option(
      '--dcache',
      'model the data cache: write-back lines shared by all PEs; Non-cacheable/Device/MMU-off accesses bypass it (off by default)',
    )
    .option('--dcache-seed <n>', 'seed of the eviction PRNG (default 1): the same seed replays the same run')
    .option('--dcache-size <bytes>', 'data cache size, a power of two (default 32K; a bare number is bytes)')
    .option('--dcache-ways <n>', 'data cache associativity, a power of two (default 4)')
    .option('--mpu-faults <model>', 'r82: fault code for no / several matching regions: permission (default, as QEMU) or translation')
    .action(async (image: string | undefined, opts: RunOptions) => {
      throw new Exit(await runCommand(image, opts));
    });

  program
    .command('boot')
    .description('run the hypervisor on a board: its start of day, then the dom0less domains; (XEN) log on the UART (stdout)')
    .addOption(new Option('--board <name>', 'board').default('virt'))
    .option('--mem <size>', 'RAM size of the virt board (default 512M)')
    .option('--smp <n>', 'number of PEs (1..8); secondaries come up through PSCI CPU_ON')
    .option('--load-addr <addr>', 'physical address the boot loader places the hypervisor image at (hex, 4 KiB aligned)')
    .addOption(
      new Option('--loader <kind>', 'direct (U-Boot/QEMU: modules after the image) or grub (modules high in RAM)').default('direct'),
    )
    .option('--module <kind=file...>', 'boot module for /chosen: kernel, ramdisk, device-tree, xsm or module')
    .option(
      '--domu <file,mem=SIZE,cpus=N,dtb=FILE,ramdisk=FILE,policy=P,bootargs=TEXT...>',
      'a dom0less domain (/chosen xen,domain node with vpl011) running this kernel; mem, cpus, dtb (partial device tree: passthrough), policy (seed 001: none|seed|xen), bootargs optional (default without --module/--domu: two test guests)',
    )
    .option(
      '--dom0 <file,mem=SIZE,bootargs=TEXT>',
      "the hardware domain's kernel (first multiboot,kernel module of /chosen); mem= sets dom0_mem (Xen's default: 512M)",
    )
    .option('--dtb <file>', "the whole host device tree (DTB or DTS, as QEMU's -dtb), /chosen with Xen's bindings included")
    .option('--dts <file>', 'the same as --dtb (either format is accepted under both names)')
    .option('--load <file@addr...>', "put a file in RAM at an address before boot (QEMU's -device loader,file=,addr=)")
    .option('--xen-bootargs <args>', 'hypervisor command line (/chosen xen,xen-bootargs)')
    .option('--strict', 'stop (exit status 4) at the first architecture-rule violation')
    .option('--explain', 'explain every translation fault step by step on stderr as it is taken')
    .option('--dump-tables', "print each PE's live EL2 translation tables at exit (stderr)")
    .addOption(
      new Option('--layout <variant>', 'virtual layout: seed (Xen at 512GB + 2MB) or upstream (10TB identity area)').default('seed'),
    )
    .addOption(new Option('--ram <banks>', "RAM banks base:size[,...] instead of the board's (testing)").hideHelp())
    .addOption(
      new Option('--knob <name...>', 'test-only knobs that revert a fix (map-tables-with-domain-page-only, omit-identity-map)').hideHelp(),
    )
    .option('--mpu-el2-regions <n>', 'r82: EL2 MPU regions, MPUIR_EL2 (1..255, default 32)')
    .option('--config <dts|dtb>', 'r82: hypervisor configuration (host tree or /chosen fragment; default the built-in one)')
    .option('--max-insns <n>', 'stop after this many instructions')
    .option('--dcache', 'model the data cache (as run --dcache; seed 001: see --domu policy=)')
    .option('--dcache-seed <n>', 'seed of the eviction PRNG (default 1)')
    .option('--dcache-size <bytes>', 'data cache size, a power of two (default 32K)')
    .option('--dcache-ways <n>', 'data cache associativity, a power of two (default 4)')
    .action((opts: BootOptions) => {
      throw new Exit(bootCommand(opts));
    });

  program
    .command('layout')
    .description("print the hypervisor's virtual layout, its self-checks and the identity-map decision, without booting")
    .addOption(new Option('--board <name>', 'board').default('virt'))
    .option('--mem <size>', 'RAM size of the virt board')
    .option('--load-addr <addr>', 'where the image would be loaded (hex)')
    .addOption(new Option('--layout <variant>', 'seed or upstream').default('seed'))
    .addOption(new Option('--ram <banks>', "RAM banks base:size[,...] instead of the board's").hideHelp())
    .action((opts: LayoutOptions) => {
      process.stdout.write(layoutCommand(opts));
    });

  program
    .command('disasm')
    .description('disassemble an image (objdump -d layout)')
    .argument('<image>', 'ELF, arm64 Linux Image or raw binary')
    .option('--addr <addr>', 'start address (hex)')
    .option('--count <n>', 'number of instructions')
    .action((image: string, opts: DisasmOptions) => {
      process.stdout.write(disasmCommand(image, opts));
    });

  program
    .command('walk')
    .description('explain one VA -> IPA -> PA translation from a state saved by run --save-state')
    .argument('<state>', 'file written by armvisor run --save-state')
    .argument('<va>', 'virtual address (hex)')
    .option('--el <n>', 'translation regime of this EL (default: the EL the PE stopped at)')
    .option('--pe <n>', 'which PE (default 0)')
    .option('--fetch', 'translate as an instruction fetch')
    .action((state: string, va: string, opts: WalkOptions) => {
      process.stdout.write(walkCommand(state, va, opts));
    });

  program
    .command('esr')
    .description('decode an ESR_ELx value field by field')
    .usage('<value> [--el2]')
    .argument('[args...]', 'ESR value (0x hex or decimal), and --el2 to decode as ESR_EL2')
    .allowUnknownOption()
    .helpOption(false)
    .action((_args: string[], _opts: unknown, cmd: Command) => {
      // esr.ts parses its own arguments (value and --el2) and reports its own errors.
      throw new Exit(esrCommand(cmd.args));
    });

  program
    .command('mpu-plan')
    .description('plan the EL2 MPU regions of an Armv8-R configuration without booting (default: the built-in r82 one)')
    .argument('[config]', "host device tree (.dts or .dtb); a tree without /memory is overlaid on the r82 board's")
    .option('--regions <n>', 'MPUIR_EL2.REGION (1..255, default 32: the r82 board)')
    .option('--switch <mode>', 'context switch: auto (default), prenr (enable bits) or rewrite (one window)')
    .option('--dtb-addr <addr>', 'where the host DTB sits (default: the last 2 MiB of the 512 MiB DRAM)')
    .action((config: string | undefined, opts: MpuPlanOptions) => {
      const r = mpuPlanCommand(config, opts);
      process.stdout.write(r.text);
      for (const line of r.refused) process.stderr.write(`armvisor: mpu-plan: ${line}\n`);
      if (r.refused.length > 0) throw new Exit(1);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.status;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1; // already printed
    if (e instanceof InputError) {
      process.stderr.write(`armvisor: ${e.message}\n`);
      return 1;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      `armvisor: internal error: ${msg.split('\n')[0]}${process.env.ARMVISOR_DEBUG ? '' : ' (set ARMVISOR_DEBUG=1 for the stack)'}\n`,
    );
    if (process.env.ARMVISOR_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return 70; // EX_SOFTWARE
  }
}

// A reader that went away (`armvisor run x | head`) ends the run quietly, as for any filter.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
