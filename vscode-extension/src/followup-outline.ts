// Where the rules and messages of one `.followup` file are, read from its text alone: the commands
// need "the rule at the cursor" before (or without) any answer from the server. Only top-level
// declarations are found, so names inside strings, comments and blocks never count.

export interface RuleDeclaration {
    /** The rule's name: a long rule's own name, or a short rule's derived `<trigger>_<message>_<channel>`. */
    name: string;
    /** Offsets of the declaration's first and past-last characters. */
    start: number;
    end: number;
}

export interface MessageDeclaration {
    name: string;
    event: string;
    channel: string;
    start: number;
    end: number;
}

export interface FollowupOutline {
    rules: RuleDeclaration[];
    messages: MessageDeclaration[];
}

interface Token { text: string; start: number; end: number }

/** The file's words and braces, without comments and strings; backtick names lose their backticks. */
function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
        const rest = text.slice(i, i + 3);
        if (rest.startsWith('//')) { const eol = text.indexOf('\n', i); i = eol < 0 ? text.length : eol; continue; }
        if (rest.startsWith('/*')) { const close = text.indexOf('*/', i + 2); i = close < 0 ? text.length : close + 2; continue; }
        if (rest === '"""') { const close = text.indexOf('"""', i + 3); i = close < 0 ? text.length : close + 3; continue; }
        const char = text[i]!;
        if (char === '"' || char === "'") { i = skipQuoted(text, i, char); continue; }
        const word = /^(?:[A-Za-z_][A-Za-z0-9_]*|`[A-Za-z_][A-Za-z0-9_]*`)/.exec(text.slice(i, i + 200));
        if (word) {
            tokens.push({ text: word[0].replace(/`/g, ''), start: i, end: i + word[0].length });
            i += word[0].length;
            continue;
        }
        if (!/\s/.test(char)) tokens.push({ text: char, start: i, end: i + 1 });
        i++;
    }
    return tokens;
}

function skipQuoted(text: string, open: number, quote: string): number {
    let i = open + 1;
    while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    return i + 1;
}

function isName(token: Token | undefined): token is Token {
    return token !== undefined && /^[A-Za-z_]/.test(token.text);
}

/** The index of the `}` closing the `{` at `open`, or the last token when the file ends first. */
function closingBrace(tokens: Token[], open: number): number {
    let depth = 0;
    for (let i = open; i < tokens.length; i++) {
        if (tokens[i]!.text === '{') depth++;
        else if (tokens[i]!.text === '}' && --depth === 0) return i;
    }
    return tokens.length - 1;
}

/** A short rule's extent and derived name: `when <trigger> ... then send <message> <channel> [to <field>]`. */
function shortRule(tokens: Token[], when: number): { rule?: RuleDeclaration; next: number } {
    const trigger = tokens[when + 1];
    for (let i = when + 1; i < tokens.length; i++) {
        const text = tokens[i]!.text;
        if (text === '{' || text === '}') break;
        if (text !== 'send' || tokens[i - 1]?.text !== 'then') continue;
        const message = tokens[i + 1];
        const channel = tokens[i + 2];
        if (!isName(trigger) || !isName(message) || !isName(channel)) break;
        let last = i + 2;
        if (tokens[last + 1]?.text === 'to' && isName(tokens[last + 2])) last += 2;
        const name = `${trigger.text}_${message.text}_${channel.text}`;
        return { rule: { name, start: tokens[when]!.start, end: tokens[last]!.end }, next: last + 1 };
    }
    return { next: when + 1 };
}

export function readOutline(text: string): FollowupOutline {
    const tokens = tokenize(text);
    const outline: FollowupOutline = { rules: [], messages: [] };
    let i = 0;
    while (i < tokens.length) {
        const token = tokens[i]!;
        if (token.text === 'followup' && isName(tokens[i + 1]) && tokens[i + 2]?.text === '{') {
            const close = closingBrace(tokens, i + 2);
            outline.rules.push({ name: tokens[i + 1]!.text, start: token.start, end: tokens[close]!.end });
            i = close + 1;
        } else if (token.text === 'message' && isName(tokens[i + 1]) && tokens[i + 2]?.text === 'for'
            && isName(tokens[i + 3]) && isName(tokens[i + 4]) && tokens[i + 5]?.text === '{') {
            const close = closingBrace(tokens, i + 5);
            outline.messages.push({
                name: tokens[i + 1]!.text, event: tokens[i + 3]!.text, channel: tokens[i + 4]!.text,
                start: token.start, end: tokens[close]!.end,
            });
            i = close + 1;
        } else if (token.text === 'when') {
            const found = shortRule(tokens, i);
            if (found.rule) outline.rules.push(found.rule);
            i = found.next;
        } else if (token.text === '{') {
            // Any other block (event, type, profile): nothing inside it is a rule or a message.
            i = closingBrace(tokens, i) + 1;
        } else {
            i++;
        }
    }
    return outline;
}

/** The declaration whose text contains `offset` (its end included, so a cursor just after it counts). */
export function declarationAt<T extends { start: number; end: number }>(declarations: readonly T[], offset: number): T | undefined {
    return declarations.find(d => d.start <= offset && offset <= d.end);
}
