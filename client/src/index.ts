export * from './roomClient.js';
export * from './joinLink.js';
