import type { z } from 'zod';

/**
 * Validation errors written for the people who see them on the page: "Hint seconds must be between
 * 5 and 120.", not "hintSeconds: Too big: expected number to be <=120". A schema's own message (a
 * regex's "a hint is a single word") is kept, with a capital and a full stop.
 */
export function describeForPeople(error: z.ZodError): string {
  return error.issues.slice(0, 3).map(issueForPeople).join(' ');
}

/** "hintSeconds" → "Hint seconds". */
export function humanizeKey(key: string): string {
  const words = key.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Issue = z.core.$ZodIssue;

function issueForPeople(issue: Issue): string {
  const key = [...issue.path].reverse().find((part): part is string => typeof part === 'string');
  const label = key ? humanizeKey(key) : 'This';
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const least = issue.code === 'too_small';
      if (issue.origin === 'string') {
        if (least && limit <= 1) return `${label} must not be empty.`;
        return `${label} must have ${least ? 'at least' : 'at most'} ${limit} characters.`;
      }
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${label} needs ${least ? 'at least' : 'at most'} ${limit} entries.`;
      return `${label} must be ${least ? 'at least' : 'at most'} ${limit}.`;
    }
    case 'invalid_value':
      return `${label} must be one of: ${issue.values.map(String).join(', ')}.`;
    case 'invalid_type':
      return issue.expected === 'int' || issue.expected === 'number'
        ? `${label} must be a number.`
        : `${label} is missing or not valid.`;
    default:
      return ownMessage(issue.message) ?? `${label} is not valid.`;
  }
}

/** A schema author's message, or null for zod's own wording ("Invalid input…"). */
function ownMessage(message: string): string | null {
  if (!message || /^(Invalid|Too (big|small)|Expected)\b/.test(message)) return null;
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
