// The event a preview renders, and the other events it could render instead.
//
// Without a choice: the first `samples/*.json` from the message's folder up to the project root (the
// event's data, or `{ "<event>": {...} }`), else the first event of that type in a history.jsonl,
// else one made up from the schema. A choice is a sample's `ref`: `samples/x.json` (a path from the
// project root), `history.jsonl#<event id>`, or `schema`. A file given by the user
// (`followup preview --sample f.json`) may also be an import record (`{"kind":"event","data":...}`).
//
// Every sample is checked against the event's declaration (the importer's validator): a sample that
// does not match (a field renamed since history.jsonl was written) renders empty values, so the
// preview says which fields are missing or unknown instead of rendering silently wrong.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { FollowupError } from '@followup/values';
import { fieldViews, type Event, type Profile } from '@followup/language';
import type { FieldView, FuType } from '@followup/template';
import { validateEventData } from '@followup/runtime/validate';

export interface SampleEvent {
    /** Where it came from, for people: `history.jsonl (event cart-001)`, `samples/cart.json`, `synthesised ...`. */
    source: string;
    /** How to ask for it again: `samples/cart.json`, `history.jsonl#cart-001`, `schema`, or a file path. */
    ref: string;
    data: Record<string, unknown>;
    profile: Record<string, unknown> | null;
}

/** How a sample fits the event's declaration. */
export interface SampleFit {
    /** Declared, not optional, absent (or null) in the sample: they render empty. */
    missing: string[];
    /** In the sample, not declared: a renamed or misspelt field. */
    unknown: string[];
    /** Every problem, as `path: message` (wrong types included). */
    problems: string[];
}

export interface SampleChoice {
    ref: string;
    label: string;
    description: string;
}

export interface SampleOptions {
    /** The folder of the message's file: samples are looked for from there up to `root`. */
    from: string;
    root: string;
    event: Event;
    eventNames: Set<string>;
    profile: Profile | undefined;
}

type Json = Record<string, unknown>;

export const SCHEMA_SAMPLE = 'schema';

/** The most history events a sample picker lists. */
const MAX_LISTED_HISTORY = 50;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SampleError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

/** The folders from the document's own up to the project root: the nearest sample wins. */
function foldersUpTo(start: string, root: string): string[] {
    const out: string[] = [];
    for (let dir = start; ; dir = nodePath.dirname(dir)) {
        out.push(dir);
        if (dir === root || nodePath.dirname(dir) === dir || !dir.startsWith(root)) break;
    }
    return out;
}

function readJson(file: string): unknown {
    try {
        return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
        return undefined;
    }
}

const relative = (root: string, file: string) => nodePath.relative(root, file).split(nodePath.sep).join('/') || nodePath.basename(file);

/** A sample file's data for `event`: `{ "<event>": {...} }`, an import record, or the bare data when it names the event's fields and no other event. */
function dataIn(json: unknown, event: Event, eventNames: Set<string>): { data: Json; profile: Json | null } | undefined {
    if (!isObject(json)) return undefined;
    const wrapped = json[event.name];
    if (isObject(wrapped)) return { data: wrapped, profile: isObject(json['profile']) ? json['profile'] : null };
    if (json['kind'] === 'event' && isObject(json['data'])) {
        return json['type'] === undefined || json['type'] === event.name ? { data: json['data'], profile: null } : undefined;
    }
    const fields = new Set(fieldViews(event).map(f => f.name));
    const keys = Object.keys(json);
    if (keys.some(k => fields.has(k)) && !keys.some(k => eventNames.has(k) && !fields.has(k))) return { data: json, profile: null };
    return undefined;
}

function samplesFolderFiles(dir: string): string[] {
    const folder = nodePath.join(dir, 'samples');
    try {
        return fs.readdirSync(folder).filter(n => n.endsWith('.json')).sort().map(n => nodePath.join(folder, n));
    } catch {
        return [];
    }
}

function fromSampleFile(file: string, root: string, options: SampleOptions): SampleEvent | undefined {
    const found = dataIn(readJson(file), options.event, options.eventNames);
    if (!found) return undefined;
    const ref = relative(root, file);
    return { source: ref, ref, data: found.data, profile: found.profile };
}

interface HistoryEvent { id: string; data: Json }

