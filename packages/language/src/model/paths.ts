// What a written path (`items[0].name`, `profile.country`) denotes: its type and its JSON steps.
import { unknownType, type FuType } from '@followup/template';
import { isEvent, isField, isProfile, type Field, type Path, type PathSegment } from '../generated/ast.js';
import { typeOfTypeRef } from './schema.js';

export type PathStep = string | number;

export interface PathProblem {
    segmentIndex: number;
    kind: 'index-not-list' | 'list-not-indexed';
    fieldName: string;
}

export function segmentField(segment: PathSegment | undefined): Field | undefined {
    const target = segment?.field?.ref;
    return isField(target) ? target : undefined;
}

/** Whose data a path reads: `profile.x` the profile's, anything else the event's. */
export function pathRoot(path: Path): 'event' | 'profile' {
    return isProfile(path.segments[0]?.field?.ref) ? 'profile' : 'event';
}

/** The segments that name fields: without a leading `event.` or `profile.`. */
export function fieldSegments(path: Path): PathSegment[] {
    const first = path.segments[0]?.field?.ref;
    return isEvent(first) || isProfile(first) ? path.segments.slice(1) : [...path.segments];
}

/** The type of the value a path reads, and why it is ill-formed if it is. Unresolved fields give `unknown`. */
export function pathType(path: Path): { type: FuType; problems: PathProblem[] } {
    const problems: PathProblem[] = [];
    let type: FuType = unknownType;
    const segments = fieldSegments(path);
    const offset = path.segments.length - segments.length;
    segments.forEach((segment, j) => {
        const i = j + offset;
        const field = segmentField(segment);
        if (!field) { type = unknownType; return; }
        type = typeOfTypeRef(field.type);
        if (segment.index !== undefined) {
            if (type.kind === 'list') type = type.element;
            else if (type.kind !== 'unknown') problems.push({ segmentIndex: i, kind: 'index-not-list', fieldName: field.name });
        } else if (type.kind === 'list' && j < segments.length - 1) {
            problems.push({ segmentIndex: i, kind: 'list-not-indexed', fieldName: field.name });
            type = type.element;
        }
    });
    return { type, problems };
}

/** The JSON steps into the event (or profile) payload: `items[0].name` is ["items", 0, "name"]. */
export function pathSteps(path: Path): PathStep[] {
    const steps: PathStep[] = [];
    for (const segment of fieldSegments(path)) {
        steps.push(segmentField(segment)?.name ?? segment.field?.$refText ?? '');
        if (segment.index !== undefined) steps.push(segment.index);
    }
    return steps;
}

/** The path as the user would write it, without the optional `event.` root. */
export function pathText(path: Path): string {
    return path.segments.map(s => `${s.field?.$refText ?? ''}${s.index !== undefined ? `[${s.index}]` : ''}`).join('.');
}
