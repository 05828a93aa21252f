/**
 * The recursive-descent parser of PQL. Precedence, loosest first: `or`, `and`,
 * `not` / `!`, one comparison (`= != < <= > >=`, `like`, `in`, `notIn`,
 * `occurs …`), `+ -`, `* / %`, unary `-`, then postfix `.name`, `.name(args)`
 * and `[condition]`. `and` / `or` chains become one n-ary node, so a long chain
 * does not nest.
 */
import type { ComparisonOperator, Node, OccursClause } from './ast';
import { PqlSyntaxError, PqlUnsupportedError, type PqlPosition } from './pqlErrors';
import { dayWord, parseOccurs } from './parseOccurs';
import { checkDepth } from './treeDepth';
import { at, tokenize, type Token } from './tokenize';

/** Deeper nesting than this is refused, so that no input can exhaust a stack here or in PostgreSQL. */
export const MAX_NESTING = 64;

const COMPARISONS = new Set<string>(['=', '!=', '<', '<=', '>', '>=']);
// Words that cannot start a path: they are literals, or operators out of place.
const RESERVED = new Set(['and', 'or', 'not', 'in', 'notIn', 'like', 'occurs', 'true', 'false', 'xEvent']);
// The reference's quantifier and variable forms (`exists X from xEvent where …`), refused by name.
const VARIABLE_FORMS = new Set(['exists', 'forall', 'select', 'let', 'sum', 'count', 'average', 'min', 'max']);

/** Parses a PQL expression into its tree. Throws PqlSyntaxError or PqlUnsupportedError. */
export function parsePql(source: string): Node {
  const parser = new Parser(tokenize(source));
  const root = parser.expression();
  parser.expectEnd();
  checkDepth(root, 1, MAX_NESTING);
  return root;
}

/** The cursor over the tokens; the occurs grammar (parseOccurs.ts) reads through it too. */
export class Parser {
  private index = 0;
  // The whole expression is level 0; each parenthesis, list, argument, filter or `not` nests one more.
  private depth = -1;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  isPunctuation(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punctuation' && token.value === value;
  }

  isWord(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'identifier' && token.value === value;
  }

  expectPunctuation(value: string): Token {
    if (!this.isPunctuation(value)) throw this.unexpected(`expected "${value}"`);
    return this.next();
  }

  expectWord(value: string): Token {
    if (!this.isWord(value)) throw this.unexpected(`expected "${value}"`);
    return this.next();
  }

  expectEnd(): void {
    if (this.peek().kind !== 'end') throw this.unexpected('expected "and", "or" or the end of the expression');
  }

  /** The error for the current token. */
  unexpected(expected?: string, token: Token = this.peek()): PqlSyntaxError {
    const what = token.kind === 'end' ? 'Unexpected end of expression' : `Unexpected ${JSON.stringify(token.token)}`;
    return new PqlSyntaxError(expected ? `${what}: ${expected}` : what, token);
  }

  expression(): Node {
    return this.nested(this.peek(), () => this.or());
  }

  private nested<T>(at: PqlPosition, parse: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_NESTING) throw new PqlSyntaxError(`Expression nests deeper than ${MAX_NESTING} levels`, at);
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private or(): Node {
    return this.chain('or', () => this.and());
  }

  private and(): Node {
    return this.chain('and', () => this.not());
  }

  private chain(word: 'and' | 'or', operand: () => Node): Node {
    const first = operand();
    if (!this.isWord(word)) return first;
    const operands = [first];
    while (this.isWord(word)) {
      this.next();
      operands.push(operand());
    }
    return { type: word, operands, position: first.position };
  }

  private not(): Node {
    if (this.isWord('not') || this.isPunctuation('!')) {
      const position = at(this.next());
      return this.nested(position, () => ({ type: 'not', operand: this.not(), position }));
    }
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.additive();
    const token = this.peek();
    if (token.kind === 'punctuation' && COMPARISONS.has(token.value)) {
      this.next();
      return { type: 'compare', operator: token.value as ComparisonOperator, left, right: this.additive(), position: at(token) };
    }
    if (this.isWord('like')) {
      this.next();
      return { type: 'like', target: left, pattern: this.additive(), position: at(token) };
    }
    if (this.isWord('in') || this.isWord('notIn')) {
      this.next();
      return { type: 'in', negated: token.value === 'notIn', item: left, list: this.additive(), position: at(token) };
    }
    if (this.isWord('occurs')) {
      this.next();
      const clause: OccursClause = parseOccurs(this);
      return { type: 'occurs', target: left, clause, position: at(token) };
    }
    return left;
  }

