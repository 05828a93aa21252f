/**
 * What of the PQL reference this evaluator runs and what it refuses (with
 * PqlUnsupportedError), one row a construct, with the reference's example.
 * Rendered as a table by `supportTableMarkdown` for the README.
 */

export interface PqlSupport {
  /** The family of the reference the construct belongs to. */
  family: string;
  construct: string;
  example: string;
  supported: boolean;
  note: string;
}

/** Functions the reference documents that compile to PqlUnsupportedError (any other unknown name is a PqlSyntaxError). */
export const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'if',
  'intersection',
  'groupBy',
  'filter',
  'map',
  'topN',
  'bottomN',
  'head',
  'regexGroup',
  'get',
  'keys',
  'values',
]);

const row = (family: string, construct: string, example: string, supported: boolean, note = ''): PqlSupport => ({
  family,
  construct,
  example,
  supported,
  note,
});

export const SUPPORTED_PQL: readonly PqlSupport[] = [
  row('boolean', 'and', 'homeAddress.countryISO = "CA" and person.birthYear = 1985', true),
  row('boolean', 'or', 'homeAddress.countryISO = "CA" or person.birthYear = 1985', true),
  row('boolean', 'not / !', 'not (homeAddress.countryISO = "CA")', true, 'not of an unknown (absent) comparison is unknown: no match either way'),
  row('boolean', 'true / false, ( )', 'true', true),
  row('boolean', 'if', 'if (homeAddress.countryISO = "CA", 1, 2)', false),
  row('comparison', '= != < <= > >=', 'person.birthMonth >= 3', true, 'typed: a stored value of another JSON type, like an absent one, never matches; strings order by code point; `identities.namespace` and the like, one value per identity, are refused here and wherever one value is read (the left of `in`, `like`, string functions, `isNull()`): use `includes`, `intersects` or `count()`'),
  row('arithmetic', '+ - * / %', 'person.age % 5 = 0', true, 'numbers only; division by 0 is unknown; up to eleven computed terms in one chain (each level writes its operands twice in SQL: deeper nesting is refused)'),
  row('array', 'in', 'person.birthMonth in [3, 6, 9]', true),
  row('array', 'notIn', 'person.birthMonth notIn [3, 6, 9]', true, 'an absent value is neither in nor notIn; an array attribute that is there but empty holds nothing, so a value is notIn it'),
  row('array', 'intersects', 'person.favoriteColors.intersects(["red", "blue", "green"])', true, 'an absent or empty array is unknown'),
  row('array', 'subsetOf', 'person.favoriteCities.subsetOf(person.visitedCities)', true, 'an absent or empty array is unknown'),
  row('array', 'supersetOf', 'person.eatenFoods.supersetOf(["sushi", "pizza"])', true, 'an absent or empty array is unknown'),
  row('array', 'includes', 'person.favoriteColors.includes("red")', true, 'an array that is there but empty includes nothing (`not tags.includes("a")` matches `tags: []`); an absent one is unknown'),
  row('array', 'distinct', 'person.orders.storeId.distinct().count() > 1', true, 'paths read across arrays of objects'),
  row('array', 'intersection', 'person1.favoriteColors.intersection(person2.favoriteColors) = ["red", "blue", "green"]', false),
  row('array', 'groupBy', 'orders.groupBy(storeId)', false),
  row('array', 'filter()', 'person.filter(age >= 21)', false, 'use the filter operator: orders[price > 50]'),
  row('array', 'map', 'numbers.map(square)', false),
  row('array', 'topN / bottomN', 'orders.topN(price, 5)', false),
  row('array', 'head', 'orders.topN(price, 5).head()', false),
  row('filter', '[condition]', 'xEvent[productListItems[SKU = "PS"]]', true, 'on xEvent and on array attributes; a filter used as a condition means "has one"'),
  row('filter', '^ (up)', 'xEvent[productListItems[SKU = "PS" or ^^.person.gender = "female"]]', false),
  row('aggregation', 'count', 'xEvent[eventType = "commerce.purchases"].count() >= 2', true, 'never absent: a profile without events counts 0'),
  row('aggregation', 'sum / average / min / max', 'xEvent.sum(commerce.order.priceTotal) > 100', true, 'the field of each element as argument; the sum of none is 0, the others are absent'),
  row('string', 'like', 'city like "%es%"', true, 'case-sensitive; % and _ are the only wildcards'),
  row('string', 'startsWith / doesNotStartWith', 'person.name.startsWith("Joe")', true, 'optional second argument false: case-insensitive'),
  row('string', 'endsWith / doesNotEndWith', 'person.emailAddress.endsWith(".com")', true, 'optional second argument false: case-insensitive'),
  row('string', 'contains / doesNotContain', 'person.emailAddress.contains("2010@gm")', true, 'optional second argument false: case-insensitive'),
  row('string', 'equals / notEqualTo', 'person.name.equals("John")', true, 'case-sensitive'),
  row('string', 'matches', 'person.name.matches("(?i)^John")', true, 'a search (anchor with ^ $); the Java subset PostgreSQL reads alike, anything else refused; `\\d \\w \\s` are ASCII and `.` stops at a line break, as in Java; repetitions `{n,m}` count at most 255 each and 2,000 summed over the pattern (PGlite dropped the answer of a statement past about 12,000)'),
  row('string', 'regexGroup', 'emailAddress.regexGroup("@(\\\\w+)", 1)', false),
  row('object', 'isNull / isNotNull', 'person.homeAddress.isNull()', true, 'absent and JSON null are both null'),
  row('map', 'get / keys / values', 'identityMap.get("example@example.com")', false),
  row('date-time', 'currentYear / currentMonth / currentDayOfMonth', 'person.birthMonth = currentMonth()', true, 'of the evaluation time, in UTC'),
  row('date-time', 'getYear / getMonth / getDayOfMonth', 'person.birthday.getYear() in [1991, 1992, 1993, 1994, 1995]', true, 'of an ISO 8601 string (a day, with or without a time; an offset only after a time, else UTC; any other string is absent), in UTC'),
  row('date-time', 'date(y, m, d)', 'product.saleDate occurs between date(2015, 1, 8) and date(2017, 7, 1)', true, 'the whole UTC day'),
  row('date-time', 'occurs {op} N unit before/after/from TIME', 'product.saleDate occurs = 3 hours before now', true, '< and <=: within N units of TIME; = : in the calendar unit N units away'),
  row('date-time', 'occurs before/after/from TIME', 'X.timestamp occurs before today', true),
  row('date-time', 'occurs (on) TIME', 'product.saleDate occurs last week', true, 'this/last/next unit are calendar units; weeks start on Monday'),
  row('date-time', 'occurs between TIME and TIME', 'product.saleDate occurs between date(2015, 1, 8) and date(2017, 7, 1)', true, 'both days included'),
  row('date-time', 'now / today / yesterday / tomorrow', 'person.birthday occurs = 3 days before today', true),
  row('date-time', 'occurs relative to an attribute', 'order.shipDate occurs < 2 days after order.orderDate', false),
  row('logical quantifiers', 'exists / forall', 'exists E from xEvent where (E.commerce.item.price > 50)', false, 'use xEvent[condition]'),
  row('misc', 'let / select … from', 'let S = (sum X.commerce.order.priceTotal over X from xEvent where X.commerce.order.currencyCode = "USD") in (S > 100 and S < 1000)', false),
  row('overview', '$1, (Profile) => lambdas', '$1.homeAddress.stateProvince = $1.workAddress.stateProvince', false, 'paths start at the profile'),
];

/** The support table as GitHub markdown. */
export function supportTableMarkdown(rows: readonly PqlSupport[] = SUPPORTED_PQL): string {
  const cell = (value: string) => value.replace(/\|/g, '\\|');
  const lines = rows.map(
    (entry) =>
      `| ${entry.family} | ${cell(entry.construct)} | \`${cell(entry.example)}\` | ${entry.supported ? 'yes' : 'refused'} | ${cell(entry.note)} |`,
  );
  return ['| family | construct | example | supported | note |', '| --- | --- | --- | --- | --- |', ...lines].join('\n') + '\n';
}
