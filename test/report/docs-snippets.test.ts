// The followup snippets of docs/measuring.md check against the example's events and messages, and the
// examples of FU200-FU203 in docs/diagnostics.md give the diagnostics the page shows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSources, unloadProject } from '@followup/language';

const repo = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

async function diagnostics(files: Record<string, string>, baseDir?: string) {
    const project = await loadSources(files, baseDir ? { baseDir } : {});
    unloadProject(project);
    return project.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`);
}

describe('docs/measuring.md', () => {
    it('its rule and its policy check against examples/cart-abandonment', async () => {
        const snippets = blocks(read('docs/measuring.md'), 'followup');
        expect(snippets).toHaveLength(2);
        const example = {
            'events.followup': read('examples/cart-abandonment/events.followup'),
            'messages.followup': read('examples/cart-abandonment/messages.followup'),
        };
        expect(await diagnostics({ ...example, 'rules.followup': snippets.join('\n') }, path.join(repo, 'examples/cart-abandonment'))).toEqual([]);
    });
});

describe('docs/diagnostics.md, measuring', () => {
    const page = read('docs/diagnostics.md');
    const base = blocks(page, 'followup')[0]!.replace(
        'event purchase { key customerId  customerId: string  email: email }',
        'event purchase { key customerId  customerId: string  email: email  total: decimal }');
    it.each(['FU200', 'FU201', 'FU202', 'FU203'])('%s: the example gives what the page shows', async (code) => {
        const section = page.slice(page.indexOf(`### ${code} `), page.indexOf('**Fix:**', page.indexOf(`### ${code} `)));
        const [source] = blocks(section, 'followup');
        const [shown] = blocks(section, 'text');
        const expected = shown!.split('\n').filter((l) => /^(error|warning) FU/.test(l));
        expect(await diagnostics({ 'schema.followup': base, 'rules.followup': source! })).toEqual(expected);
    });
});
