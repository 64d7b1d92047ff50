// @followup/values: the value rules of followup, one definition each, in JavaScript and as the
// patterns the SQL guards use. Imported by the compiler (JSON Schemas, the PostgreSQL dialect), by the
// runtime (import, ingestion, tracking) and by the CLI (--now). Its one dependency is libphonenumber-js
// (phone numbers); a runtime that loads neither Langium nor the compiler can use it.
export { BLANK_CHARACTERS, compareText, describeValue, isStorableText, lowerAscii, trimBlanks, UNSTORABLE_TEXT_MESSAGE } from './text.js';
export { idProblem, isId, MAX_ID_LENGTH } from './ids.js';
export {
    decimalProblem, DECIMAL_TEXT_PATTERN, intProblem, isDecimalText, isStorableNumber, MAX_DECIMAL_TEXT_LENGTH, NON_FINITE_NUMBER_MESSAGE,
} from './numbers.js';
export {
    DATE_PATTERN, dateProblem, FRACTION_BEYOND_MICROSECONDS, INSTANT_EXAMPLE, INSTANT_PATTERN, INSTANT_RANGE, INSTANT_WORDS, instantProblem, isInstant, isIsoDate,
    isStorableDate, parseInstant,
} from './instants.js';
export { emailProblem, looksLikeEmail, MAX_EMAIL_LENGTH, normaliseAddress, normaliseEmail, normalisePhone, type AddressChannel } from './emails.js';
export { isHttpUrl, normaliseHttpUrl, urlProblem } from './urls.js';
export { dottedPath, jsonPointer, MAX_JSON_DEPTH, storableJsonProblems, type ValuePath, type ValueProblem } from './json.js';
export {
    postgresCreateIndex, postgresLiteral, postgresNormaliseAddress, postgresNormaliseEmail, postgresTrimBlanks, type PostgresIndex,
} from './postgres.js';
export { e164, normalisePhonesAt, phonePaths, phoneProblem, phoneRegion, type PhonePath, type TypedField } from './phones.js';
export { FollowupError, type ErrorKind } from './errors.js';
