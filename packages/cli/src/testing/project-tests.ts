// Running a checked project's scenario tests: what `followup test` and the editor's "Run test" share.
// The project is compiled (rules → plans, tests → scenario IR) and the scenarios run on the embedded
// store `openScenarioStore` keeps in memory (one per process, emptied before each test).
import { loadConfig } from '@followup/runtime';
import { compilePlans, lowerTests, type ScenarioIR } from '@followup/compiler';
import type { FollowupDiagnostic, LoadedProject } from '@followup/language';
import { openScenarioStore, runScenario, type ScenarioFailure, type ScenarioResult, type Store } from '@followup/runtime';
import { projectSchemas } from '../project-schemas.js';

let shared: Promise<Store> | undefined;

/** The process's test store: opened on first use, kept for the next runs (watch mode, the editor). */
export function testStore(): Promise<Store> {
    shared ??= openScenarioStore().then(s => s.store).catch(error => {
        shared = undefined;
        throw error;
    });
    return shared;
}

/** Closes the process's test store, if it was opened. */
export async function closeTestStore(): Promise<void> {
    const store = shared;
    shared = undefined;
    if (store) await (await store.catch(() => undefined))?.close();
}

export interface ProjectTestsOptions {
    /** Only the tests with these names (all when absent). */
    names?: readonly string[];
    /** Only the tests declared in this file. */
    file?: string;
    store?: Store;
    onResult?(result: ScenarioResult): void;
    /** Called with the number of tests to run before the test store is opened (when there are any). */
    beforeStore?(scenarios: number): void;
}

/** Runs the tests of a project without errors; results in declaration order. */
export async function runProjectTests(project: LoadedProject, options: ProjectTestsOptions = {}): Promise<ScenarioResult[]> {
    const plans = compilePlans(project);
    const scenarios = selectScenarios(lowerTests(project), options);
    if (scenarios.length === 0) return [];
    options.beforeStore?.(scenarios.length);
    const store = options.store ?? await testStore();
    const schemas = projectSchemas(project, loadConfig(project.root).phoneRegion);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
        const result = await runScenario(store, plans, scenario, { schemas });
        options.onResult?.(result);
        results.push(result);
    }
    return results;
}

function selectScenarios(all: ScenarioIR[], options: ProjectTestsOptions): ScenarioIR[] {
    return all.filter(s => (!options.names || options.names.includes(s.name)) && (!options.file || s.source.file === options.file));
}

/** A failure as a diagnostic at its step, in the `check` format. */
export function failureDiagnostic(failure: ScenarioFailure, test: string): FollowupDiagnostic & { expected?: string; got?: string; test: string } {
    return {
        ...failure.source,
        severity: 'error',
        code: failure.code,
        message: failure.message,
        test,
        ...(failure.expected !== undefined ? { expected: failure.expected } : {}),
        ...(failure.got !== undefined ? { got: failure.got } : {}),
    };
}
