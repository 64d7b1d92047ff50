// The order followup lists names and paths in (compareText): case-insensitive, then by code units,
// and the same under every locale. A compiled project is the same bytes whichever LANG compiled it:
// with `localeCompare`, a Danish locale put `aardvark` after `zebra` (its "aa" is "å").
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareText } from '@followup/values';
import { bin, tempDir } from '../runtime/support.js';

const temp = tempDir('compare-text');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('compareText', () => {
    it('orders case-insensitively, then by code units', () => {
        expect(['zebra', 'Beta', 'aardvark', 'beta', 'Apple', 'apple', 'b10', 'b9'].sort(compareText))
            .toEqual(['aardvark', 'Apple', 'apple', 'b10', 'b9', 'Beta', 'beta', 'zebra']);
        expect(compareText('same', 'same')).toBe(0);
    });

    it('a project compiles to the same bytes under a Danish and a C locale, its rules and files in that order', () => {
        const project = path.join(temp, 'project');
        fs.mkdirSync(project, { recursive: true });
        fs.writeFileSync(path.join(project, 'events.followup'), 'event cart { key id  id: string  email: email }\nmessage nudge for cart email { subject: "Hi" text: "Your cart" }\n');
        for (const name of ['zebra', 'aardvark', 'Beta']) {
            fs.writeFileSync(path.join(project, `${name}.followup`), `followup ${name} {\n  when cart sent 1 day ago then send nudge email\n}\n`);
        }
        const compiled = (lang: string) => {
            const out = path.join(temp, `out-${lang}`);
            const r = spawnSync(process.execPath, [bin, 'compile', project, '--out', out], { encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: lang } });
            expect(r.status, r.stderr).toBe(0);
            return Object.fromEntries(fs.readdirSync(out, { recursive: true }).map(String).sort().filter((f) => fs.statSync(path.join(out, f)).isFile())
                .map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
        };
        const danish = compiled('da_DK.UTF-8');
        expect(danish).toEqual(compiled('C'));
        const manifest = JSON.parse(danish['manifest.json']!) as { rules: Array<{ name: string }> };
        expect(manifest.rules.map((r) => r.name)).toEqual(['aardvark', 'Beta', 'zebra']);
    });
});
