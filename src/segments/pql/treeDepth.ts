/**
 * The depth bound on a parsed tree: chains the parser reads in loops (method
 * calls, arithmetic) nest in the tree, and a deep tree would nest as deep in
 * the SQL PostgreSQL must parse.
 */
import type { Node } from './ast';
import { PqlSyntaxError } from './pqlErrors';

/** Throws PqlSyntaxError at the first node deeper than `max` (the root is at `depth`). */
export function checkDepth(node: Node, depth: number, max: number): void {
  if (depth > max) throw new PqlSyntaxError(`Expression nests deeper than ${max} levels`, node.position);
  for (const child of childrenOf(node)) checkDepth(child, depth + 1, max);
}

function childrenOf(node: Node): Node[] {
  switch (node.type) {
    case 'list':
      return node.items;
    case 'method':
      return [node.target, ...node.args];
    case 'call':
      return node.args;
    case 'filter':
      return [node.target, node.condition];
    case 'member':
      return [node.target];
    case 'and':
    case 'or':
      return node.operands;
    case 'not':
    case 'negate':
      return [node.operand];
    case 'compare':
    case 'arithmetic':
      return [node.left, node.right];
    case 'like':
      return [node.target, node.pattern];
    case 'in':
      return [node.item, node.list];
    case 'occurs':
      return [node.target];
    default:
      return [];
  }
}

