// Questions about scenario tests (`test "..." { ... }`) that the checker, the scopes, the editor and
// the compiler all ask: which test a node is in, its events, what a data object's fields are, the data
// as JSON, and each step's instant.
import { AstUtils, GrammarUtils, type AstNode } from 'langium';
import {
    isBooleanLiteral, isDataEntry, isDataList, isDataObject, isListType, isNumberLiteral, isStringLiteral, isTest, isTestEvent,
    isTestProfile, type DataObject, type DataValue, type Event, type Field, type Profile, type Test, type TestDelivery, type TestEvent,
    type TestStep, type TypeRef,
} from '../generated/ast.js';
import { channelAddressType, type ChannelName } from './channels.js';
import { durationValue } from './durations.js';
import { declaredFields, fieldsOfTypeRef, keyField } from './schema.js';

export function containingTest(node: AstNode | undefined): Test | undefined {
    for (let n = node; n; n = n.$container) if (isTest(n)) return n;
    return undefined;
}

/** The events a test declares (`cartAbandonment ana { ... }`), in step order. */
export function testEvents(test: Test | undefined): TestEvent[] {
    return test ? test.steps.map(s => s.action).filter(isTestEvent) : [];
}

/** The declared type a data value should have: a field's, or a list element's. Undefined at the root. */
export function expectedTypeRef(value: DataValue): TypeRef | undefined {
    const container = value.$container as AstNode;
    if (isDataEntry(container)) return container.field?.ref?.type;
    if (isDataList(container)) {
        const list = expectedTypeRef(container);
        return isListType(list) ? list.element : undefined;
    }
    return undefined;
}

/** The declaration whose fields a data object's entries name: an event, the profile, or a record type. */
export function dataObjectFields(object: DataObject, profile: Profile | undefined): Field[] {
    const container = object.$container as AstNode;
    if (isTestEvent(container)) return declaredFields(container.event?.ref);
    if (isTestProfile(container)) return declaredFields(profile);
    return fieldsOfTypeRef(expectedTypeRef(object));
}

