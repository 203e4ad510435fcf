// The `ovlconf` command line: dispatches to the subcommands; usage errors exit 2.

import { packageVersion } from '../language/root.js';
import { UsageError } from './args.js';
import { OutputError } from '../results/output.js';

const HELP = `Usage: ovlconf <command> [options]

POSIX-semantics conformance suite for overlay and union filesystems.

Commands:
  run        run scenarios on adapters and report verdicts
  validate   check scenario files and spec data without running them
  list       list scenarios and adapters (with availability); --coverage for behaviour ids
  matrix     run every adapter × variant and regenerate CONFORMANCE.md (--check: compare only)
  interchange  carry one implementation's upper layer to another and compare the merged views
  diff       compare two results files: what an upgrade changed (--fail-on picks what fails)
  known      draft known-failure entries (spec/known-failures/) from a results file's failures
  report     an HTML page of results files (--html OUT.html): verdict matrix, scenarios, failures
  merge      join the shards of a run (run --shard I/N) into one results file
  vm         run the suite under other Debian kernels booted in QEMU (--kernel K, --matrix K1,K2)
  fuzz       generative differential testing of an adapter against the model and POSIX baseline
  repro      write a standalone shell script reproducing a scenario on kernel/FUSE overlays

Run \`ovlconf <command> --help\` for a command's options.
`;

type Command = (argv: string[]) => Promise<number>;

// each command's module loads only when it is the one run: `validate` does not load the engine,
// the adapters, the reporters or the VM runner
const COMMANDS: Record<string, Command> = {
  run: async (a) => (await import('./run.js')).runCommand(a),
  validate: async (a) => (await import('./validate.js')).validateCommand(a),
  list: async (a) => (await import('./list.js')).listCommand(a),
  matrix: async (a) => (await import('./matrix.js')).matrixCommand(a),
  interchange: async (a) => (await import('./interchange.js')).interchangeCommand(a),
  diff: async (a) => (await import('./diff.js')).diffCommand(a),
  merge: async (a) => (await import('./merge.js')).mergeCommand(a),
  known: async (a) => (await import('./known.js')).knownCommand(a),
  report: async (a) => (await import('./report.js')).reportCommand(a),
  vm: async (a) => (await import('./vm.js')).vmCommand(a),
  fuzz: async (a) => (await import('./fuzz.js')).fuzzCommand(a),
  repro: async (a) => (await import('./repro.js')).reproCommand(a),
};

/** Entry point; resolves to the process exit status. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]](['--help']);
    process.stdout.write(HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') {
    process.stdout.write(packageVersion() + '\n');
    return 0;
  }
  const run = COMMANDS[cmd];
  try {
    if (!run) throw new UsageError(`unknown command "${cmd}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ovlconf: ${e.message}\n(see ovlconf ${COMMANDS[cmd] ? cmd + ' ' : ''}--help)\n`);
      return 2;
    }
    if (e instanceof OutputError) {
      process.stderr.write(`ovlconf: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
