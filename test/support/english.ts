/**
 * Finds English prose in text meant to be Chinese: a run of three or more English words ("the link is down",
 * "could not connect to"). What may stay as written inside a Chinese sentence is removed first: commands the
 * user types (`bondbench host restore`, `ip link set`, `apt-get install libpcap`), option names and values
 * (anything with `_`, `-`, `.`, `/` or a digit is one token, never a word), and quoted parameters — “…”, "…", '…'
 * or 「…」 — such as an OS error's own text (ECONNREFUSED's message) or a YAML parser's excerpt of the line.
 */
const KEPT: readonly RegExp[] = [
  /\bbondbench(?: [a-z][\w-]*){1,3}/g,
  /\bip link(?: set| down| up)*/g,
  /\b(?:apt-get|apt|dnf|emerge) install [\w-]+/g,
  /“[^”]*”|"[^"]*"|「[^」]*」|(?<![A-Za-z])'[^'\n]*'(?![A-Za-z])/g,
];
const SENTENCE = /(?<![\w./:-])[A-Za-z][a-z']*(?:[ ,]+[A-Za-z][a-z']*(?![\w./:-])){2,}/g;

/** The English word runs left in `text` once commands, tokens and quoted parameters are set aside. */
export function englishSentences(text: string): string[] {
  let rest = text;
  for (const kept of KEPT) rest = rest.replace(kept, ' ');
  // Tokens with digits, underscores, dots, slashes, dashes or colons (eth1, arp_ip_target, 10.0.0.1, /etc/conf.d/net).
  rest = rest.replace(/\S*[\d_./:-]\S*/g, ' ');
  return [...rest.matchAll(SENTENCE)].map((m) => m[0]).filter((run) => run.split(/[ ,]+/).length >= 3);
}
