/**
 * Creation order for dependent views: every view after the views it reads, views that read each
 * other (made mutually dependent with CREATE OR REPLACE) together in one group. Tarjan's strongly
 * connected components, iterative so a chain of thousands of materialized views cannot overflow
 * the stack.
 */

/**
 * Groups `nodes` into strongly connected components, listed so that each group comes after every
 * group it depends on. `dependsOn(node)` lists the nodes it reads (others are ignored). The order
 * is deterministic: it follows the order of `nodes` and of each dependency list.
 */
export function orderByDependencies<T>(nodes: readonly T[], dependsOn: (node: T) => readonly T[]): T[][] {
  const index = new Map<T, number>();
  const lowLink = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const groups: T[][] = [];
  const known = new Set(nodes);
  let counter = 0;

  for (const root of nodes) {
    if (index.has(root)) continue;
    // Each frame: the node and the position of the next dependency to visit.
    const frames: { node: T; edges: readonly T[]; next: number }[] = [];
    const enter = (node: T) => {
      index.set(node, counter);
      lowLink.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, edges: dependsOn(node).filter((n) => known.has(n)), next: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.next < frame.edges.length) {
        const child = frame.edges[frame.next++]!;
        if (!index.has(child)) {
          enter(child);
        } else if (onStack.has(child)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const group: T[] = [];
        let member: T;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.node);
        group.reverse();
        groups.push(group);
      }
    }
  }
  return groups;
}
