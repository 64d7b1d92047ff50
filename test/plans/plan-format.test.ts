// The runtime executes the plan format the compiler writes, and the manifest names the compiler's real
// version: two constants on either side of the plan boundary (the runtime may not import the compiler).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilerVersion, planFormat } from '@followup/compiler';
import { supportedPlanFormat } from '@followup/runtime';

const repo = path.resolve(import.meta.dirname, '../..');

describe('the plan boundary', () => {
    it('the runtime executes the format the compiler writes', () => {
        expect(supportedPlanFormat).toBe(planFormat);
    });

    it('manifests carry the compiler package\'s version', () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'packages/compiler/package.json'), 'utf8')) as { version: string };
        expect(compilerVersion).toBe(pkg.version);
    });
});
