/**
 * The drills' broken variants: each drill run once with a deliberate break (./support/drill-faults.ts) injected through
 * the stack's test hooks. A variant passes when its drill FAILED and its failures name a MAC the break lost: the proof
 * that the drill can fail, and says what was lost. Run by `npm run drills -- --short` (and `--broken`), after the drills.
 */
import { DRILLS, type Drill } from './drills.js';
import type { DrillFaults } from './support/drill-faults.js';
import type { DrillResult } from './support/drill-result.js';

export interface BrokenVariant {
  drill: Drill;
  name: string;
  /** A fresh set of breaks for one run (it records what it lost). */
  faults(): DrillFaults;
}

const drill = (id: number) => DRILLS.find((d) => d.id === id)!;
const dropper = (): DrillFaults => ({ dropOneIn: 1_000, lost: [] });
const skipper = (): DrillFaults => ({ skipWithdrawal: true, lost: [] });
const DROPS = 'MAC-index handler drops 1 route event in 1,000';
const SKIPS = 'collector skips a withdrawal';

export const BROKEN_VARIANTS: BrokenVariant[] = [
  { drill: drill(1), name: DROPS, faults: dropper },
  { drill: drill(1), name: SKIPS, faults: skipper },
  { drill: drill(2), name: DROPS, faults: dropper },
  { drill: drill(3), name: DROPS, faults: dropper },
  // FRR reports each route in several RIB views: one lost copy leaves the location as it was, so the break loses a host.
  { drill: drill(4), name: 'MAC-index handler drops every event of 1 MAC in 1,000', faults: () => ({ dropOneIn: 1_000, dropWholeMac: true, lost: [] }) },
  { drill: drill(5), name: DROPS, faults: dropper },
  { drill: drill(5), name: SKIPS, faults: skipper },
  { drill: drill(6), name: DROPS, faults: dropper },
  // Every MAC comes in 2 RRs × 3 RIB views: as in drill 4, one lost copy changes nothing, so the break loses a host.
  { drill: drill(7), name: 'MAC-index handler drops every event of 1 MAC in 1,000', faults: () => ({ dropOneIn: 1_000, dropWholeMac: true, lost: [] }) },
  // The fuzz routes have no expected state: the break drops from the healthy session's VNI (10800), which is judged.
  { drill: drill(8), name: `${DROPS} of the healthy session`, faults: () => ({ dropOneIn: 1_000, dropVni: 10800, lost: [] }) },
];

/** The variant's row: passed when the drill failed naming something the break lost; its own failures otherwise. */
export function brokenVerdict(r: DrillResult, b: BrokenVariant, faults: DrillFaults): DrillResult {
  const said = r.failures.join('\n');
  const lostMacs = faults.lost.map((k) => k.split('|')[0]!);
  const named = lostMacs.filter((m) => said.includes(m));
  const failures: string[] = [];
  if (faults.lost.length === 0) failures.push(`the break lost nothing (${b.name}): the variant shows nothing`);
  else if (r.failures.length === 0) failures.push(`the drill PASSED although the break lost ${faults.lost.join(', ')}`);
  else if (named.length === 0) failures.push(`the drill failed without naming what the break lost (${faults.lost.join(', ')}): ${said.slice(0, 300)}`);
  return {
    ...r,
    name: `${r.name.split(',')[0]}, broken: ${b.name}`,
    what: `${b.name}; must FAIL naming the loss`,
    figures: {
      ...r.figures,
      breakLost: faults.lost.join(', ') || 'nothing',
      drillFailedWith: r.failures.map((f) => f.split('\n')[0]!.slice(0, 240)).join(' | ') || '-',
    },
    failures,
  };
}
