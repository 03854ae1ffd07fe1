import { z } from 'zod';
import { humanizeKey, type SettingField } from '@gamebuddies/protocol';
import type { AnyGamePlugin } from '@gamebuddies/rooms';

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
}

/**
 * The fields of a game's settings form, read from its settings schema (so the form offers what the
 * server accepts: a select for a choice, a number with its range), with the room's player limits
 * first. Settings the form cannot show (lists of objects) are left out and keep their values.
 */
export function settingFields(plugin: AnyGamePlugin): SettingField[] {
  const schema = z.toJSONSchema(plugin.settingsSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields: SettingField[] = [
    {
      key: 'maxPlayers',
      label: 'Max players',
      kind: 'number',
      min: plugin.minPlayers,
      max: plugin.maxPlayers,
    },
  ];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const field = fieldOf(key, property);
    if (field) fields.push(field);
  }
  return fields;
}

function fieldOf(key: string, p: JsonSchema): SettingField | null {
  const label = humanizeKey(key);
  if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string')) {
    return { key, label, kind: 'choice', options: p.enum, ...withDefault(p, 'string') };
  }
  if (p.type === 'integer' || p.type === 'number') {
    return {
      key,
      label,
      kind: 'number',
      min: p.minimum ?? 0,
      max: p.maximum ?? Number.MAX_SAFE_INTEGER,
      ...withDefault(p, 'number'),
    };
  }
  if (p.type === 'boolean') return { key, label, kind: 'switch', ...withDefault(p, 'boolean') };
  if (p.type === 'array' && p.items?.type === 'string') {
    return {
      key,
      label,
      kind: 'lines',
      ...(p.minItems !== undefined ? { minItems: p.minItems } : {}),
      ...(p.maxItems !== undefined ? { maxItems: p.maxItems } : {}),
      ...(p.items.maxLength !== undefined ? { maxLength: p.items.maxLength } : {}),
    };
  }
  return null;
}

function withDefault<T extends 'string' | 'number' | 'boolean'>(
  p: JsonSchema,
  type: T,
): { default?: T extends 'string' ? string : T extends 'number' ? number : boolean } {
  return typeof p.default === type ? { default: p.default as never } : {};
}
