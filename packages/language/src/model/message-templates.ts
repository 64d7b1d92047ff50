// The templates of a message's parts, where their text comes from, and what they may read.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { AstUtils, GrammarUtils } from 'langium';
import { decodeStringLiteral, type TemplateContext } from '@followup/template';
import type { Message, MessagePart, Profile } from '../generated/ast.js';
import { fieldViews } from './schema.js';

export type TemplateMode = 'html' | 'text';

export type PartSource =
    | { kind: 'inline'; text: string; /** source offset in the .followup document of template offset i */ sourceOffset: (i: number) => number }
    | { kind: 'file'; path: string; text: string | undefined };

export interface PartTemplate {
    part: MessagePart;
    mode: TemplateMode;
    source: PartSource;
    context: TemplateContext;
}

/** HTML bodies are escaped; subjects, text bodies, sms and push are plain text. */
export function partMode(part: MessagePart): TemplateMode {
    return part.part === 'html' ? 'html' : 'text';
}

export function templateContext(message: Message, profile: Profile | undefined, mode: TemplateMode): TemplateContext {
    const event = message.event?.ref;
    return {
        fields: fieldViews(event),
        profileFields: event?.targetsProfile && profile ? fieldViews(profile) : undefined,
        mode,
        ...(event?.name ? { eventName: event.name } : {}),
    };
}

export function templateFilePath(part: MessagePart): string | undefined {
    if (part.file === undefined) return undefined;
    const document = AstUtils.getDocument(part);
    return nodePath.resolve(nodePath.dirname(document.uri.fsPath), part.file);
}

export function readTemplateFile(path: string): string | undefined {
    try {
        return fs.readFileSync(path, 'utf8');
    } catch {
        return undefined;
    }
}

export function partTemplate(part: MessagePart, profile: Profile | undefined): PartTemplate | undefined {
    const message = part.$container;
    const mode = partMode(part);
    const context = templateContext(message, profile, mode);
    const file = templateFilePath(part);
    if (file !== undefined) return { part, mode, context, source: { kind: 'file', path: file, text: readTemplateFile(file) } };
    const token = part.body && GrammarUtils.findNodeForProperty(part.body.$cstNode, 'value');
    if (!token) return undefined;
    const decoded = decodeStringLiteral(token.text);
    const last = decoded.offsets.length - 1;
    return {
        part, mode, context,
        source: {
            kind: 'inline',
            text: decoded.value,
            sourceOffset: i => token.offset + (decoded.offsets[Math.min(Math.max(i, 0), last)] ?? 0),
        },
    };
}
