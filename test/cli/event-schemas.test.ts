// `followup compile` writes each event's JSON Schema (schemas/<event>.json), the one serve answers on
// GET /v1/events/<type>/schema: a plain draft-07 validator accepts every event of the example's
// history with it, and rejects a broken one.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { DECIMAL_STRING_PATTERN } from '@followup/compiler';

const repo = path.resolve(import.meta.dirname, '../..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-schemas-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('followup compile writes schemas/<event>.json', () => {
    const out = path.join(temp, 'build');
    const result = spawnSync(process.execPath, [path.join(repo, 'packages/cli/bin/followup.js'), 'compile', 'examples/cart-abandonment', '--out', out],
        { cwd: repo, encoding: 'utf8' });

    it('one schema per event', () => {
        expect(result.status).toBe(0);
        expect(fs.readdirSync(path.join(out, 'schemas')).sort()).toEqual(['cartAbandonment.json', 'purchase.json']);
    });

    it("accepts every event of the example's history and rejects a broken one", () => {
        const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
        addFormats(ajv);
        const validators = Object.fromEntries(['cartAbandonment', 'purchase'].map(name => [
            name, ajv.compile(JSON.parse(fs.readFileSync(path.join(out, 'schemas', `${name}.json`), 'utf8'))),
        ]));
        const events = fs.readFileSync(path.join(repo, 'examples/cart-abandonment/history.jsonl'), 'utf8').split('\n').filter(Boolean)
            .map(line => JSON.parse(line) as { kind: string; type: string; data: Record<string, unknown> }).filter(r => r.kind === 'event');
        expect(events.length).toBeGreaterThan(20);
        for (const event of events) {
            const validate = validators[event.type]!;
            expect(validate(event.data), JSON.stringify(validate.errors)).toBe(true);
        }
        const cart = events.find(e => e.type === 'cartAbandonment')!.data;
        const { firstName, ...withoutFirstName } = cart;
        const validate = validators['cartAbandonment']!;
        expect(validate({ ...withoutFirstName, givenName: firstName, cartTotal: 'lots', email: 'not an address' })).toBe(false);
        expect(validate.errors!.map(e => `${e.instancePath} ${e.message}`).sort()).toEqual([
            ' must NOT have additional properties',
            ' must have required property \'firstName\'',
            `/cartTotal must match pattern "${DECIMAL_STRING_PATTERN}"`, // the decimal rule of @followup/values
            '/email must match format "email"',
        ].sort());
    });
});
