// The event a preview renders: the first `samples/*.json` next to the project (the event's data, or
// `{ "<event>": {...} }`), else the first event of that type in the project's history.jsonl, else
// one made up from the schema. `source` says which.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fieldViews, type Event, type FieldView, type FuType, type Profile } from '@followup/language';

export interface SampleEvent {
    source: string;
    data: Record<string, unknown>;
    profile: Record<string, unknown> | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

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

function fromSamplesFolder(dir: string, root: string, event: Event, eventNames: Set<string>): SampleEvent | undefined {
    const folder = nodePath.join(dir, 'samples');
    let names: string[];
    try {
        names = fs.readdirSync(folder).filter(n => n.endsWith('.json')).sort();
    } catch {
        return undefined;
    }
    const fields = new Set(fieldViews(event).map(f => f.name));
    for (const name of names) {
        const json = readJson(nodePath.join(folder, name));
        if (!isObject(json)) continue;
        const source = nodePath.relative(root, nodePath.join(folder, name)).split(nodePath.sep).join('/');
        const wrapped = json[event.name];
        if (isObject(wrapped)) return { source, data: wrapped, profile: isObject(json['profile']) ? json['profile'] : null };
        // A bare object is this event's data when it names its fields and no other event.
        const keys = Object.keys(json);
        if (keys.some(k => fields.has(k)) && !keys.some(k => eventNames.has(k) && !fields.has(k))) return { source, data: json, profile: null };
    }
    return undefined;
}

function fromHistory(dir: string, root: string, event: Event): SampleEvent | undefined {
    const file = nodePath.join(dir, 'history.jsonl');
    let text: string;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
    for (const line of text.split('\n')) {
        if (!line.includes(event.name)) continue;
        let json: unknown;
        try {
            json = JSON.parse(line);
        } catch {
            continue;
        }
        if (isObject(json) && json['kind'] === 'event' && json['type'] === event.name && isObject(json['data'])) {
            const source = nodePath.relative(root, file).split(nodePath.sep).join('/') || 'history.jsonl';
            return { source: `${source} (event ${String(json['id'] ?? '?')})`, data: json['data'], profile: null };
        }
    }
    return undefined;
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

function exampleRecord(fields: readonly FieldView[], depth = 0): Json {
    return Object.fromEntries(fields.map(f => [f.name, exampleValue(f.name, f.type, depth)]));
}

export function sampleEvent(options: { from: string; root: string; event: Event; eventNames: Set<string>; profile: Profile | undefined }): SampleEvent {
    const { from, root, event } = options;
    const profile = event.targetsProfile && options.profile ? exampleRecord(fieldViews(options.profile)) : null;
    const folders = foldersUpTo(from, root);
    for (const dir of folders) {
        const sample = fromSamplesFolder(dir, root, event, options.eventNames);
        if (sample) return { ...sample, profile: sample.profile ?? profile };
    }
    for (const dir of folders) {
        const sample = fromHistory(dir, root, event);
        if (sample) return { ...sample, profile };
    }
    return {
        source: `synthesised from the schema of event '${event.name}' (no samples/*.json and no '${event.name}' event in history.jsonl)`,
        data: exampleRecord(fieldViews(event)),
        profile,
    };
}
