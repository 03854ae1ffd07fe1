export * from './apiKeys.js';
export * from './backend.js';
export * from './httpErrors.js';
export * from './joinLinks.js';
export * from './openapi.js';
export * from './rateLimiter.js';
export * from './router.js';
export * from './webhooks.js';
