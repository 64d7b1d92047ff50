// Duplicate names, keys, the profile, and the shape of messages.
import { AstUtils, type AstNode, type ValidationAcceptor } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type { DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import {
    isField, isKeyDecl, isRule, type Event, type Field, type Message, type Model, type Profile, type RecordType, type Rule
} from '../generated/ast.js';
import { derivedRuleName } from '../services/name-provider.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode } from './codes.js';
import { report } from './report.js';

const requiredParts: Record<string, { required: string[]; oneOf?: string[]; allowed: string[] }> = {
    email: { required: ['subject'], oneOf: ['html', 'text'], allowed: ['subject', 'html', 'text'] },
    sms: { required: ['text'], allowed: ['text'] },
    push: { required: ['text'], allowed: ['text', 'title'] },
};

export class DeclarationChecks {
    constructor(private readonly services: LangiumServices) {}

    private get scopes(): FollowupScopeProvider {
        return this.services.references.ScopeProvider as FollowupScopeProvider;
    }

    /** Other declarations of the same kind and name anywhere in the project. */
    private clashes(node: AstNode, type: string, name: string): DiagnosticRelatedInformation[] {
        const self = AstUtils.getDocument(node).uri.toString();
        const selfPath = this.services.workspace.AstNodeLocator.getAstNodePath(node);
        return this.services.shared.workspace.IndexManager.allElements(type)
            .filter(d => d.name === name && !(d.documentUri.toString() === self && d.path === selfPath))
            .map(d => ({
                location: { uri: d.documentUri.toString(), range: d.nameSegment?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
                message: `'${name}' is also declared here`,
            }))
            .toArray();
    }

    /** Where a declaration's name is written, for a diagnostic's related information. */
    private declaredAt(node: AstNode, message: string): DiagnosticRelatedInformation[] {
        const name = this.services.references.NameProvider.getNameNode(node) ?? node.$cstNode;
        return name ? [{ location: { uri: AstUtils.getDocument(node).uri.toString(), range: name.range }, message }] : [];
    }

    checkModel = (model: Model, accept: ValidationAcceptor): void => {
        const nameOf = (r: Rule) => r.name ?? derivedRuleName(r);
        for (const decl of model.declarations) {
            if (decl.$type === 'Event' || decl.$type === 'RecordType') {
                const kind = decl.$type === 'Event' ? 'event' : 'type';
                const others = [...this.clashes(decl, decl.$type, decl.name), ...(decl.$type === 'Event' ? this.clashes(decl, 'Rule', decl.name) : [])];
                if (others.length) {
                    report(accept, 'error', DiagnosticCode.DuplicateName, `Duplicate ${kind} '${decl.name}'`,
                        { node: decl, property: 'name', relatedInformation: others }, `Rename one of the ${others.length + 1} declarations`);
                }
            } else if (isRule(decl)) {
                // Rules and events share one namespace: a trigger (`when x sent ...`) may name either.
                const others = [...this.clashes(decl, 'Rule', nameOf(decl)), ...this.clashes(decl, 'Event', nameOf(decl))];
                if (others.length) {
                    report(accept, 'error', DiagnosticCode.DuplicateName, `Duplicate rule '${nameOf(decl)}'`,
                        decl.name ? { node: decl, property: 'name', relatedInformation: others } : { node: decl, keyword: 'when', relatedInformation: others },
                        decl.name ? 'Rename one of the rules' : 'Give one of them a long form with its own name: followup <name> { when ... }');
                }
            } else if (decl.$type === 'Profile') {
                const others = this.clashes(decl, 'Profile', 'profile');
                if (others.length) {
                    report(accept, 'error', DiagnosticCode.DuplicateProfile, 'A project declares one profile; merge these',
                        { node: decl, keyword: 'profile', relatedInformation: others });
                }
            }
        }
    };

    checkMembers = (owner: Event | Profile | RecordType, accept: ValidationAcceptor): void => {
        const fields: Field[] = owner.$type === 'RecordType' ? owner.fields : owner.members.filter(isField);
        const seen = new Map<string, Field>();
        for (const field of fields) {
            const first = seen.get(field.name);
            if (first) {
                report(accept, 'error', DiagnosticCode.DuplicateName, `Duplicate field '${field.name}'`,
                    { node: field, property: 'name', relatedInformation: this.declaredAt(first, `'${field.name}' is first declared here`) },
                    'Remove or rename one of them');
            } else seen.set(field.name, field);
        }
        if (owner.$type === 'RecordType') return;
        const keys = owner.members.filter(isKeyDecl);
        for (const extra of keys.slice(1)) {
            report(accept, 'error', DiagnosticCode.DuplicateKey, 'Only one key may be declared', { node: extra });
        }
        if (owner.$type === 'Event' && owner.targetsProfile) this.checkProfileKey(owner, accept);
    };

    private checkProfileKey(event: Event, accept: ValidationAcceptor): void {
        const profile = this.scopes.profile();
        if (!profile) {
            report(accept, 'error', DiagnosticCode.ProfileWithoutKey, `Event '${event.name}' targets the profile, but no profile is declared`,
                { node: event, property: 'targetsProfile' }, 'Declare one: profile { key customerId  customerId: string  email: email }');
            return;
        }
        const key = profile.members.find(isKeyDecl)?.field;
        if (!key) {
            report(accept, 'error', DiagnosticCode.ProfileWithoutKey, 'The profile declares no key, so events cannot be joined to it',
                { node: event, property: 'targetsProfile' }, 'Add `key <field>` to the profile');
            return;
        }
        if (!event.members.some(m => isField(m) && m.name === key.$refText)) {
            report(accept, 'error', DiagnosticCode.ProfileWithoutKey,
                `Event '${event.name}' targets the profile but has no field '${key.$refText}', the profile's key`,
                { node: event, property: 'name' }, `Add the field: ${key.$refText}: ${key.ref?.type?.$cstNode?.text ?? 'string'}`);
        }
    }

    checkMessage = (message: Message, accept: ValidationAcceptor): void => {
        const event = message.event?.ref;
        if (event && message.channel) {
            const others = this.scopes.messagesOf(event, message.channel).filter(m => m !== message && m.name === message.name);
            if (others.length) {
                report(accept, 'error', DiagnosticCode.DuplicateName,
                    `Duplicate message '${message.name}' for ${event.name} ${message.channel}`,
                    { node: message, property: 'name', relatedInformation: others.flatMap(o => this.declaredAt(o, `'${message.name}' for ${event.name} ${message.channel} is also declared here`)) });
            }
        }
        const rules = requiredParts[message.channel];
        if (!rules) return;
        const seen = new Set<string>();
        message.parts.forEach((part, index) => {
            if (seen.has(part.part)) {
                report(accept, 'error', DiagnosticCode.DuplicatePart, `'${part.part}' is given twice`, { node: message, property: 'parts', index });
            }
            seen.add(part.part);
            if (!rules.allowed.includes(part.part)) {
                report(accept, 'error', DiagnosticCode.PartNotForChannel,
                    `A ${message.channel} message has no '${part.part}'`, { node: part, property: 'part' },
                    `A ${message.channel} message takes: ${rules.allowed.join(', ')}`);
            }
        });
        const missing = rules.required.filter(p => !seen.has(p));
        if (rules.oneOf && !rules.oneOf.some(p => seen.has(p))) missing.push(rules.oneOf.join(' or '));
        if (missing.length) {
            report(accept, 'error', DiagnosticCode.MissingMessagePart,
                `The ${message.channel} message '${message.name}' needs ${missing.map(m => `'${m}'`).join(' and ')}`,
                { node: message, property: 'name' });
        }
    };
}
