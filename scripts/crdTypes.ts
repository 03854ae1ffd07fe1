/**
 * Generates the operator's TypeScript types from the CRDs in crds/ (the one source of truth), and
 * the Helm chart's copy of each CRD (a chart can only read files inside its own folder).
 *
 *   npm run crd:generate     writes operator/src/crd/<kind>.generated.ts and charts/gamebuddies/files/crds/
 *   npm run crd:check        fails when the committed types or the chart's copies differ from crds/
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import * as prettier from 'prettier';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: string[];
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const singular = (s: string) => (s.endsWith('s') ? s.slice(0, -1) : s);

function doc(description: string | undefined, indent: string): string {
  return description ? `${indent}/** ${description.replace(/\*\//g, '*\\/')} */\n` : '';
}

/** Emits interfaces for `schema` (named `name`) and everything nested in it. */
function emit(schema: Schema, name: string, out: string[]): string {
  if (schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties) return 'Record<string, unknown>';
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `Array<${emit(schema.items ?? {}, singular(name), out)}>`;
    case 'object': {
      if (!schema.properties) return 'Record<string, unknown>';
      const required = new Set(schema.required ?? []);
      let body = `${doc(schema.description, '')}export interface ${name} {\n`;
      for (const [prop, child] of Object.entries(schema.properties)) {
        const type = prop === 'metadata' ? 'V1ObjectMeta' : emit(child, name + pascal(prop), out);
        body += `${doc(child.description, '  ')}  ${prop}${required.has(prop) ? '' : '?'}: ${type};\n`;
      }
      out.push(`${body}}\n`);
      return name;
    }
    default:
      return 'unknown';
  }
}

async function generate(crdFile: string): Promise<{ target: string; text: string }> {
  interface Crd {
    spec: {
      group: string;
      names: { kind: string; plural: string };
      versions: Array<{ name: string; storage: boolean; schema: { openAPIV3Schema: Schema } }>;
    };
  }
  const crd = yaml.load(readFileSync(join(root, 'crds', crdFile), 'utf8')) as Crd;
  const kind: string = crd.spec.names.kind;
  const version = crd.spec.versions.find((v) => v.storage)!;
  const out: string[] = [];
  emit(version.schema.openAPIV3Schema, kind, out);
  const text = [
    `// Generated from crds/${crdFile} by \`npm run crd:generate\`. Do not edit: change the CRD and regenerate.`,
    "import type { V1ObjectMeta } from '@kubernetes/client-node';",
    '',
    `export const ${kind.toUpperCase()}_GROUP = '${crd.spec.group}';`,
    `export const ${kind.toUpperCase()}_VERSION = '${version.name}';`,
    `export const ${kind.toUpperCase()}_PLURAL = '${crd.spec.names.plural}';`,
    `export const ${kind.toUpperCase()}_KIND = '${kind}';`,
    '',
    out.join('\n'),
  ].join('\n');
  const target = join(
    root,
    'operator/src/crd',
    `${kind.charAt(0).toLowerCase()}${kind.slice(1)}.generated.ts`,
  );
  // Formatted as the repository formats code, so the check compares like with like.
  const options = await prettier.resolveConfig(target);
  return { target, text: await prettier.format(text, { ...options, filepath: target }) };
}

const check = process.argv.includes('--check');
let drifted = false;
const CHART_CRDS = 'charts/gamebuddies/files/crds';
for (const file of readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.yaml'))) {
  const generated = await generate(file);
  const copy = { target: join(root, CHART_CRDS, file), text: readFileSync(join(root, 'crds', file), 'utf8') };
  for (const output of [generated, copy]) sync(output, file);
}
if (drifted) process.exit(1);
if (check) console.log('CRD types and the chart copies match the CRDs');

function sync({ target, text }: { target: string; text: string }, file: string): void {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // not generated yet
  }
  if (check) {
    if (current !== text) {
      drifted = true;
      console.error(`${target} is out of date with crds/${file}: run npm run crd:generate`);
    }
  } else if (current !== text) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
