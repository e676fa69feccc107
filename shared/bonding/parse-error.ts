/** What a parser of host output throws when the text is not what it claims to be. Pure. */

export class ParseError extends Error {
  constructor(
    /** What was being parsed, e.g. "/proc/net/bonding/bond0". */
    readonly source: string,
    readonly reason: string,
    /** 1-based line of the offending text, when there is one. */
    readonly line?: number,
    readonly text?: string,
  ) {
    super(
      `cannot parse ${source}${line === undefined ? '' : ` (line ${line})`}: ${reason}` +
        (text === undefined ? '' : `: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)}`),
    );
    this.name = 'ParseError';
  }
}
