// PLACEHOLDER: narrative sections (being written).
import type { DocModel } from '../../schemas/model.js';
import type { Section } from '../../schemas/record.js';

export function recognizeSections(_model: DocModel): Section[] {
  return [];
}
