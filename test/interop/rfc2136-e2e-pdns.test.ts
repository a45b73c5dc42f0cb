/** Signpost publishing to PowerDNS over RFC 2136, end to end: see rfc2136-e2e.suite.ts. */
import { describeRfc2136EndToEnd } from './rfc2136-e2e.suite.js';

describeRfc2136EndToEnd('pdns');
