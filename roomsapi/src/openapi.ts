import { z } from 'zod';
import {
  CreateRoomBody,
  CreatedRoom,
  ErrorResponse,
  RoomLocation,
  RoomSummary,
  ServerList,
  ServerSummary,
} from '@gamebuddies/protocol';

/** JSON Schema of a zod schema, as an OpenAPI 3.1 component (2020-12 dialect, no `$schema`). */
function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const error = (description: string) => ({ description, content: json('Error') });

const codeParameter = {
  name: 'code',
  in: 'path',
  required: true,
  description: 'The 6-character room code (case-insensitive)',
  schema: { type: 'string', minLength: 6, maxLength: 6 },
};

/**
 * The Rooms API document served at `/v1/openapi.json`. Schemas come from the same zod schemas the
 * server validates and answers with; tests check real responses against this document.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'GameBuddies Rooms API',
      version: '1.0.0',
      description:
        'Create party-game rooms and send players to them. The same API on a single game server, a local fleet and Kubernetes.',
    },
    security: [{ bearer: [] }, { apiKeyHeader: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An entry of API_KEYS' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas: {
        CreateRoomBody: schemaOf(CreateRoomBody, 'input'),
        CreatedRoom: schemaOf(CreatedRoom),
        RoomSummary: schemaOf(RoomSummary),
        ServerSummary: schemaOf(ServerSummary),
        ServerList: schemaOf(ServerList),
        RoomLocation: schemaOf(RoomLocation),
        Error: schemaOf(ErrorResponse),
      },
    },
    paths: {
      '/v1/rooms': {
        post: {
          operationId: 'createRoom',
          summary: 'Create a room',
          parameters: [
            {
              name: 'wait',
              in: 'query',
              description: 'Seconds to wait for the room to be ready (0-30, default 10)',
              schema: { type: 'integer', minimum: 0, maximum: 30 },
            },
            {
              name: 'Idempotency-Key',
              in: 'header',
              description: 'A retried request with the same key and body returns the same room',
              schema: { type: 'string', maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: json('CreateRoomBody') },
          responses: {
            '201': { description: 'The room is ready', content: json('CreatedRoom') },
            '202': { description: 'The room exists and waits for a server', content: json('CreatedRoom') },
            '400': error('Bad body, unknown game type or invalid settings'),
            '401': error('Missing or invalid API key'),
            '403': error('The API key may only read'),
            '409': error('A request with this Idempotency-Key is still in progress'),
            '413': error('Body too large'),
            '422': error('Idempotency-Key reused with another body'),
            '503': error('No capacity, or the server is draining'),
          },
        },
      },
      '/v1/rooms/{code}': {
        parameters: [codeParameter],
        get: {
          operationId: 'getRoom',
          summary: 'A room (no tokens)',
          responses: {
            '200': { description: 'The room', content: json('RoomSummary') },
            '401': error('Missing or invalid API key'),
            '404': error('No such room'),
          },
        },
        delete: {
          operationId: 'deleteRoom',
          summary: 'Close a room; its players receive room:closed',
          responses: {
            '204': { description: 'Closed' },
            '401': error('Missing or invalid API key'),
            '403': error('The API key may only read'),
            '404': error('No such room'),
          },
        },
      },
      '/v1/servers/{gameType}': {
        parameters: [{ name: 'gameType', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          operationId: 'listServers',
          summary: 'Game servers of a game type, with their load',
          responses: {
            '200': { description: 'Servers', content: json('ServerList') },
            '401': error('Missing or invalid API key'),
            '400': error('Unknown game type'),
          },
        },
      },
      '/r/{code}': {
        parameters: [codeParameter],
        get: {
          operationId: 'locateRoom',
          summary: 'Public: where a room is now. Browsers are redirected to its page.',
          security: [],
          responses: {
            '200': { description: 'With Accept: application/json', content: json('RoomLocation') },
            '302': { description: "Redirect to the room's join page on its current server" },
            '404': error('No such room'),
            '429': error('Too many failed lookups'),
          },
        },
      },
    },
  };
}
