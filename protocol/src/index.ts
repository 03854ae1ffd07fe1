export * from './errors.js';
export * from './appError.js';
export * from './roomCode.js';
export * from './room.js';
export * from './schemas.js';
export * from './events.js';
export * from './http.js';
export * from './env.js';
