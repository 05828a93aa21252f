/**
 * The syntax tree of a PQL expression. Every node keeps the position of the
 * token that starts it, so that a type error found while compiling points at
 * the right place.
 */
import type { PqlPosition } from './pqlErrors';

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/** A unit of time as the reference spells it, singular. */
export type TimeUnit =
  | 'millisecond'
  | 'second'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'year'
  | 'decade'
  | 'century'
  | 'millennium';

/** A point or period of time in an `occurs` clause. */
export type TimeReference =
  | { kind: 'now' }
  | { kind: 'day'; offsetDays: -1 | 0 | 1 } // yesterday, today, tomorrow
  | { kind: 'relative'; which: 'this' | 'last' | 'next'; unit: TimeUnit }
  | { kind: 'date'; year: number; month: number; day: number };

/** The forms of `occurs` the reference lists. */
export type OccursClause =
  | { form: 'distance'; operator: ComparisonOperator; amount: number; unit: TimeUnit; direction: 'before' | 'after'; time: TimeReference }
  | { form: 'direction'; direction: 'before' | 'after' | 'from'; time: TimeReference }
  | { form: 'on'; time: TimeReference }
  | { form: 'between'; from: TimeReference; to: TimeReference };

export type Node = { position: PqlPosition } & (
  | { type: 'string'; value: string }
  | { type: 'number'; text: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'list'; items: Node[] }
  | { type: 'time'; time: TimeReference }
  | { type: 'path'; segments: string[] }
  | { type: 'xEvent' }
  /** `target.name(args)` */
  | { type: 'method'; target: Node; name: string; args: Node[] }
  /** `name(args)` */
  | { type: 'call'; name: string; args: Node[] }
  /** `target[condition]` */
  | { type: 'filter'; target: Node; condition: Node }
  /** `target.name` after something that is not a plain path (a call or a filter) */
  | { type: 'member'; target: Node; name: string }
  | { type: 'and' | 'or'; operands: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'negate'; operand: Node }
  | { type: 'compare'; operator: ComparisonOperator; left: Node; right: Node }
  | { type: 'arithmetic'; operator: ArithmeticOperator; left: Node; right: Node }
  | { type: 'like'; target: Node; pattern: Node }
  | { type: 'in'; negated: boolean; item: Node; list: Node }
  | { type: 'occurs'; target: Node; clause: OccursClause }
);

export type NodeOf<T extends Node['type']> = Extract<Node, { type: T }>;
