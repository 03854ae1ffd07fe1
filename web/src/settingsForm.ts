import type { SettingField } from '@gamebuddies/protocol';
import { h } from './dom.js';

/**
 * The host's settings in the lobby, one control per setting as the game's schema describes it: a
 * select for a choice, a number with its range, a switch, a list of lines. The server validates
 * again; a refusal is shown like any other error, a save says so.
 */
export function settingsForm(
  fields: readonly SettingField[],
  current: Record<string, unknown>,
  save: (changes: Record<string, unknown>) => Promise<boolean>,
  saved: { shown: boolean },
): HTMLElement {
  const readers: Array<{ key: string; read: () => unknown }> = [];
  const rows: HTMLElement[] = [];
  for (const field of fields) {
    const id = `setting-${field.key}`;
    const value = current[field.key] ?? ('default' in field ? field.default : undefined);
    switch (field.kind) {
      case 'number': {
        const input = h('input', {
          id,
          type: 'number',
          name: id,
          inputMode: 'numeric',
          min: field.min,
          max: field.max,
          step: 1,
          required: true,
          value: value === undefined ? '' : String(value),
        });
        readers.push({ key: field.key, read: () => Number(input.value) });
        rows.push(
          h(
            'label',
            { for: id },
            field.label,
            ' ',
            h('span', { className: 'muted' }, `(${field.min}–${field.max})`),
          ),
          input,
        );
        break;
      }
      case 'choice': {
        const select = h(
          'select',
          { id, name: id },
          ...field.options.map((option) =>
            h('option', { value: option, selected: option === value }, option),
          ),
        );
        readers.push({ key: field.key, read: () => select.value });
        rows.push(h('label', { for: id }, field.label), select);
        break;
      }
      case 'switch': {
        const input = h('input', { id, type: 'checkbox', name: id, checked: value === true });
        readers.push({ key: field.key, read: () => input.checked });
        rows.push(h('label', { className: 'check', for: id }, input, field.label));
        break;
      }
      case 'lines': {
        const hint = [
          'one per line',
          field.minItems !== undefined && `at least ${field.minItems}`,
          field.maxLength !== undefined && `each up to ${field.maxLength} characters`,
          'empty: the built-in list',
        ]
          .filter(Boolean)
          .join(', ');
        const area = h('textarea', {
          id,
          name: id,
          rows: 4,
          value: Array.isArray(value) ? value.join('\n') : '',
        });
        readers.push({
          key: field.key,
          read: () => {
            const lines = area.value
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean);
            return lines.length > 0 ? lines : undefined;
          },
        });
        rows.push(
          h('label', { for: id }, field.label, ' ', h('span', { className: 'muted' }, `(${hint})`)),
          area,
        );
        break;
      }
    }
  }
  const note = h(
    'span',
    { className: 'saved', role: 'status', 'data-testid': 'settings-saved' },
    saved.shown ? 'Saved ✓' : '',
  );
  const button = h('button', { type: 'submit', 'data-testid': 'save-settings' }, 'Save settings');
  return h(
    'details',
    { className: 'settings', 'data-key': 'settings' },
    h('summary', {}, 'Settings'),
    h(
      'form',
      {
        oninput: () => {
          saved.shown = false;
          note.textContent = '';
        },
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const changes: Record<string, unknown> = {};
          for (const reader of readers) {
            const v = reader.read();
            if (v !== undefined) changes[reader.key] = v;
          }
          button.disabled = true;
          const ok = await save(changes);
          button.disabled = false;
          saved.shown = ok;
          // The saved settings came back as a new state and redrew the form: tell the one on screen.
          const shown = document.querySelector('[data-testid="settings-saved"]') ?? note;
          shown.textContent = ok ? 'Saved ✓' : '';
        },
      },
      ...rows,
      h('div', { className: 'row' }, button, note),
    ),
  );
}
