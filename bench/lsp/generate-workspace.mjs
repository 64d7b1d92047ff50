// The editor benchmark's workspace: bench/generate-project.mjs's project (events, record types,
// messages with templates, rules) cut at declaration boundaries into many smaller .followup files,
// as a team's repository would be: 200 files and about 20,000 lines by default.
//
//   node bench/lsp/generate-workspace.mjs <dir> [--files 200] [--events 125] [--rules 540] [--seed 1]
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateProject } from '../generate-project.mjs';

/** Top-level declarations start at column 0 after a blank line (the generator indents everything inside them). */
const declarationStart = /\n\n(?=(?:event|type|profile|message|followup|when) )/;

function walk(dir, out = []) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = nodePath.join(dir, entry.name);
        if (entry.isDirectory()) walk(full, out);
        else if (entry.name.endsWith('.followup')) out.push(full);
    }
    return out.sort();
}

/** Cuts `text` (a header comment, then declarations) into `parts` files of about equal size. */
function cut(text, parts) {
    const [header, ...declarations] = text.split(declarationStart);
    const chunks = [];
    for (let j = 0; j < parts; j++) {
        chunks.push(declarations.slice(Math.round(j * declarations.length / parts), Math.round((j + 1) * declarations.length / parts)));
    }
    return chunks.map((chunk, i) => `${header.trimEnd()} (part ${i + 1} of ${chunks.length})\n\n${chunk.join('\n\n').trimEnd()}\n`);
}

export function generateWorkspace(dir, options = {}) {
    const { files = 200, events = 125, rules = 540, seed = 1 } = options;
    const project = generateProject(dir, { events, rules, seed });
    const sources = walk(dir).map(file => ({ file, text: fs.readFileSync(file, 'utf8') }));
    const lines = sources.map(s => s.text.split('\n').length - 1);
    const total = lines.reduce((a, b) => a + b, 0);
    const declarationCount = s => s.text.split(declarationStart).length - 1;
    // Files per source, by its share of the lines, then adjusted to exactly `files`.
    const parts = sources.map((s, i) => Math.max(1, Math.min(declarationCount(s), Math.round(files * lines[i] / total))));
    for (let sum = parts.reduce((a, b) => a + b, 0); sum !== files;) {
        const order = [...parts.keys()].sort((a, b) => lines[b] / parts[b] - lines[a] / parts[a]);
        const i = sum < files ? order.find(j => parts[j] < declarationCount(sources[j])) : order.reverse().find(j => parts[j] > 1);
        if (i === undefined) break;
        parts[i] += sum < files ? 1 : -1;
        sum += sum < files ? 1 : -1;
    }
    let written = 0;
    let followupLines = 0;
    sources.forEach((s, i) => {
        fs.rmSync(s.file);
        cut(s.text, parts[i]).forEach((text, k) => {
            fs.writeFileSync(s.file.replace(/\.followup$/, `-${String(k + 1).padStart(2, '0')}.followup`), text);
            written++;
            followupLines += text.split('\n').length - 1;
        });
    });
    return { dir, files: written, lines: followupLines, templateFiles: project.templateFiles, events: project.events, messages: project.messages, rules: project.rules };
}

function main() {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { files: { type: 'string' }, events: { type: 'string' }, rules: { type: 'string' }, seed: { type: 'string' } },
    });
    if (positionals.length !== 1) {
        process.stderr.write('Usage: node bench/lsp/generate-workspace.mjs <dir> [--files 200] [--events 125] [--rules 540] [--seed 1]\n');
        process.exit(2);
    }
    const stats = generateWorkspace(nodePath.resolve(positionals[0]), Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)])));
    process.stdout.write(`Wrote ${stats.dir}: ${stats.files} .followup files, ${stats.lines} lines (${stats.events} events, ${stats.messages} messages, ` +
        `${stats.rules} rules) + ${stats.templateFiles} template files\n`);
}

if (process.argv[1] && nodePath.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
