// fastify's ajv, set up for event validation: every problem reported (allErrors; bodies are size-
// limited), the value carried in each error (verbose, for messages), nothing coerced, defaulted or
// silently removed (fastify's defaults would turn "12" into 12 and drop undeclared fields), and the
// standard formats the event schemas use given the meaning of the value rules (@followup/values) that
// `followup import` and the SQL guards share: `email` looks like local@domain.tld, `uri` is an absolute
// http(s) URL, `date-time` an ISO-8601 instant with a zone in the years 0001-9999, `date` a real
// calendar day.
import { isHttpUrl, isIsoDate, looksLikeEmail, parseInstant } from '@followup/values';

interface AjvLike {
    addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown;
}

export function addFollowupFormats(ajv: AjvLike): void {
    ajv.addFormat('email', { type: 'string', validate: looksLikeEmail });
    ajv.addFormat('uri', { type: 'string', validate: isHttpUrl });
    ajv.addFormat('date-time', { type: 'string', validate: (v) => parseInstant(v) !== undefined });
    ajv.addFormat('date', { type: 'string', validate: isIsoDate });
}

/** The `ajv` option of the fastify instance (onCreate runs after fastify adds ajv-formats, so ours win). */
export const ajvOptions = {
    customOptions: {
        allErrors: true,
        verbose: true,
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        strict: false,
    },
    onCreate: (ajv: AjvLike) => addFollowupFormats(ajv),
} as const;
