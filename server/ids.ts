// Response ids: a prefix naming the resource and 24 random hex digits.
import { randomBytes } from 'node:crypto';

export const randomId = (prefix: string): string => `${prefix}-${randomBytes(12).toString('hex')}`;
