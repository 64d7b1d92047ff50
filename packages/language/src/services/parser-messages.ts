// Chevrotain's "Expecting: one of these possible Token sequences" lists every keyword that may
// stand for a name (hundreds of lines); say the same in one sentence.
const quote = (t: string) => (t === 'ID' || t === 'ESCAPED_ID' ? 'a name' : /^[A-Z_]+$/.test(t) ? t.toLowerCase().replace('_', ' ') : `'${t}'`);

function list(items: string[], limit = 10): string {
    const unique = [...new Set(items)];
    const shown = unique.length > limit ? [...unique.slice(0, limit), '…'] : unique;
    return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}` : shown.join('');
}

/** What a terminal looks like, for people: "Expecting token of type 'TIME'" says nothing to them. */
const terminalWords: Record<string, string> = {
    TIME: 'a time of day (HH:MM, e.g. 08:00)',
    NUMBER: 'a number',
    STRING: 'a string in quotes',
    TRIPLE_STRING: 'a """string"""',
    ID: 'a name',
};

export function conciseParserMessage(message: string): string {
    const flat = message.replace(/\s+/g, ' ').trim();
    const single = /^Expecting token of type '([A-Z_]+)' but found `(.*)`\.$/.exec(flat);
    const words = single && terminalWords[single[1]!];
    if (words) return `Unexpected '${single[2]}': expected ${words}`;
    // After a complete declaration the parser only "expects the end of the file": say what may start one.
    if (single?.[1] === 'EOF') return `Unexpected '${single[2]}': expected a new declaration (event, type, profile, message, policy, followup or when)`;
    const keyword = /^Expecting token of type '([^']+)' but found `(.*)`\.$/.exec(flat);
    if (keyword && /^[a-z]/i.test(keyword[1]!)) return `Unexpected '${keyword[2]}': expected '${keyword[1]}'`;
    const found = /but found: '(.*)'$/.exec(flat)?.[1];
    if (!flat.startsWith('Expecting: one of these possible Token sequences')) return flat;
    const sequences = [...flat.matchAll(/\d+\. \[([^\]]*)\]/g)].map(m => m[1]!.split(', '));
    const followers = new Map<string, Set<string>>();
    for (const [head, next] of sequences) {
        if (!head) continue;
        if (!followers.has(head)) followers.set(head, new Set());
        if (next) followers.get(head)!.add(next);
    }
    const nameFollowers = followers.get('ID');
    const same = (a: Set<string>, b: Set<string> | undefined) => !!b && a.size === b.size && [...a].every(x => b.has(x));
    const heads: string[] = [];
    for (const [head, next] of followers) {
        if (head === 'ESCAPED_ID' || (head !== 'ID' && same(next, nameFollowers))) continue;
        if (head === 'ID') {
            heads.push(nameFollowers && nameFollowers.size ? `a name followed by ${list([...nameFollowers].map(quote), 20)}` : 'a name');
        } else heads.push(quote(head));
    }
    return `${found !== undefined ? `Unexpected '${found}': expected` : 'Expected'} ${list(heads)}`;
}

export function conciseLexerMessage(message: string): string {
    const m = /unexpected character: ->(.*)<- at offset/.exec(message);
    return m ? `Unexpected character '${m[1]}'` : message;
}
