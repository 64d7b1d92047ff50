// manifest.json of a `followup compile --out` folder: what the runtime needs to trust the folder
// before it executes it (`followup run|serve|explain --plans <dir>`, docs/architecture.md "The plan
// folder"). Each file is listed with its SHA-256, so a changed byte anywhere is refused; the manifest's
// own digest covers the list; with FOLLOWUP_PLAN_KEY set when compiling, an HMAC of that digest proves
// who compiled it (a digest alone only proves the folder is whole, not where it came from).
import { createHash, createHmac } from 'node:crypto';
import { planFormat } from './render-plan.js';

/** The compiler's version, written into every manifest (kept equal to package.json's by a test). */
export const compilerVersion = '0.1.0';

export interface ManifestRule {
    name: string;
    event: string;
    channel: string;
    message: string;
    sql: string;
    plan: string;
    sourceHash: string;
}

export interface Manifest {
    format: typeof planFormat;
    compiler: { name: '@followup/compiler'; version: string };
    dialect: string;
    /** SHA-256 of the project's sources (each .followup and template file, by relative path). */
    sourceHash: string;
    rules: ManifestRule[];
    /** The event and profile plans `serve --plans` ingests with. */
    ingestion: string;
    /** Every file above, by name: `sha256:<hex>` of its bytes. */
    files: Record<string, string>;
    /** `sha256:<hex>` of this manifest's JSON without `digest` and `signature`. */
    digest: string;
    /** `hmac-sha256:<hex>` of `digest` under FOLLOWUP_PLAN_KEY, when it was set. */
    signature?: string;
}

export function sha256(bytes: string | Uint8Array): string {
    return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** The digest of a manifest: over its JSON, in its own key order, without `digest` and `signature`. */
export function manifestDigest(manifest: Omit<Manifest, 'digest' | 'signature'> & { digest?: string; signature?: string }): string {
    const { digest: _digest, signature: _signature, ...body } = manifest;
    return sha256(JSON.stringify(body));
}

export function manifestSignature(digest: string, key: string): string {
    return 'hmac-sha256:' + createHmac('sha256', key).update(digest).digest('hex');
}

/** A hash of the sources, independent of where the project lies: relative paths and contents, in path order. */
export function sourcesHash(sources: ReadonlyArray<{ path: string; text: string }>): string {
    const hash = createHash('sha256');
    for (const s of [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
        hash.update(s.path).update('\0').update(s.text).update('\0');
    }
    return 'sha256:' + hash.digest('hex');
}
