// The extension's TextMate grammar is Langium's generated one (keywords, comments, strings: always
// in step with grammar/followup.langium) plus what a generator cannot know: `"""` text blocks,
// backtick names, numbers, times of day. `{{ }}` inside strings comes from the injection grammar.
import * as fs from 'node:fs';
import * as path from 'node:path';

const additions = {
    tripleQuoted: {
        name: 'string.quoted.triple.followup',
        begin: '"""',
        end: '"""',
        patterns: [{ include: '#string-character-escape' }],
    },
    backtickName: { name: 'variable.other.escaped.followup', match: '`[A-Za-z_][A-Za-z0-9_]*`' },
    timeOfDay: { name: 'constant.numeric.time.followup', match: '\\b\\d{1,2}:\\d{2}\\b' },
    number: { name: 'constant.numeric.followup', match: '(?<![\\w.])-?\\d+(?:\\.\\d+)?\\b' },
};

/** Reads Langium's grammar at `from`, adds the extension's patterns, writes it to `to`. */
export function writeFollowupGrammar(from, to) {
    const grammar = JSON.parse(fs.readFileSync(from, 'utf8'));
    const doubleQuoted = grammar.patterns.findIndex(p => p.name === 'string.quoted.double.followup');
    if (doubleQuoted < 0) throw new Error(`${from}: no string.quoted.double.followup pattern; has the Langium grammar changed shape?`);
    // `"""` must be tried before `"`, or it would read as an empty string and an open one.
    grammar.patterns.splice(doubleQuoted, 0, additions.tripleQuoted);
    grammar.patterns.push(additions.backtickName, additions.timeOfDay, additions.number);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, JSON.stringify(grammar, null, 2) + '\n');
}