/** The events of `type` in a history.jsonl, in file order (at most `limit`). */
function historyEvents(file: string, type: string, limit: number, id?: string): HistoryEvent[] {
    let text: string;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch {
        return [];
    }
    const out: HistoryEvent[] = [];
    for (const line of text.split('\n')) {
        if (!line.includes(type) || (id !== undefined && !line.includes(id))) continue;
        let json: unknown;
        try {
            json = JSON.parse(line);
        } catch {
            continue;
        }
        if (isObject(json) && json['kind'] === 'event' && json['type'] === type && isObject(json['data'])
            && (id === undefined || json['id'] === id)) {
            out.push({ id: String(json['id'] ?? '?'), data: json['data'] });
            if (out.length >= limit) break;
        }
    }
    return out;
}

function historySample(file: string, root: string, event: HistoryEvent): SampleEvent {
    const name = relative(root, file);
    return { source: `${name} (event ${event.id})`, ref: `${name}#${event.id}`, data: event.data, profile: null };
}

const exampleStrings: Record<string, string> = {
    firstName: 'Ada', lastName: 'Lovelace', name: 'Ada Lovelace', currency: 'EUR', country: 'FR', language: 'en', locale: 'en',
};

function exampleValue(name: string, type: FuType, depth: number): unknown {
    switch (type.kind) {
        case 'primitive':
            switch (type.name) {
                case 'int': return 2;
                case 'decimal': return 129.9;
                case 'boolean': return true;
                case 'timestamp': return '2026-01-15T09:30:00Z';
                case 'date': return '2026-01-15';
                case 'email': return 'ada@example.com';
                case 'phone': return '+33612345678';
                case 'url': return `https://example.com/${name}`;
                case 'pushToken': return 'example-push-token';
                case 'string': return exampleStrings[name] ?? `${name} example`;
            }
            return null;
        case 'list': return depth > 3 ? [] : [exampleValue(name, type.element, depth + 1), exampleValue(name, type.element, depth + 1)];
        case 'record': return depth > 3 ? {} : exampleRecord(type.fields(), depth + 1);
        case 'unknown': return null;
    }
}

export function exampleRecord(fields: readonly FieldView[], depth = 0): Json {
    return Object.fromEntries(fields.map(f => [f.name, exampleValue(f.name, f.type, depth)]));
}

function synthesised(event: Event): SampleEvent {
    return {
        source: `synthesised from the schema of event '${event.name}'`,
        ref: SCHEMA_SAMPLE,
        data: exampleRecord(fieldViews(event)),
        profile: null,
    };
}

function profileSample(options: SampleOptions): Json | null {
    return options.event.targetsProfile && options.profile ? exampleRecord(fieldViews(options.profile)) : null;
}

/** The sample named by `ref` (see the top of this file), or the default one. */
export function sampleEvent(options: SampleOptions, ref?: string): SampleEvent {
    const { from, root, event } = options;
    const withProfile = (sample: SampleEvent): SampleEvent => ({ ...sample, profile: sample.profile ?? profileSample(options) });
    if (ref !== undefined && ref !== '') return withProfile(chosenSample(options, ref));
    const folders = foldersUpTo(from, root);
    for (const dir of folders) {
        for (const file of samplesFolderFiles(dir)) {
            const sample = fromSampleFile(file, root, options);
            if (sample) return withProfile(sample);
        }
    }
    for (const dir of folders) {
        const file = nodePath.join(dir, 'history.jsonl');
        const [first] = historyEvents(file, event.name, 1);
        if (first) return withProfile(historySample(file, root, first));
    }
    const made = synthesised(event);
    return withProfile({ ...made, source: `${made.source} (no samples/*.json and no '${event.name}' event in history.jsonl)` });
}

