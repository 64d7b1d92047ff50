// "not sent because ...": whether `followup explain`'s verdict is the reason a test expects.
import type { NotSentReasonIR } from '@followup/compiler';
import type { Verdict } from '../explain/explain.js';

/** A verdict, or a stand-in when explain could not give one (the event is not stored as of the run). */
export type ScenarioVerdict = Pick<Verdict, 'kind' | 'reason' | 'wouldSend'> | { kind: 'no-event'; reason: string; wouldSend: false };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function reasonMatches(expected: NotSentReasonIR, verdict: ScenarioVerdict): boolean {
    const { kind, reason } = verdict;
    const decided = (outcome: string) => kind === 'decided' && reason.endsWith(`: ${outcome}`);
    switch (expected.kind) {
        case 'text':
            return reason.includes(expected.text);
        case 'engagement':
            // A failed `not opened` reads "opened at ..." ("opened by a person at ..."); a failed `opened`, "not opened".
            if (kind !== 'condition') return false;
            return expected.negated ? reason.startsWith(`not ${expected.what}`) : new RegExp(`^${expected.what}\\b`).test(reason);
        case 'since':
            if (kind !== 'condition') return false;
            return expected.no
                ? reason.startsWith(`no ${expected.event} since sent`)
                : new RegExp(`^${escape(expected.event)}( \\S+)? since sent$`).test(reason);
        case 'verdict':
            switch (expected.verdict) {
                case 'suppressed': return kind === 'suppressed' || decided('suppressed');
                case 'expired': return kind === 'expired' || decided('expired');
                case 'stopped': return decided('stopped');
                case 'capped': return kind === 'capped' || (kind === 'decided' && reason.startsWith('capped:'));
                case 'held': return kind === 'held' && !verdict.wouldSend;
                case 'already-sent': return kind === 'decided' && reason.startsWith('already sent');
                case 'not-due': return kind === 'not-due';
            }
    }
}

/** The expected reason in words, for messages: `opened`, `purchase since sent`, `"..."`. */
export function describeReason(expected: NotSentReasonIR): string {
    switch (expected.kind) {
        case 'text': return JSON.stringify(expected.text);
        case 'engagement': return `${expected.negated ? 'not ' : ''}${expected.what}`;
        case 'since': return `${expected.no ? 'no ' : ''}${expected.event} since sent`;
        case 'verdict': return expected.verdict.replace('-', ' ');
    }
}
