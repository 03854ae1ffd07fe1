import { fileURLToPath } from 'node:url';

/** The web client every HTTP front (game server, local fleet) serves at `/`. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url));
