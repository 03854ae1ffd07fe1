/**
 * Room codes: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L) so a code read
 * aloud or from a phone screen is typed correctly. 31^6 ≈ 887 million codes.
 */
export const ROOM_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ROOM_CODE_LENGTH = 6;

const CODE_PATTERN = new RegExp(`^[${ROOM_CODE_ALPHABET}]{${ROOM_CODE_LENGTH}}$`);

/** Upper-cases and trims; returns null when the result is not a well-formed code. */
export function normalizeRoomCode(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const code = input.trim().toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}
