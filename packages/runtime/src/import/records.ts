/**
 * One line of a history file → a checked record, or the problems of that line. Everything that can
 * be told from the line alone is checked here; references between records (a delivery's event, a
 * tracking record's delivery) are checked by the importer once the whole file is read.
 */
import {
    dottedPath, e164, idProblem, instantProblem, looksLikeEmail, normaliseAddress as normaliseChannelAddress, normalisePhonesAt, parseInstant,
    phonePaths, phoneProblem, storableJsonProblems, type PhonePath,
    trimBlanks,
} from '@followup/values';
import {
    childPath, closestName, describeValue, eventDataValidator, isHttpUrl, isPlainObject, type DataValidator, type EventSchema, type SchemaProblem,
} from './validate-event.js';

export const channels = ['email', 'sms', 'push'] as const;
export type Channel = (typeof channels)[number];

export const trackingKinds = ['delivered', 'open', 'click', 'bounce', 'complaint'] as const;
export type TrackingKind = (typeof trackingKinds)[number];

export const recordKinds = ['event', 'delivery', ...trackingKinds, 'unsubscribe', 'profile'] as const;
export type RecordKind = (typeof recordKinds)[number];

/** Instants are normalised to `toISOString()` (UTC, milliseconds), the form idempotency keys use. */
export type ImportRecord =
    | { kind: 'event'; id: string; type: string; at: string; data: Record<string, unknown> }
    | { kind: 'delivery'; id: string; event: string; message: string; channel: Channel; to: string; at: string; status: 'sent' | 'failed' }
    | {
          kind: TrackingKind;
          delivery: string;
          at: string;
          /** The tracking row's idempotency key: the record's `id`, else derived from its content. */
          sourceKey: string;
          url?: string;
          link?: string;
          hard?: boolean;
          machine?: boolean;
      }
    | { kind: 'unsubscribe'; channel: Channel; to: string; at: string; id?: string }
    | { kind: 'profile'; key: string; data: Record<string, unknown>; at: string };

/** What a history file is checked against, when a project is given. */
export interface ImportSchemas {
    /** Every event the project declares: an event record's `type` must be one, its `data` must match. */
    events: readonly EventSchema[];
    /** The project's profile declaration: profile records' `data` must match it. */
    profile?: EventSchema;
    /** Where phone numbers without a country code are read (followup.config.json `phoneRegion`). */
    phoneRegion?: string;
}

export type ParsedLine =
    | { ok: true; record: ImportRecord }
    /** `rejected`: the id of an event or delivery line that has problems, so that references to it can say so. */
    | { ok: false; problems: SchemaProblem[]; rejected?: { kind: 'event' | 'delivery'; id: string } };

type KeyCheck = (value: unknown) => string | undefined;

interface KeySpec {
    readonly required: Readonly<Record<string, KeyCheck>>;
    readonly optional: Readonly<Record<string, KeyCheck>>;
}

const nonEmptyString: KeyCheck = v => (typeof v === 'string' && trimBlanks(v) !== '' ? undefined : `expected a non-empty string, got ${describeValue(v)}`);
/** Ids and references to them (an event's, a delivery's, a profile's key): the id rule of @followup/values. */
const id: KeyCheck = idProblem;
const instant: KeyCheck = instantProblem;
const channel: KeyCheck = v =>
    typeof v === 'string' && (channels as readonly string[]).includes(v) ? undefined : `expected a channel, one of ${channels.join(', ')}; got ${describeValue(v)}`;
const boolean: KeyCheck = v => (typeof v === 'boolean' ? undefined : `expected true or false, got ${describeValue(v)}`);
const object: KeyCheck = v => (isPlainObject(v) ? undefined : `expected a JSON object, got ${describeValue(v)}`);
const httpUrl: KeyCheck = v => (typeof v === 'string' && isHttpUrl(v) ? undefined : `expected an absolute http(s) URL, got ${describeValue(v)}`);
const deliveryStatus: KeyCheck = v => (v === 'sent' || v === 'failed' ? undefined : `expected "sent" or "failed", got ${describeValue(v)}`);
const anyString: KeyCheck = v => (typeof v === 'string' ? undefined : `expected a string, got ${describeValue(v)}`);

const tracking = (required: Record<string, KeyCheck> = {}, optional: Record<string, KeyCheck> = {}): KeySpec => ({
    required: { delivery: id, at: instant, ...required },
    optional: { id: nonEmptyString, ...optional },
});