function chosenSample(options: SampleOptions, ref: string): SampleEvent {
    const { root, event } = options;
    if (ref === SCHEMA_SAMPLE) return synthesised(event);
    const hash = ref.lastIndexOf('#');
    if (hash > 0 && ref.slice(0, hash).endsWith('.jsonl')) {
        const file = nodePath.resolve(root, ref.slice(0, hash));
        const id = ref.slice(hash + 1);
        const [found] = historyEvents(file, event.name, 1, id);
        if (!found) throw new SampleError(`No '${event.name}' event with id '${id}' in ${relative(root, file)}`);
        return historySample(file, root, found);
    }
    const file = nodePath.resolve(root, ref);
    if (!fs.existsSync(file)) throw new SampleError(`No sample file ${ref}`);
    const json = readJson(file);
    if (json === undefined) throw new SampleError(`${ref} is not a JSON file`);
    const found = dataIn(json, event, options.eventNames);
    if (!found) {
        throw new SampleError(`${ref} holds no '${event.name}' event: give its data, { "${event.name}": {...} } or an import record`);
    }
    return { source: relative(root, file), ref: relative(root, file), data: found.data, profile: found.profile };
}

/** An event of the project's history, by id (the `--event <id>` of `followup preview` without a store). */
export function historySampleById(options: SampleOptions, id: string): SampleEvent | undefined {
    for (const dir of foldersUpTo(options.from, options.root)) {
        const file = nodePath.join(dir, 'history.jsonl');
        const [found] = historyEvents(file, options.event.name, 1, id);
        if (found) return { ...historySample(file, options.root, found), profile: profileSample(options) };
    }
    return undefined;
}

/** Every sample a preview could use, nearest first: sample files, history events, the schema's. */
export function listSamples(options: SampleOptions): SampleChoice[] {
    const choices: SampleChoice[] = [];
    const folders = foldersUpTo(options.from, options.root);
    for (const dir of folders) {
        for (const file of samplesFolderFiles(dir)) {
            const sample = fromSampleFile(file, options.root, options);
            if (sample) choices.push({ ref: sample.ref, label: sample.ref, description: describeFit(checkSample(options.event, sample.data)) });
        }
    }
    for (const dir of folders) {
        const file = nodePath.join(dir, 'history.jsonl');
        for (const event of historyEvents(file, options.event.name, MAX_LISTED_HISTORY)) {
            const sample = historySample(file, options.root, event);
            choices.push({ ref: sample.ref, label: sample.source, description: describeFit(checkSample(options.event, event.data)) });
        }
    }
    choices.push({ ref: SCHEMA_SAMPLE, label: `synthesised from the schema of event '${options.event.name}'`, description: 'matches the schema' });
    return choices;
}

/** How `data` fits the declaration of `event`. */
export function checkSample(event: Event, data: unknown): SampleFit {
    const problems = validateEventData({ name: event.name, fields: fieldViews(event) }, data, 'data');
    const topField = (path: string) => /^data\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path)?.[1];
    return {
        missing: problems.filter(p => p.message.startsWith('missing') || p.message.startsWith('must not be null')).map(p => topField(p.path) ?? p.path.replace(/^data\./, '')),
        unknown: problems.filter(p => p.message.startsWith('unknown field')).map(p => topField(p.path) ?? p.path.replace(/^data\./, '')),
        problems: problems.map(p => `${p.path.replace(/^data\./, '')}: ${p.message}`),
    };
}

export function describeFit(fit: SampleFit): string {
    if (fit.problems.length === 0) return 'matches the schema';
    const parts = [
        ...(fit.missing.length ? [`missing ${fit.missing.join(', ')}`] : []),
        ...(fit.unknown.length ? [`unknown ${fit.unknown.join(', ')}`] : []),
    ];
    const other = fit.problems.length - fit.missing.length - fit.unknown.length;
    if (other > 0) parts.push(`${other} other problem${other === 1 ? '' : 's'}`);
    return parts.join('; ');
}

/** One sentence for the preview: `The sample history.jsonl (event cart-001) does not match event 'x': missing a, b; unknown c.` */
export function sampleWarning(event: Event, sample: SampleEvent, fit: SampleFit): string | undefined {
    if (fit.problems.length === 0) return undefined;
    return `The sample ${sample.source} does not match event '${event.name}': ${describeFit(fit)}. Its values render empty: pick another sample or edit one.`;
}

/** The sample with its missing fields filled from the schema and its unknown fields left out: what "edit sample" starts from. */
export function repairedSample(event: Event, data: Json): Json {
    const example = exampleRecord(fieldViews(event));
    const fields = fieldViews(event);
    return Object.fromEntries(fields.map(f => [f.name, data[f.name] === undefined || data[f.name] === null ? example[f.name] : data[f.name]])
        .filter(([name]) => fields.some(f => f.name === name)));
}
