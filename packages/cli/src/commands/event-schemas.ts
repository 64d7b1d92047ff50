// `followup compile` also writes schemas/<event>.json: each event's JSON Schema, byte for byte what
// `followup serve` answers on GET /v1/events/<type>/schema (both come from compileIngestionPlans).
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { compileIngestionPlans } from '@followup/compiler';
import type { LoadedProject } from '@followup/language';

/** Writes the schemas (replacing the folder's old ones); returns the files written, relative to `outDir`. */
export function writeEventSchemas(project: LoadedProject, outDir: string): string[] {
    const folder = nodePath.join(outDir, 'schemas');
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true });
    return compileIngestionPlans(project).events.map(plan => {
        fs.writeFileSync(nodePath.join(folder, `${plan.event}.json`), JSON.stringify(plan.schema, null, 2) + '\n');
        return `schemas/${plan.event}.json`;
    });
}
