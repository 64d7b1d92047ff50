// What a written path (`items[0].name`, `profile.country`) denotes: its type and its JSON steps.
import type { Path } from '../generated/ast.js';
import { unknownType, type FuType } from '../types/fu-type.js';
import { typeOfTypeRef } from './schema.js';

export type PathStep = string | number;

export interface PathProblem {
    segmentIndex: number;
    kind: 'index-not-list' | 'list-not-indexed';
    fieldName: string;
}

/** The type of the value a path reads, and why it is ill-formed if it is. Unresolved fields give `unknown`. */
export function pathType(path: Path): { type: FuType; problems: PathProblem[] } {
    const problems: PathProblem[] = [];
    let type: FuType = unknownType;
    path.segments.forEach((segment, i) => {
        const field = segment.field?.ref;
        if (!field) { type = unknownType; return; }
        type = typeOfTypeRef(field.type);
        if (segment.index !== undefined) {
            if (type.kind === 'list') type = type.element;
            else if (type.kind !== 'unknown') problems.push({ segmentIndex: i, kind: 'index-not-list', fieldName: field.name });
        } else if (type.kind === 'list' && i < path.segments.length - 1) {
            problems.push({ segmentIndex: i, kind: 'list-not-indexed', fieldName: field.name });
            type = type.element;
        }
    });
    return { type, problems };
}

/** The JSON steps into the event (or profile) payload: `items[0].name` is ["items", 0, "name"]. */
export function pathSteps(path: Path): PathStep[] {
    const steps: PathStep[] = [];
    for (const segment of path.segments) {
        steps.push(segment.field?.ref?.name ?? segment.field?.$refText ?? '');
        if (segment.index !== undefined) steps.push(segment.index);
    }
    return steps;
}

/** The path as the user would write it, without the optional `event.` root. */
export function pathText(path: Path): string {
    const body = path.segments.map(s => `${s.field?.$refText ?? ''}${s.index !== undefined ? `[${s.index}]` : ''}`).join('.');
    return path.root === 'profile' ? `profile.${body}` : body;
}
