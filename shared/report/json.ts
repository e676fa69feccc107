/** The JSON report: the report model, naming its schema (REPORT_SCHEMA in schema.ts). Pure. */
import type { ReportModel } from './model.js';
import { REPORT_SCHEMA_ID } from './schema.js';

export function renderJson(model: ReportModel): string {
  return `${JSON.stringify({ $schema: REPORT_SCHEMA_ID, ...model }, null, 2)}\n`;
}
