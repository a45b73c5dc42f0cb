import { instanceScenarios } from './scenarios.js';
import { route53World } from './route53-world.js';

instanceScenarios('Route 53, Lambda event handler', () => route53World());
