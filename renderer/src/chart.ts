/** Small helpers the SVG charts share (the timeline, the failover chart). */

/** A label's width in px at the charts' 10 px type (CJK glyphs are about twice as wide as Latin ones). */
export function labelWidth(text: string): number {
  return [...text].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 10 : 5.6), 0);
}

/**
 * Places labels left to right, each on the first of `rows` rows where it starts past the previous label's end
 * (4 px apart); when every row is taken it goes where the row ends soonest. x and width in chart units.
 */
export function stackLabels<T extends { x: number; width: number }>(
  items: readonly T[],
  rows: number,
): (T & { row: number })[] {
  const ends = new Array<number>(rows).fill(Number.NEGATIVE_INFINITY);
  return [...items]
    .sort((a, b) => a.x - b.x)
    .map((item) => {
      let row = ends.findIndex((end) => item.x >= end + 4);
      if (row < 0) row = ends.indexOf(Math.min(...ends));
      ends[row] = item.x + item.width;
      return { ...item, row };
    });
}

/**
 * Labels on one row at points `x`, each starting 2 px right of its point but kept inside [0, right]: a label that
 * would print over the one before it joins it instead — the group keeps its first member's point, and its label
 * (given by `text`, e.g. "pull eth1 +1") says how many. Returns the groups with where their label starts.
 */
export function collapseLabels<T extends { x: number }>(
  items: readonly T[],
  text: (group: readonly T[]) => string,
  right: number,
): { members: T[]; x: number; start: number }[] {
  const place = (members: T[]) => {
    const width = labelWidth(text(members));
    const start = Math.max(0, Math.min(members[0]!.x + 2, right - width));
    return { members, x: members[0]!.x, start, end: start + width };
  };
  const placed: ReturnType<typeof place>[] = [];
  for (const item of [...items].sort((a, b) => a.x - b.x)) {
    const last = placed.at(-1);
    if (last && place([item]).start < last.end + 4) placed[placed.length - 1] = place([...last.members, item]);
    else placed.push(place([item]));
  }
  return placed.map(({ members, x, start }) => ({ members, x, start }));
}

/** A round step for about `count` ticks over `span`. */
export function tickStep(span: number, count: number, steps: readonly number[]): number {
  return steps.find((s) => span / s <= count) ?? steps.at(-1)!;
}
