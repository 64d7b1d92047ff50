// Channels and the recipient of a rule's follow-up (docs/language.md §2, §5).
import type { PrimitiveTypeName } from '@followup/template';
import { isField, type Event, type Field, type Profile, type Rule } from '../generated/ast.js';
import { pathRoot, pathSteps, pathType, type PathStep } from './paths.js';
import { declaredFields, keyField, ruleEvent } from './schema.js';

export type ChannelName = 'email' | 'sms' | 'push';

/** The address type a channel delivers to. */
export const channelAddressType: Record<ChannelName, PrimitiveTypeName> = { email: 'email', sms: 'phone', push: 'pushToken' };

export type RecipientResolution =
    | { ok: true; source: 'event' | 'profile'; path: PathStep[]; explicit: boolean }
    | { ok: false; reason: 'none' | 'ambiguous' | 'wrong-type' | 'unresolved'; candidates: Field[]; owner?: Event | Profile; addressType: PrimitiveTypeName };

function fieldsOfType(owner: Event | Profile | undefined, type: PrimitiveTypeName): Field[] {
    return declaredFields(owner).filter(f => isField(f) && f.type?.$type === 'PrimitiveType' && f.type.name === type);
}

/** Who a rule's follow-up goes to: the `to` path, else the one address field of the channel's type. */
export function resolveRecipient(rule: Rule, profile: Profile | undefined): RecipientResolution {
    const channel = rule.action?.channel as ChannelName;
    const addressType = channelAddressType[channel] ?? 'email';
    const event = ruleEvent(rule);
    if (!event) return { ok: false, reason: 'unresolved', candidates: [], addressType };
    const to = rule.action.recipient;
    if (to) {
        const { type } = pathType(to);
        if (type.kind === 'unknown') return { ok: false, reason: 'unresolved', candidates: [], addressType };
        if (type.kind !== 'primitive' || type.name !== addressType) {
            return { ok: false, reason: 'wrong-type', candidates: [], addressType };
        }
        return { ok: true, source: pathRoot(to), path: pathSteps(to), explicit: true };
    }
    const owner: Event | Profile | undefined = event.targetsProfile ? profile : event;
    const candidates = fieldsOfType(owner, addressType);
    if (candidates.length === 1) {
        return { ok: true, source: event.targetsProfile ? 'profile' : 'event', path: [candidates[0]!.name], explicit: false };
    }
    return { ok: false, reason: candidates.length ? 'ambiguous' : 'none', candidates, owner, addressType };
}

/** How `<other> since sent` relates the other event to the rule's: pairs of fields that must be equal. */
export interface SinceMatch {
    kind: 'key' | 'address' | 'same';
    on: { field: string; otherField: string; type: PrimitiveTypeName | undefined }[];
}

function effectiveKey(event: Event, profile: Profile | undefined): Field | undefined {
    return keyField(event) ?? (event.targetsProfile ? keyField(profile) : undefined);
}

/**
 * How another event is related to the rule's event for `<other> since sent`: on the key when both
 * declare the same key field, else on the one address field of the rule's channel type in each.
 */
export function resolveSinceMatch(event: Event, other: Event, channel: ChannelName, profile: Profile | undefined): SinceMatch | undefined {
    const key = effectiveKey(event, profile);
    const otherKey = effectiveKey(other, profile);
    if (key && otherKey && key.name === otherKey.name) return { kind: 'key', on: [{ field: key.name, otherField: otherKey.name, type: primitiveName(key) }] };
    const type = channelAddressType[channel] ?? 'email';
    const mine = fieldsOfType(event, type);
    const theirs = fieldsOfType(other, type);
    if (mine.length === 1 && theirs.length === 1) return { kind: 'address', on: [{ field: mine[0]!.name, otherField: theirs[0]!.name, type }] };
    return undefined;
}

/**
 * `<other> with same f, g since sent`: the other event's `f` (and `g`) equal the rule event's. Undefined
 * while a field is missing from the other event (the checker reports it).
 */
export function resolveSameMatch(same: readonly Field[], other: Event): SinceMatch | undefined {
    const on: SinceMatch['on'] = [];
    for (const field of same) {
        const theirs = declaredFields(other).find(f => f.name === field.name);
        if (!theirs) return undefined;
        on.push({ field: field.name, otherField: theirs.name, type: primitiveName(field) });
    }
    return on.length > 0 ? { kind: 'same', on } : undefined;
}

function primitiveName(field: Field): PrimitiveTypeName | undefined {
    return field.type?.$type === 'PrimitiveType' ? (field.type.name as PrimitiveTypeName) : undefined;
}
