/** TOKEN_ENCRYPTION_KEY of the tests' processes (32 bytes, base64): required with API_KEYS and Redis. */
export const TEST_TOKEN_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * What the test servers run with unless a test says otherwise: the page may create rooms (as on a
 * laptop; the default is off wherever API keys exist), and a token encryption key.
 */
export const TEST_SERVER_DEFAULTS = {
  OPEN_ROOM_CREATION: 'true',
  TOKEN_ENCRYPTION_KEY: TEST_TOKEN_ENCRYPTION_KEY,
};
