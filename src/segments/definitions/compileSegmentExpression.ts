/**
 * The one gate every expression passes before it is stored or previewed: it must
 * be storable text of at most 10,000 characters that the PQL compiler accepts.
 */
import { badUserInput } from '../../errors';
import { storageProblem } from '../../profiles/storable';
import { compileSegmentPredicate, type CompiledSegment, type CompileOptions } from '../pql/compileSegmentPredicate';
import { pqlErrorToGraphQL } from '../pql/pqlErrors';
import { MAX_EXPRESSION_LENGTH } from '../pql/tokenize';

/**
 * Compiles `expression` for `options`, or throws BAD_USER_INPUT naming `field`
 * (the input path of the expression's text): with `line`, `column` and `token`
 * for a syntax error, `unsupported` for a construct the evaluator refuses.
 */
export function compileSegmentExpression(expression: string, field: string, options: CompileOptions): CompiledSegment {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw badUserInput(field, `\`${field}\` must have at most ${MAX_EXPRESSION_LENGTH} characters (got ${expression.length})`);
  }
  // A literal holding NUL would be stored (and bound at evaluation) as text PostgreSQL refuses.
  const problem = storageProblem(expression, field);
  if (problem) throw badUserInput(problem.field, `\`${problem.field}\` ${problem.problem}`);
  try {
    return compileSegmentPredicate(expression, options);
  } catch (error: unknown) {
    const refused = pqlErrorToGraphQL(error, field);
    if (!refused) throw new Error('Compiling a segment expression failed', { cause: error });
    throw refused;
  }
}
