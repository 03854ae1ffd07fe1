import { h } from './dom.js';
import type { ExtraSetting } from './games/screen.js';

/**
 * The host's settings in the lobby, built from the room's current settings: numbers, switches, text
 * and word lists. The server validates; a refusal is shown like any other.
 */
export function settingsForm(
  settings: Record<string, unknown>,
  maxPlayers: number,
  extras: readonly ExtraSetting[],
  save: (changes: Record<string, unknown>) => void,
): HTMLElement {
  const fields: Array<{ key: string; read: () => unknown }> = [];
  const rows: HTMLElement[] = [];
  const entries: Array<[string, unknown]> = [['maxPlayers', maxPlayers], ...Object.entries(settings)];
  for (const extra of extras) if (!(extra.key in settings)) entries.push([extra.key, undefined]);

  for (const [key, value] of entries) {
    const label = extras.find((e) => e.key === key)?.label ?? humanize(key);
    if (typeof value === 'number') {
      const input = h('input', {
        type: 'number',
        name: `setting-${key}`,
        value: String(value),
        min: 0,
        step: 1,
      });
      fields.push({ key, read: () => Number(input.value) });
      rows.push(h('label', {}, label, input));
    } else if (typeof value === 'boolean') {
      const input = h('input', { type: 'checkbox', name: `setting-${key}`, checked: value });
      fields.push({ key, read: () => input.checked });
      rows.push(h('label', { className: 'check' }, input, label));
    } else if (typeof value === 'string') {
      const input = h('input', { name: `setting-${key}`, value });
      fields.push({ key, read: () => input.value });
      rows.push(h('label', {}, label, input));
    } else if (value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      const area = h('textarea', {
        name: `setting-${key}`,
        rows: 4,
        value: ((value as string[]) ?? []).join('\n'),
      });
      fields.push({
        key,
        read: () => {
          const lines = area.value
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean);
          return lines.length > 0 ? lines : undefined;
        },
      });
      rows.push(h('label', {}, label, area));
    }
  }
  return h(
    'details',
    { className: 'settings', 'data-key': 'settings' },
    h('summary', {}, 'Settings'),
    h(
      'form',
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          const changes: Record<string, unknown> = {};
          for (const field of fields) {
            const v = field.read();
            if (v !== undefined) changes[field.key] = v;
          }
          save(changes);
        },
      },
      ...rows,
      h('button', { type: 'submit', 'data-testid': 'save-settings' }, 'Save settings'),
    ),
  );
}

function humanize(key: string): string {
  const words = key.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
