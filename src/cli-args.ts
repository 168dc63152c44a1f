// The command-line flags of webtapi-sim, webtapi-probe and `npm start` (scripts/demo.js, from dist/):
// one parser; each program has a table of what its flags do.

/**
 * What a flag does: `read` turns its value (`--flag=v` or the next argument) into the option,
 * `set` is the option's value for a flag that takes none, `refuse` is the error of a flag that is
 * known and never accepted.
 */
export type Flag<O> =
  { [K in keyof O]-?: { option: K; read: (value: string, flag: string) => O[K] } | { option: K; set: O[K] } }[keyof O] | { refuse: string };

export interface FlagParser<O> {
  flags: Readonly<Record<string, Flag<O>>>;
  /** Printed for `--help` and `-h`, which then exit 0. */
  usage: string;
  /** Reports a usage error and exits. */
  fail: (message: string) => never;
  /** An empty value (`--user=`) counts as missing. */
  emptyIsMissing?: boolean;
}

/** A flag's value as given. */
export const asGiven = (value: string): string => value;

/** Applies the flags of `argv` to `o`, in order; an unknown flag or a missing value is a usage error. */
export function parseFlags<O>(argv: readonly string[], o: O, p: FlagParser<O>): O {
  const options = o as Record<keyof O, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const flag = eq === -1 ? argv[i] : argv[i].slice(0, eq);
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(p.usage);
      process.exit(0);
    }
    const f = Object.hasOwn(p.flags, flag) ? p.flags[flag] : p.fail(`unknown option ${flag}`);
    if ('refuse' in f) p.fail(f.refuse);
    else if ('set' in f) options[f.option] = f.set;
    else {
      const value = eq === -1 ? argv[++i] : argv[i].slice(eq + 1);
      if (value === undefined || (p.emptyIsMissing === true && value === '')) p.fail(`${flag} needs a value`);
      options[f.option] = f.read(value, flag);
    }
  }
  return o;
}
