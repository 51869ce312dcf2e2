import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** Runs `read`, asserts it throws an InputError whose message is one line, and returns the message. */
export function inputErrorOf(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError, but reading succeeded');
}
