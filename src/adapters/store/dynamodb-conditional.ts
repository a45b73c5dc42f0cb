/**
 * DynamoDB conditional writes in one place: a write whose condition does not
 * hold (`ConditionalCheckFailedException`) is an expected outcome — someone
 * else got there first, or the item is gone — not a failure of the store.
 */

/**
 * Awaits a conditional write: true when it went through; when its condition
 * did not hold, throws `orElse()` (the domain error) if given, else returns
 * false. Any other error is rethrown as it is.
 */
export async function conditional(write: Promise<unknown>, orElse?: () => Error): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (!conditionFailed(error)) throw error;
    if (orElse) throw orElse();
    return false;
  }
}

export function conditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
