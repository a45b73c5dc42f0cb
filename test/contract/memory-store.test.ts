import { MemoryStore } from '../../src/adapters/store/memory.js';
import { storeContract } from './store.contract.js';

storeContract('memory', { makeStore: async (limit) => new MemoryStore(limit) });
