/**
 * A Route53Api whose implementation is loaded on first use: the Lambda entry
 * point passes a loader that imports the AWS SDK's Route 53 client (a chunk
 * of its own in the bundle) and creates the client, so requests that never
 * publish (checkip, a rejected update, the admin reads) do not pay for
 * loading it at cold start. Loaded once and kept for the life of the
 * execution environment; a failed load is retried by the next call.
 */
import type { Route53Api } from './route53-api.js';

export function lazyRoute53Api(load: () => Promise<Route53Api>): Route53Api {
  let loaded: Promise<Route53Api> | undefined;
  const api = () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
  return {
    listHostedZones: async (input) => (await api()).listHostedZones(input),
    listResourceRecordSets: async (input) => (await api()).listResourceRecordSets(input),
    changeResourceRecordSets: async (input) => (await api()).changeResourceRecordSets(input),
    getChange: async (input) => (await api()).getChange(input),
  };
}
