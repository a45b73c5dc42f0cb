/**
 * The scheduled handler that expires ACME challenge values on AWS (on Node
 * a timer does it): an EventBridge rule invokes it every few minutes and it
 * drops, and unpublishes from Route 53, every value past its lifetime. A
 * name that fails is logged and left for the next run; a store that cannot
 * be read throws, so the invocation counts as an error (alarmed). A sweep
 * is idempotent: the next run catches up on whatever one missed.
 */
export interface ChallengeSweep {
  sweep(): Promise<number>;
}

export interface SweepLog {
  info(context: Record<string, unknown>, message: string): void;
}

export type ChallengeSweepHandler = (event: unknown) => Promise<{ changed: number }>;

export function createChallengeSweepHandler(deps: { readonly challenges: () => Promise<ChallengeSweep>; readonly log: SweepLog }): ChallengeSweepHandler {
  return async () => {
    const changed = await (await deps.challenges()).sweep();
    deps.log.info({ changed }, 'challenge values expired');
    return { changed };
  };
}
