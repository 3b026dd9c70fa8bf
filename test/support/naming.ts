/** Every database a test creates starts with this, so teardown can find leftovers. */
export const TEST_DATABASE_PREFIX = 'tpg_test_';
