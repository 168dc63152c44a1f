// What the probe suites share: the package fields of a report and the reads every run makes.
import { ACTION_NAMES, ACTIONS } from '../../dist/client';

export const PKG = { packageName: 'node-red-contrib-metasec-webtapi', packageVersion: 'test' };

/** The read-only actions that need no parameter (from the action table): the probe sends each of them. */
export const PLAIN_READS: readonly string[] = ACTION_NAMES.filter((name) => {
  const spec = ACTIONS.get(name)!;
  return !spec.sideEffect && !Object.values(spec.params).some((p) => p.required);
});
