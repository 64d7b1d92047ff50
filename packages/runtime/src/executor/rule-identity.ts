// A rule's identity across renames (docs/language.md §6, "A rule's identity"). Decisions, follow-ups,
// runs and the watermark are keyed by the rule's name, so a renamed rule would start over and send
// again to everyone due in its first window. Before rules run:
//  - a rule that says what it was (`followup reminder was cartAbandonment_followup_email`) takes the
//    old name's history over, in one transaction;
//  - a rule that never ran and looks like a rule that is gone from the project but has decisions
//    (same event, trigger, message and channel) is refused, naming both, unless it says `is new`.
import { FollowupError } from '@followup/values';
import type { RenderPlan } from '@followup/compiler';
import type { Store, StoreTx } from '../store/store.js';

/** A new rule looks like a retired one with decisions: the project must say which it is. */
export class RuleIdentityError extends FollowupError {
    constructor(
        readonly rule: string,
        readonly lookalike: string,
        readonly decisions: number,
    ) {
        super(
            `rule '${rule}' looks like '${lookalike}' (same trigger, message and channel), which is no longer in the project ` +
                `but decided ${decisions} follow-up${decisions === 1 ? '' : 's'}: if '${rule}' is '${lookalike}' renamed, write ` +
                `\`followup ${rule} was ${lookalike} { ... }\` (it keeps those decisions and sends nothing again); ` +
                `if it is a new rule that may write to the same people again, write \`followup ${rule} is new { ... }\``,
            'input',
        );
    }
}

export interface Renamed {
    from: string;
    to: string;
    /** Decisions the rule took over. */
    decisions: number;
}

interface StoredRule {
    rule: string;
    event: string;
    trigger: string;
    message: string;
    channel: string;
}

/** Serialises identity changes between processes starting at once ('followup:identity' as an int8). */
const IDENTITY_LOCK_KEY = '7381237527265899889';

/**
 * Takes over the history of renamed rules and refuses unexplained lookalikes. Idempotent: once a rule
 * has run under its new name, it is known and nothing more happens.
 */
export async function reconcileRuleIdentities(store: Store, plans: readonly RenderPlan[], options: { dryRun?: boolean } = {}): Promise<Renamed[]> {
    // Most starts find every rule of the project known: one read, without the transaction and its lock.
    const known = await store.query<{ rule: string }>('SELECT rule FROM rule_identities');
    const knownRules = new Set(known.rows.map((r) => r.rule));
    if (plans.every((plan) => knownRules.has(plan.rule))) return [];
    const run = async (tx: StoreTx): Promise<Renamed[]> => {
        await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [IDENTITY_LOCK_KEY]);
        const { rows } = await tx.query<StoredRule>('SELECT r.rule, r.event, r.trigger, r.message, r.channel FROM rule_identities r ORDER BY r.rule');
        const stored = new Map(rows.map((r) => [r.rule, r]));
        const inProject = new Set(plans.map((p) => p.rule));
        const renamed: Renamed[] = [];
        for (const plan of plans) {
            if (stored.has(plan.rule)) continue;
            const previous = plan.identity.previousNames.filter((old) => stored.has(old) && !inProject.has(old));
            if (previous.length > 0) {
                for (const old of previous) renamed.push({ from: old, to: plan.rule, decisions: await takeOver(tx, old, plan.rule) });
                continue;
            }
            if (plan.identity.isNew) continue;
            // Decisions are counted only for a lookalike: counting every rule's would cost each start
            // what the store holds.
            for (const candidate of rows) {
                if (inProject.has(candidate.rule) || !looksLike(candidate, plan)) continue;
                const decisions = await decisionCount(tx, candidate.rule);
                if (decisions > 0) throw new RuleIdentityError(plan.rule, candidate.rule, decisions);
            }
        }
        return renamed;
    };
    if (!options.dryRun) return store.transaction(run);
    // A dry run changes nothing: the takeover is computed, then rolled back.
    let pending: Renamed[] = [];
    await store.transaction(async (tx) => {
        pending = await run(tx);
        throw new DryRunRollback();
    }).catch((error: unknown) => {
        if (!(error instanceof DryRunRollback)) throw error;
    });
    return pending;
}

class DryRunRollback extends Error {}

function looksLike(stored: StoredRule, plan: RenderPlan): boolean {
    return stored.event === plan.event && stored.trigger === plan.trigger.name && stored.message === plan.message && stored.channel === plan.channel;
}

async function decisionCount(tx: StoreTx, rule: string): Promise<number> {
    const { rows } = await tx.query<{ decisions: number }>('SELECT count(*)::int AS decisions FROM decisions WHERE rule = $1', [rule]);
    return rows[0]?.decisions ?? 0;
}

/** Moves `from`'s decisions, follow-ups, outbox rows, runs and watermark to `to`; returns the decisions moved. */
async function takeOver(tx: StoreTx, from: string, to: string): Promise<number> {
    const moved = await tx.query(
        `UPDATE decisions x SET rule = $2 WHERE x.rule = $1
           AND NOT EXISTS (SELECT 1 FROM decisions y WHERE y.rule = $2 AND y.event_id = x.event_id)`, [from, to]);
    // Left over only when several old names decided for the same event: the first one moved stands.
    await tx.query('DELETE FROM decisions WHERE rule = $1', [from]);
    await tx.query('UPDATE deliveries SET rule = $2 WHERE rule = $1', [from, to]);
    await tx.query('UPDATE outbox SET rule = $2 WHERE rule = $1', [from, to]);
    await tx.query('UPDATE runs SET rule = $2 WHERE rule = $1', [from, to]);
    await tx.query(
        `UPDATE rule_watermarks SET rule = $2 WHERE rule = $1 AND NOT EXISTS (SELECT 1 FROM rule_watermarks WHERE rule = $2)`, [from, to]);
    await tx.query('DELETE FROM rule_watermarks WHERE rule = $1', [from]);
    await tx.query('DELETE FROM scheduled_runs WHERE rule = $1', [from]);
    await tx.query(
        `UPDATE rule_identities SET rule = $2 WHERE rule = $1 AND NOT EXISTS (SELECT 1 FROM rule_identities WHERE rule = $2)`, [from, to]);
    await tx.query('DELETE FROM rule_identities WHERE rule = $1', [from]);
    return moved.rowCount;
}

/**
 * Records what the rule looks like, in its run's transaction (so a rule that ran is known): $1 rule,
 * $2 event, $3 trigger, $4 message, $5 channel, $6 the run's now (ruleIdentityParams).
 */
export const RECORD_RULE_IDENTITY = `INSERT INTO rule_identities (rule, event, trigger, message, channel, last_run) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (rule) DO UPDATE SET event = $2, trigger = $3, message = $4, channel = $5, last_run = $6`;

export function ruleIdentityParams(plan: RenderPlan, now: Date): string[] {
    return [plan.rule, plan.event, plan.trigger.name, plan.message, plan.channel, now.toISOString()];
}
