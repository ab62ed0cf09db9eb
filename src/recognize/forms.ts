// PLACEHOLDER: form recognition (being written). Returns no forms yet.
import type { DocModel, Message } from '../../schemas/model.js';
import type { Form } from '../../schemas/record.js';

export function recognizeForms(_model: DocModel): { forms: Form[]; messages: Message[] } {
  return { forms: [], messages: [] };
}
