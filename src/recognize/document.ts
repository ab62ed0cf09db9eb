// PLACEHOLDER: document-level facts (being written).
import type { DocModel } from '../../schemas/model.js';
import type { DocumentInfo, Form } from '../../schemas/record.js';

export function describeDocument(_model: DocModel, _forms: Form[]): Pick<DocumentInfo, 'organization' | 'fiscalYear' | 'title'> {
  return { organization: null, fiscalYear: null, title: null };
}
