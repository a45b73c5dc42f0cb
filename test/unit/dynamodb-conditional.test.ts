/** conditional(): the one place a failed DynamoDB condition becomes an outcome or the domain error. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { conditional } from '../../src/adapters/store/dynamodb-conditional.js';
import { ConflictError } from '../../src/domain/errors.js';

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('conditional', () => {
  it('says whether a conditional write went through', async () => {
    expect(await conditional(Promise.resolve({}))).toBe(true);
    expect(await conditional(Promise.reject(conditionFailed()))).toBe(false);
  });

  it('turns a failed condition into the given domain error', async () => {
    await expect(conditional(Promise.reject(conditionFailed()), () => new ConflictError('changed meanwhile'))).rejects.toBeInstanceOf(ConflictError);
    expect(await conditional(Promise.resolve({}), () => new ConflictError())).toBe(true);
  });

  it('rethrows any other error unchanged, domain error given or not', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    await expect(conditional(Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(conditional(Promise.reject(throttled), () => new ConflictError())).rejects.toBe(throttled);
  });
});
