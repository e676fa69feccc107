/**
 * SaidError: the base of the bench's own errors that say themselves in catalogue parts. Apart from failure.ts so
 * that errorPart stays free of the catalogue (the tester agent uses it and starts without i18next). Pure.
 */
import { sayReason } from '../oracle/failover.js';
import type { ReasonPart } from './model.js';

/**
 * An error that says itself in one catalogue message (`key` with `vars`; a var may be a part, said first): its
 * `message` is the English — what the CLI, log.txt and `error.message` readers always got — and `parts` carry it
 * to the UI and reports in their language (errorPart reads them). Subclasses give their own name and key family.
 */
export class SaidError extends Error {
  readonly parts: ReasonPart[];
  constructor(name: string, key: string, vars: ReasonPart['vars'] = {}, options?: { cause?: unknown }) {
    const parts = [{ key, vars }];
    super(sayReason('en', parts), options);
    this.name = name;
    this.parts = parts;
  }
}