const specs: Record<RecordKind, KeySpec> = {
    event: { required: { id, type: nonEmptyString, at: instant, data: object }, optional: {} },
    delivery: {
        required: { id, event: id, message: nonEmptyString, channel, to: nonEmptyString, at: instant },
        optional: { status: deliveryStatus },
    },
    delivered: tracking(),
    open: tracking({}, { machine: boolean }),
    click: tracking({ url: httpUrl }, { link: anyString }),
    bounce: tracking({}, { hard: boolean }),
    complaint: tracking(),
    unsubscribe: { required: { channel, to: nonEmptyString, at: instant }, optional: { id: nonEmptyString } },
    profile: { required: { key: id, data: object, at: instant }, optional: {} },
};

/** Parses and checks history lines, with the project's schemas compiled once. */
export class RecordParser {
    private readonly events: Map<string, DataValidator> | undefined;
    private readonly profile: DataValidator | undefined;
    private readonly profileKey: string | undefined;
    /** Where each event's (and the profile's) phone numbers are: rewritten to E.164 once valid. */
    private readonly phones: Map<string, PhonePath[]>;

    constructor(private readonly schemas?: ImportSchemas) {
        this.events = schemas ? new Map(schemas.events.map(s => [s.name, eventDataValidator(s)])) : undefined;
        this.profile = schemas?.profile ? eventDataValidator(schemas.profile) : undefined;
        this.profileKey = schemas?.profile?.key;
        this.phones = new Map([
            ...(schemas?.events ?? []).map((s): [string, PhonePath[]] => [`event:${s.name}`, phonePaths(s.fields)]),
            ...(schemas?.profile ? [['profile', phonePaths(schemas.profile.fields)] as [string, PhonePath[]]] : []),
        ]);
    }

    /** The data's phone numbers in E.164, in place, once the data is otherwise valid (docs/language.md §2). */
    private phoneProblems(owner: string, data: unknown): SchemaProblem[] {
        const paths = this.phones.get(owner) ?? [];
        if (paths.length === 0) return [];
        return normalisePhonesAt(data, paths, this.schemas?.phoneRegion).map(p => ({ path: dottedPath('data', p.path), message: p.message }));
    }

    /** One line (without its line break; not blank). */
    parse(line: string): ParsedLine {
        let value: unknown;
        try {
            value = JSON.parse(line);
        } catch (error) {
            return fail('', `not valid JSON: ${(error as Error).message}`);
        }
        if (!isPlainObject(value)) return fail('', `expected a JSON object with a "kind", got ${describeValue(value)}`);
        const kind = value['kind'];
        if (kind === undefined) return fail('kind', `missing: each line needs a "kind", one of ${recordKinds.join(', ')}`);
        if (typeof kind !== 'string' || !(recordKinds as readonly string[]).includes(kind)) {
            const near = typeof kind === 'string' ? closestName(kind, recordKinds) : undefined;
            return fail('kind', `unknown kind ${describeValue(kind)}${near ? ` (did you mean "${near}"?)` : ''}; expected one of ${recordKinds.join(', ')}`);
        }
        const problems = checkKeys(kind as RecordKind, value);
        if (problems.length === 0) problems.push(...this.checkContent(kind as RecordKind, value));
        // What the store cannot keep exactly, anywhere in the record (NUL, lone surrogates, 1e400),
        // where the checks above did not already say why.
        const said = new Set(problems.map(p => p.path));
        for (const p of storableJsonProblems(value)) {
            const path = dottedPath('', p.path);
            if (![...said].some(s => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`))) problems.push({ path, message: p.message });
        }
        if (problems.length > 0) {
            const id = value['id'];
            // Remembered so that references to it say why it is missing: only an id the store can keep.
            const rejected = (kind === 'event' || kind === 'delivery') && idProblem(id) === undefined ? { kind, id: id as string } as const : undefined;
            return { ok: false, problems, ...(rejected ? { rejected } : {}) };
        }
        return { ok: true, record: toRecord(kind as RecordKind, value) };
    }

    /** Checks that need more than the key's own value: schemas, recipients. */
    private checkContent(kind: RecordKind, v: Record<string, unknown>): SchemaProblem[] {
        switch (kind) {
            case 'event': {
                if (!this.events) return [];
                const type = v['type'] as string;
                const validate = this.events.get(type);
                if (!validate) {
                    const near = closestName(type, this.events.keys());
                    const known = [...this.events.keys()].sort().join(', ') || 'none';
                    return [{ path: 'type', message: `unknown event type "${type}"${near ? ` (did you mean "${near}"?)` : ''}; the project declares: ${known}` }];
                }
                const problems = validate(v['data'], 'data');
                return problems.length > 0 ? problems : this.phoneProblems(`event:${type}`, v['data']);
            }
            case 'profile': {
                if (!this.schemas) return [];
                if (!this.profile) return [{ path: 'kind', message: 'a profile record, but the project declares no profile' }];
                const problems = this.profile(v['data'], 'data');
                const key = this.profileKey;
                const data = v['data'] as Record<string, unknown>;
                if (key !== undefined && Object.hasOwn(data, key) && data[key] !== v['key'] && typeof data[key] === 'string') {
                    problems.push({ path: childPath('data', key), message: `${describeValue(data[key])} differs from the record's key ${describeValue(v['key'])}` });
                }
                return problems.length > 0 ? problems : this.phoneProblems('profile', data);
            }
            case 'delivery':
            case 'unsubscribe':
                if (v['channel'] === 'email' && !looksLikeEmail(v['to'] as string)) {
                    return [{ path: 'to', message: `expected an email address on the email channel, got ${describeValue(v['to'])}` }];
                }
                if (v['channel'] === 'sms') {
                    // Kept in E.164, as the events' phone numbers are; without a project, as well as it can be read.
                    const number = e164(v['to'] as string, this.schemas?.phoneRegion);
                    if (number !== undefined) v['to'] = number;
                    else if (this.schemas) return [{ path: 'to', message: `${phoneProblem(v['to'], this.schemas.phoneRegion)} on the sms channel` }];
                }
                return [];
            default:
                return [];
        }
    }
}

