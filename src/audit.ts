// PLACEHOLDER: audit rules (being written).
import type { Message } from '../schemas/model.js';
import type { Form } from '../schemas/record.js';

export function audit(_forms: Form[]): Message[] {
  return [];
}
