// Hints for the syntax errors people actually make, with what to write instead: `==` for `=`,
// options after a one-line rule, months and years as durations.
import type { IRecognitionException } from 'chevrotain';

export interface ParserHint {
    message?: string;
    hint: string;
}

const optionWords = new Set(['schedule', 'lookback', 'expire', 'limit', 'quiet']);
const calendarUnits = new Set(['month', 'months', 'year', 'years']);

export function parserHint(error: IRecognitionException): ParserHint | undefined {
    const found = error.token.image;
    const previous = (error as { previousToken?: { image: string } }).previousToken?.image;
    if (found === '=' && previous === '=') {
        return { message: "Unexpected '==': a comparison takes one '='", hint: "Write a single '=' (it compares; nothing is assigned)" };
    }
    if (optionWords.has(found) && /EOF/.test(error.message)) {
        const option = found === 'quiet' ? 'quiet hours' : found;
        const policy = found === 'limit' || found === 'quiet' ? `; or, for every rule, inside a policy { ${option} ... } block` : '';
        return {
            message: `Unexpected '${option}': options belong inside a rule's long form, not after a one-line rule`,
            hint: `Write: followup <name> { when ... then send ... ${option} ... }${policy}`,
        };
    }
    if (calendarUnits.has(found.toLowerCase())) {
        return { hint: `Months and years vary in length: write days or weeks (${found.startsWith('y') ? '52 weeks' : '30 days or 4 weeks'})` };
    }
    return undefined;
}
