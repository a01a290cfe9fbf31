// cortex-m-sim: run Cortex-M firmware headless (`run`, usable as a cargo runner) or describe an ELF
// (`info`). Exit codes are part of the contract (DESIGN.md): see run.ts.

import { parseArgs, numberOption, stringOption, UsageError } from './args';
import { infoCommand } from './info';
import { BadInputError, EXIT_BAD_INPUT, runCommand } from './run';

const USAGE = `usage:
  cortex-m-sim run <elf> [--board <id> | --chip <id>] [--timeout <seconds>] [--max-instructions N]
                         [--stats] [--uart <file|->] [--rtt] [--fault-handlers] [-- firmware args...]
  cortex-m-sim info <elf> [--linker-script <file>] [--board <id> | --chip <id>]

boards: nucleo-f411re    chips: stm32f411re, cortex-m0, cortex-m3, cortex-m4
exit codes (run): the firmware's semihosting exit code; 101 fault; 124 timeout; 2 bad input`;

const RUN_OPTIONS = {
  board: { value: true },
  chip: { value: true },
  timeout: { value: true },
  'max-instructions': { value: true },
  stats: { value: false },
  uart: { value: true },
  rtt: { value: false },
  'fault-handlers': { value: false },
  help: { value: false },
};
const INFO_OPTIONS = {
  'linker-script': { value: true },
  board: { value: true },
  chip: { value: true },
  help: { value: false },
};

export function main(argv: string[]): number {
  const stdout = (text: string): void => void process.stdout.write(text);
  const stderr = (text: string): void => void process.stderr.write(text);
  const [command, ...rest] = argv;
  try {
    if (command === 'run') {
      const dashes = rest.indexOf('--');
      const args = parseArgs(dashes >= 0 ? rest.slice(0, dashes) : rest, RUN_OPTIONS);
      if (args.options.has('help')) return help(stdout);
      if (args.positionals.length !== 1) throw new UsageError('run takes exactly one ELF file');
      if (args.options.has('board') && args.options.has('chip')) throw new UsageError('give --board or --chip, not both');
      return runCommand({
        elfPath: args.positionals[0],
        board: stringOption(args, 'board'),
        chip: stringOption(args, 'chip'),
        timeoutSeconds: numberOption(args, 'timeout'),
        maxInstructions: numberOption(args, 'max-instructions'),
        stats: args.options.has('stats'),
        faultHandlers: args.options.has('fault-handlers'),
        uart: stringOption(args, 'uart'),
        rtt: args.options.has('rtt'),
        firmwareArgs: dashes >= 0 ? rest.slice(dashes + 1) : [],
        stdout,
        stderr,
      });
    }
    if (command === 'info') {
      const args = parseArgs(rest, INFO_OPTIONS);
      if (args.options.has('help')) return help(stdout);
      if (args.positionals.length !== 1) throw new UsageError('info takes exactly one ELF file');
      return infoCommand({
        elfPath: args.positionals[0],
        linkerScript: stringOption(args, 'linker-script'),
        board: stringOption(args, 'board'),
        chip: stringOption(args, 'chip'),
        stdout,
        stderr,
      });
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') return help(stdout);
    throw new UsageError(`unknown command '${command}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      stderr(`cortex-m-sim: ${e.message}\n${USAGE}\n`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof BadInputError) {
      stderr(`cortex-m-sim: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
}

function help(stdout: (text: string) => void): number {
  stdout(USAGE + '\n');
  return 0;
}

if (require.main === module) {
  const code = main(process.argv.slice(2));
  // Let buffered stdout drain before exiting with the firmware's code.
  process.exitCode = code;
}