function fail(path: string, message: string): ParsedLine {
    return { ok: false, problems: [{ path, message }] };
}

function checkKeys(kind: RecordKind, value: Record<string, unknown>): SchemaProblem[] {
    const spec = specs[kind];
    const problems: SchemaProblem[] = [];
    for (const [key, check] of Object.entries(spec.required)) {
        if (!Object.hasOwn(value, key) || value[key] === undefined) {
            problems.push({ path: key, message: `missing (required in a ${kind} record)` });
            continue;
        }
        const message = check(value[key]);
        if (message) problems.push({ path: key, message });
    }
    for (const [key, check] of Object.entries(spec.optional)) {
        if (!Object.hasOwn(value, key) || value[key] === undefined || value[key] === null) continue;
        const message = check(value[key]);
        if (message) problems.push({ path: key, message });
    }
    for (const key of Object.keys(value)) {
        if (key === 'kind' || Object.hasOwn(spec.required, key) || Object.hasOwn(spec.optional, key)) continue;
        const allowed = ['kind', ...Object.keys(spec.required), ...Object.keys(spec.optional)];
        const near = closestName(key, allowed);
        problems.push({
            path: childPath('', key),
            message: `unknown key${near ? ` (did you mean "${near}"?)` : ''}: ${kind} records have ${allowed.join(', ')}`,
        });
    }
    return problems;
}

const iso = (v: unknown) => parseInstant(v as string)!.toISOString();
const str = (v: unknown) => v as string;

function toRecord(kind: RecordKind, v: Record<string, unknown>): ImportRecord {
    switch (kind) {
        case 'event':
            return { kind, id: str(v['id']), type: str(v['type']), at: iso(v['at']), data: v['data'] as Record<string, unknown> };
        case 'delivery':
            return {
                kind, id: str(v['id']), event: str(v['event']), message: str(v['message']), channel: v['channel'] as Channel,
                to: trimBlanks(str(v['to'])), at: iso(v['at']), status: v['status'] === 'failed' ? 'failed' : 'sent',
            };
        case 'unsubscribe':
            return { kind, channel: v['channel'] as Channel, to: str(v['to']), at: iso(v['at']), ...(v['id'] != null ? { id: str(v['id']) } : {}) };
        case 'profile':
            return { kind, key: str(v['key']), data: v['data'] as Record<string, unknown>, at: iso(v['at']) };
        default: {
            const at = iso(v['at']);
            const delivery = str(v['delivery']);
            const url = v['url'] as string | undefined;
            const derived = kind === 'click' ? `click:${delivery}:${at}:${url}` : `${kind}:${delivery}:${at}`;
            return {
                kind, delivery, at, sourceKey: v['id'] != null ? str(v['id']) : derived,
                ...(url !== undefined ? { url } : {}),
                ...(typeof v['link'] === 'string' ? { link: v['link'] } : {}),
                ...(kind === 'bounce' ? { hard: v['hard'] === true } : {}),
                ...(kind === 'open' ? { machine: v['machine'] === true } : {}),
            };
        }
    }
}

/** The address as suppressions keep it: `normaliseAddress` of @followup/values. */
export function normaliseAddress(channel: Channel, address: string): string {
    return normaliseChannelAddress(channel, address);
}