  private additive(): Node {
    let left = this.multiplicative();
    while (this.isPunctuation('+') || this.isPunctuation('-')) {
      const token = this.next();
      const right = this.multiplicative();
      left = { type: 'arithmetic', operator: token.value as '+' | '-', left, right, position: at(token) };
    }
    return left;
  }

  private multiplicative(): Node {
    let left = this.unary();
    while (this.isPunctuation('*') || this.isPunctuation('/') || this.isPunctuation('%')) {
      const token = this.next();
      const right = this.unary();
      left = { type: 'arithmetic', operator: token.value as '*' | '/' | '%', left, right, position: at(token) };
    }
    return left;
  }

  private unary(): Node {
    if (this.isPunctuation('-')) {
      const position = at(this.next());
      return this.nested(position, () => ({ type: 'negate', operand: this.unary(), position }));
    }
    return this.postfix(this.primary());
  }

  private postfix(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isPunctuation('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'identifier') throw this.unexpected('expected a field or function name', name);
        if (this.isPunctuation('(')) {
          node = { type: 'method', target: node, name: name.value, args: this.arguments(), position: at(name) };
        } else if (node.type === 'path') {
          node = { ...node, segments: [...node.segments, name.value] };
        } else {
          node = { type: 'member', target: node, name: name.value, position: at(name) };
        }
      } else if (this.isPunctuation('[')) {
        const open = this.next();
        const condition = this.expression();
        this.expectPunctuation(']');
        node = { type: 'filter', target: node, condition, position: at(open) };
      } else {
        return node;
      }
    }
  }

  /** `( expression, … )`, the opening parenthesis next. */
  arguments(): Node[] {
    this.expectPunctuation('(');
    const args: Node[] = [];
    if (this.isPunctuation(')')) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.expression());
      if (this.isPunctuation(')')) {
        this.next();
        return args;
      }
      this.expectPunctuation(',');
    }
  }

  private primary(): Node {
    const token = this.peek();
    if (token.kind === 'string') {
      this.next();
      return { type: 'string', value: token.value, position: at(token) };
    }
    if (token.kind === 'number') {
      this.next();
      return { type: 'number', text: token.value, position: at(token) };
    }
    if (token.kind === 'punctuation') return this.punctuationPrimary(token);
    if (token.kind === 'end') throw this.unexpected('expected a value');
    return this.wordPrimary(token);
  }

  private punctuationPrimary(token: Token): Node {
    switch (token.value) {
      case '(': {
        this.next();
        if (this.peek().kind === 'identifier' && this.isPunctuation(')', 1) && this.isPunctuation('=>', 2)) {
          throw new PqlUnsupportedError('lambda', at(token), 'write the expression against the profile directly');
        }
        const inner = this.expression();
        this.expectPunctuation(')');
        return inner;
      }
      case '[': {
        this.next();
        const items: Node[] = [];
        if (!this.isPunctuation(']')) {
          for (;;) {
            items.push(this.expression());
            if (this.isPunctuation(']')) break;
            this.expectPunctuation(',');
          }
        }
        this.next();
        return { type: 'list', items, position: at(token) };
      }
      case '^':
        throw new PqlUnsupportedError('^', at(token), 'the up operator is not supported');
      default:
        throw this.unexpected('expected a value');
    }
  }

  private wordPrimary(token: Token): Node {
    const word = token.value;
    this.next();
    if (word === 'true' || word === 'false') return { type: 'boolean', value: word === 'true', position: at(token) };
    if (word === 'xEvent') return { type: 'xEvent', position: at(token) };
    const time = dayWord(word);
    if (time) return { type: 'time', time, position: at(token) };
    if (this.isPunctuation('(')) return { type: 'call', name: word, args: this.arguments(), position: at(token) };
    if (VARIABLE_FORMS.has(word) && this.peek().kind === 'identifier') {
      throw new PqlUnsupportedError(word, at(token), 'variable forms are not supported; use xEvent[condition]');
    }
    if (RESERVED.has(word)) throw this.unexpected('expected a value', token);
    return { type: 'path', segments: [word], position: at(token) };
  }
}
