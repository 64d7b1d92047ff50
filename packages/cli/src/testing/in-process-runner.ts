// The editor's "Run test" in `followup lsp`: scenarios run in the server's process, on the test store
// it keeps open (opened by the first run), with the real executor.
import { URI } from 'langium';
import { runScenario } from '@followup/runtime';
import { rangeOf, type TestOutcome, type TestRunner } from '../lsp/run-tests.js';
import { testStore } from './project-tests.js';

export const inProcessTestRunner: TestRunner = async (plans, scenarios, schemas, token) => {
    const store = await testStore();
    const out: TestOutcome[] = [];
    for (const scenario of scenarios) {
        if (token?.isCancellationRequested) break;
        const result = await runScenario(store, plans, scenario, { schemas });
        out.push({
            name: result.name,
            uri: URI.file(result.source.file).toString(),
            range: rangeOf(result.source),
            passed: result.passed,
            durationMs: Math.round(result.durationMs),
            failures: result.failures.map(f => ({
                uri: URI.file(f.source.file).toString(), range: rangeOf(f.source), code: f.code, message: f.message,
                ...(f.expected !== undefined ? { expected: f.expected } : {}), ...(f.got !== undefined ? { got: f.got } : {}),
            })),
        });
    }
    return out;
};
