import { describe, expect, it } from 'vitest';
import { loadAdminKey } from '../../src/app/admin-key.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';

describe('admin key', () => {
  it('a configured key revokes the generated one for good, and removing the variable keeps the configured key', async () => {
    const store = new MemoryStore();
    const first = await loadAdminKey(store, undefined);
    const generated = first.generated ?? '';
    expect(generated).toMatch(/^spk_/);

    const configured = await loadAdminKey(store, 'configured-admin-key-1');
    expect(configured.generated).toBeUndefined();
    expect(configured.verify('configured-admin-key-1')).toBe(true);
    expect(configured.verify(generated)).toBe(false);

    const afterRemoval = await loadAdminKey(store, undefined);
    expect(afterRemoval.generated).toBeUndefined();
    expect(afterRemoval.verify(generated)).toBe(false);
    expect(afterRemoval.verify('configured-admin-key-1')).toBe(true);
  });

  it('a newly configured key replaces the previously configured one', async () => {
    const store = new MemoryStore();
    await loadAdminKey(store, 'configured-admin-key-1');
    const next = await loadAdminKey(store, 'configured-admin-key-2');
    expect(next.verify('configured-admin-key-1')).toBe(false);
    expect((await loadAdminKey(store, undefined)).verify('configured-admin-key-1')).toBe(false);
    expect((await loadAdminKey(store, undefined)).verify('configured-admin-key-2')).toBe(true);
  });
});