/** A data value as JSON, as written (no merging). */
export function dataJson(value: DataValue | undefined): unknown {
    if (!value) return undefined;
    if (isDataObject(value)) {
        const out: Record<string, unknown> = {};
        for (const entry of value.entries) {
            const name = entry.field?.$refText;
            if (name) out[name.replace(/`/g, '')] = dataJson(entry.value);
        }
        return out;
    }
    if (isDataList(value)) return value.items.map(item => dataJson(item));
    if (isStringLiteral(value)) return value.value;
    if (isNumberLiteral(value)) return value.value;
    if (isBooleanLiteral(value)) return value.value;
    return undefined;
}

/**
 * An event's data as the test means it: the data of the event it is `like` (itself merged the same
 * way), with its own top-level fields replacing those. Cycles (which the checker reports) stop.
 */
export function testEventData(event: TestEvent, seen: Set<TestEvent> = new Set()): Record<string, unknown> {
    if (seen.has(event)) return {};
    seen.add(event);
    const base = event.like?.ref ? testEventData(event.like.ref, seen) : {};
    return { ...base, ...(dataJson(event.data) as Record<string, unknown>) };
}

/** The event type of a test event, resolved. */
export function testEventType(event: TestEvent | undefined): Event | undefined {
    return event?.event?.ref;
}

// ---------------------------------------------------------------- time

// The instants `followup import` accepts (packages/runtime/src/import/validate-event.ts parseInstant).
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** An ISO-8601 instant with its zone (`2026-11-20T10:00:00Z`, `...+01:00`), or undefined. */
export function parseTestInstant(text: string | undefined): Date | undefined {
    const m = INSTANT.exec(text ?? '');
    if (!m) return undefined;
    const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map(i => Number(m[i])) as [number, number, number, number, number];
    const s = m[6] === undefined ? 0 : Number(m[6]);
    const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
    let offset = 0;
    if (m[8] === undefined) {
        const [oh, om] = [Number(m[10]), Number(m[11])];
        if (oh > 23 || om > 59) return undefined;
        offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const at = new Date(0);
    at.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which maps years 0-99 to 1900-1999
    at.setUTCHours(h, mi, s, ms);
    return new Date(at.getTime() - offset * 60_000);
}

function daysInMonth(y: number, m: number): number {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

export interface StepTime {
    step: TestStep;
    /** The step's instant; undefined when it cannot be told (no `at` yet, or a bad one). */
    at: Date | undefined;
}

/**
 * Each step's instant: `at "..."` sets it, `+<duration>` adds to the previous step's, and a step with
 * neither happens at the same instant as the previous one.
 */
export function stepTimes(test: Test): StepTime[] {
    let current: Date | undefined;
    return test.steps.map(step => {
        if (step.at !== undefined) current = parseTestInstant(step.at);
        else if (step.after) {
            const minutes = durationValue(step.after)?.minutes;
            current = current && minutes !== undefined ? new Date(current.getTime() + minutes * 60_000) : undefined;
        }
        return { step, at: current };
    });
}

// ---------------------------------------------------------------- recipients

/** The test's profile data per key, as of a step (the latest `profile { ... }` before it wins). */
export function testProfiles(test: Test, before: TestStep | undefined, profile: Profile | undefined): Map<string, Record<string, unknown>> {
    const key = keyField(profile)?.name;
    const out = new Map<string, Record<string, unknown>>();
    if (!key) return out;
    for (const step of test.steps) {
        if (step === before) break;
        if (!isTestProfile(step.action)) continue;
        const data = dataJson(step.action.data) as Record<string, unknown>;
        if (typeof data[key] === 'string') out.set(data[key] as string, data);
    }
    return out;
}

export type TestRecipient = { ok: true; to: string } | { ok: false; reason: string };

/**
 * Who a test delivery went to: `to "..."`, else the event's one field of the channel's address type
 * (or the profile's, for an event targeting the profile: the test's profile with the event's key).
 */
export function deliveryRecipient(delivery: TestDelivery, profile: Profile | undefined): TestRecipient {
    if (delivery.to !== undefined) return { ok: true, to: delivery.to };
    const event = delivery.subject?.ref;
    const type = event?.event?.ref;
    const channel = delivery.channel as ChannelName;
    if (!event || !type) return { ok: false, reason: 'unknown event' };
    const addressType = channelAddressType[channel];
    const owner = type.targetsProfile ? profile : type;
    const fields = declaredFields(owner).filter(f => f.type?.$type === 'PrimitiveType' && f.type.name === addressType);
    const where = type.targetsProfile ? 'the profile' : `event '${type.name}'`;
    if (fields.length !== 1) {
        return { ok: false, reason: `${where} has ${fields.length === 0 ? 'no' : 'several'} fields of type ${addressType}: the ${channel} delivery needs its recipient` };
    }
    const field = fields[0]!.name;
    let data = testEventData(event);
    if (type.targetsProfile) {
        const key = keyField(profile)?.name;
        const id = key ? data[key] : undefined;
        const found = typeof id === 'string' ? testProfiles(delivery.$container.$container, delivery.$container, profile).get(id) : undefined;
        if (!found) return { ok: false, reason: `no profile with ${key ?? 'the key'} ${JSON.stringify(id)} before this step: ${event.name} targets the profile, which holds its ${channel} recipient` };
        data = found;
    }
    const to = data[field];
    if (typeof to !== 'string' || to.trim() === '') return { ok: false, reason: `${event.name} has no ${field}: the ${channel} delivery needs its recipient` };
    return { ok: true, to };
}

// ---------------------------------------------------------------- positions

/** Where a node (or one of its properties) is written: file and 1-based positions, as diagnostics give them. */
export function sourceRangeOf(node: AstNode, property?: string): { file: string; line: number; column: number; endLine: number; endColumn: number } {
    const file = AstUtils.getDocument(node).uri.fsPath;
    const cst = (property && node.$cstNode ? GrammarUtils.findNodeForProperty(node.$cstNode, property) : undefined) ?? node.$cstNode;
    const range = cst?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { file, line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}
