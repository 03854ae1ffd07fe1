export * from './roomClient.js';
