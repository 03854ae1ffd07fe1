import { fileURLToPath } from 'node:url';

/** The web client every HTTP front (game server, local fleet) serves at `/`: the `web/` workspace, built by `npm run build`. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));
