// A test's data is checked twice: by `check` (packages/language/src/check/test-checks.ts, on the
// source, with positions) and by the import the runner feeds it through (validate-event.ts). Both
// must say the same of every value: a value `check` accepts is imported, one it refuses is refused.
import { describe, expect, it } from 'vitest';
import { NodeFileSystem } from 'langium/node';
import { createFollowupServices, fieldViews, isEvent, loadSources, testEventData, testEvents, unloadProject, isTest, type Event } from '@followup/language';
import { validateEventData } from '@followup/runtime';

const services = createFollowupServices(NodeFileSystem).Followup;

const schema = `
event sample {
  s: string  e: email  p: phone  t: pushToken  u: url  i: int  d: decimal  b: boolean  ts: timestamp  day: date
  o: string?  l: list<int>  r: Item
}
type Item { name: string  qty: int }
`;

const valid = { s: '"x"', e: '"a@b.co"', p: '"+33"', t: '"tok"', u: '"https://x.example"', i: '3', d: '1.5', b: 'true', ts: '"2026-11-20T10:00:00Z"', day: '"2026-11-20"', l: '[1, 2]', r: '{ name: "n"  qty: 1 }' };

/** Values to try in each field, valid or not (written as in a test's data). */
const candidates: Record<string, string[]> = {
    s: ['""', '"text"', '12', 'true', '[1]', '{ name: "n"  qty: 1 }'],
    e: ['"ana@example.com"', '" ana@example.com "', '"ana@example"', '"ana example.com"', '"@x.co"', '12'],
    p: ['"+33 6 12"', '""', '33612', 'false'],
    t: ['"abc"', '1'],
    u: ['"https://shop.example/c"', '"http://x.y"', '"ftp://x.y"', '"shop.example"', '"https://"', '3'],
    i: ['0', '-7', '42', '2.5', '2.0', '"3"', '9007199254740993', 'true'],
    d: ['0', '19.99', '-3', '"19.99"', '"1e3"', '"abc"', '""', 'true'],
    b: ['true', 'false', '"true"', '1'],
    ts: ['"2026-11-20T10:00:00Z"', '"2026-11-20T10:00Z"', '"2026-11-20t10:00:00z"', '"2026-11-20T10:00:00.123456+01:00"', '"2026-11-20T10:00:00+0100"',
        '"2026-11-20"', '"2026-11-20T10:00:00"', '"2026-02-30T10:00:00Z"', '"2026-11-20T24:00:00Z"', '"2026-11-20T10:00:00+25:00"', '"0099-01-01T00:00:00Z"', '5'],
    day: ['"2026-11-20"', '"2024-02-29"', '"2026-02-29"', '"2026-13-01"', '"2026-11-20T00:00:00Z"', '20261120'],
    l: ['[]', '[1, 2]', '[1.5]', '["1"]', '1', '{ name: "n"  qty: 1 }'],
    r: ['{ name: "n"  qty: 1 }', '{ name: "n" }', '{ name: 1  qty: 1 }', '[{ name: "n"  qty: 1 }]', '"r"'],
};

function dataWith(field: string, value: string): string {
    return Object.entries({ ...valid, [field]: value }).map(([k, v]) => `${k}: ${v}`).join('  ');
}

describe('check and import agree on every value of a test', () => {
    const cases = Object.entries(candidates).flatMap(([field, values]) => values.map(value => [field, value] as const));

    it.each(cases)('%s: %s', async (field, value) => {
        const source = `${schema}\ntest "t" { at "2026-11-20T10:00:00Z" sample x { ${dataWith(field, value)} } }\n`;
        const project = await loadSources({ 'a.followup': source }, { services });
        unloadProject(project);
        const checkSaysOk = project.errorCount === 0;
        const model = project.documents[0]!.parseResult.value;
        const event = model.declarations.find(isEvent) as Event;
        const test = model.declarations.find(isTest)!;
        const data = testEventData(testEvents(test)[0]!);
        const problems = validateEventData({ name: 'sample', fields: fieldViews(event) }, data);
        expect({ check: checkSaysOk, import: problems.length === 0 }, JSON.stringify({ diagnostics: project.diagnostics.map(d => d.message), problems }))
            .toEqual({ check: checkSaysOk, import: checkSaysOk });
    });
});
