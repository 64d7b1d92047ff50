// Tokens of the template language. The lexer has two modes: `text` (literal text up to `{{`) and
// `tag` (the inside of `{{ ... }}`).

import { createToken, Lexer, type IMultiModeLexerDefinition, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------- text mode

/**
 * Literal text up to the next tag. Where several `{` follow each other the last two open the tag,
 * so `{{{ x }}}` is the text `{`, the tag `{{ x }}` and the text `}`: triple braces are not special.
 */
export const Text = createToken({ name: 'Text', pattern: /(?:[^{]|\{(?!\{(?!\{)))+/, line_breaks: true });
export const OpenTag = createToken({ name: 'OpenTag', pattern: /\{\{(?!\{)/, push_mode: 'tag', label: "'{{'" });

// ---------------------------------------------------------------- tag mode

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const CloseTag = createToken({ name: 'CloseTag', pattern: /\}\}/, pop_mode: true, label: "'}}'" });
/** `{{` met while a tag is still open: the previous tag was not closed. */
export const StrayOpen = createToken({ name: 'StrayOpen', pattern: /\{\{/, label: "'{{'" });

export const Hash = createToken({ name: 'Hash', pattern: /#/, label: "'#'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, label: "'|'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });

export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA, label: 'a comparison operator (=, !=, <, <=, >, >=)' });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, categories: [CompareOp], label: "'=='" });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, categories: [CompareOp], label: "'!='" });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/, categories: [CompareOp], label: "'<='" });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/, categories: [CompareOp], label: "'>='" });
export const Eq = createToken({ name: 'Eq', pattern: /=/, categories: [CompareOp], label: "'='" });
export const Less = createToken({ name: 'Less', pattern: /</, categories: [CompareOp], label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: />/, categories: [CompareOp], label: "'>'" });

/** `'...'` or `"..."` on one line; `\'`, `\"`, `\\`, `\n`, `\t`, `\u{...}` escapes. */
export const StringLit = createToken({
    name: 'StringLit',
    pattern: /'(?:\\[^\n\r]|[^'\\\n\r])*'|"(?:\\[^\n\r]|[^"\\\n\r])*"/,
    label: 'a string',
});
/** A quote that is never closed on its line: reported as such rather than as odd characters. */
export const UnterminatedString = createToken({
    name: 'UnterminatedString',
    pattern: /'(?:\\[^\n\r]|[^'\\\n\r}]|\}(?!\}))*|"(?:\\[^\n\r]|[^"\\\n\r}]|\}(?!\}))*/,
    label: 'a string',
});
export const NumberLit = createToken({ name: 'NumberLit', pattern: /-?[0-9]+(?:\.[0-9]+)?/, label: 'a number' });

/** Any name: a field, a loop variable, a filter. Soft keywords belong to this category. */
export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });
/** `` `name` ``: a name that would otherwise be a keyword. */
export const BacktickIdent = createToken({ name: 'BacktickIdent', pattern: /`[A-Za-z_][A-Za-z0-9_]*`/, categories: [Ident], label: 'a name' });

// Soft keywords: meaningful in one place only, usable as names everywhere else.
const soft = (name: string, word: string): TokenType =>
    createToken({ name, pattern: new RegExp(word), longer_alt: Ident, categories: [Ident], label: `'${word}'` });
export const Each = soft('Each', 'each');
export const If = soft('If', 'if');
export const As = soft('As', 'as');
export const Count = soft('Count', 'count');

// Reserved words inside tags (a field with such a name is written `` `not` ``; after a `.` any
// word is a field name).
const hard = (name: string, word: string): TokenType =>
    createToken({ name, pattern: new RegExp(word), longer_alt: Ident, label: `'${word}'` });
export const Else = hard('Else', 'else');
export const And = hard('And', 'and');
export const Or = hard('Or', 'or');
export const Not = hard('Not', 'not');
export const True = hard('True', 'true');
export const False = hard('False', 'false');

export const keywordTokens: readonly TokenType[] = [Each, If, As, Count, Else, And, Or, Not, True, False];

const tagModeTokens: TokenType[] = [
    WhiteSpace, CloseTag, StrayOpen,
    Hash, Slash, Pipe, LParen, RParen, LBracket, RBracket, Comma, Dot,
    EqEq, NotEq, LessEq, GreaterEq, Eq, Less, Greater,
    StringLit, UnterminatedString, NumberLit, BacktickIdent,
    ...keywordTokens,
    Ident,
];

const definition: IMultiModeLexerDefinition = {
    modes: {
        text: [OpenTag, Text],
        tag: tagModeTokens,
    },
    defaultMode: 'text',
};

/** Every token type the tag parser may meet. */
export const parserTokens: TokenType[] = [CompareOp, ...tagModeTokens, OpenTag, Text];

// Chevrotain's validations of the token patterns cost milliseconds of every start, for a fixed
// definition: they run in the test that builds the lexer with them (checkTemplateLexer).
export const templateLexer = new Lexer(definition, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true });

/** Builds the template lexer with Chevrotain's validations: throws on a definition error. */
export function checkTemplateLexer(): void {
    new Lexer(definition, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: false });
}
