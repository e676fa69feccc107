/**
 * The `*` and `?` wildcards of OpenSSH patterns (ssh_config(5) PATTERNS, sshd(8) known_hosts host patterns,
 * Include file names) without backtracking: the pattern is cut at each `*` and every piece is found at its first
 * place left to right (`?` matching any one character), which is exact for these wildcards and takes at most
 * name length × pattern length steps — a pattern of many `*` against a long name answers at once, where a
 * backtracking regular expression took minutes. Pure.
 */

function pieceAt(text: string, at: number, piece: string, fold: boolean): boolean {
  for (let i = 0; i < piece.length; i++) {
    const p = piece[i]!;
    const c = text[at + i]!;
    if (p === '?') continue;
    if (fold ? p.toLowerCase() !== c.toLowerCase() : p !== c) return false;
  }
  return true;
}

/** Whether `text` matches the glob `pattern` as a whole (`*` any run, `?` any one character). */
export function globMatch(pattern: string, text: string, options: { caseInsensitive?: boolean } = {}): boolean {
  const fold = options.caseInsensitive ?? false;
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern.length === text.length && pieceAt(text, 0, pattern, fold);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!pieceAt(text, 0, first, fold) || !pieceAt(text, text.length - last.length, last, fold)) return false;
  // The middle pieces, each at its first place after the previous one, before the last piece's place.
  let at = first.length;
  const end = text.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    let found = -1;
    for (let i = at; i + piece.length <= end; i++) {
      if (pieceAt(text, i, piece, fold)) {
        found = i;
        break;
      }
    }
    if (found === -1) return false;
    at = found + piece.length;
  }
  return true;
}
