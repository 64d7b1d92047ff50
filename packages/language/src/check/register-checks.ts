import type { ValidationChecks } from 'langium';
import type { FollowupAstType } from '../generated/ast.js';
import type { FollowupServices } from '../services/followup-module.js';
import { ConditionChecks } from './condition-checks.js';
import { DeclarationChecks } from './declaration-checks.js';
import { GoalChecks } from './goal-checks.js';
import { RuleChecks } from './rule-checks.js';
import { TemplateChecks } from './template-checks.js';
import { TestChecks } from './test-checks.js';

/** The type checker: every diagnostic of docs/diagnostics.md beyond what linking reports. */
export function registerChecks(services: FollowupServices): void {
    const declarations = new DeclarationChecks(services);
    const rules = new RuleChecks(services);
    const conditions = new ConditionChecks();
    const templates = new TemplateChecks(services.references.ScopeProvider);
    const goals = new GoalChecks(services);
    const tests = new TestChecks(services);
    const checks: ValidationChecks<FollowupAstType> = {
        Model: declarations.checkModel,
        Event: declarations.checkMembers,
        Profile: declarations.checkMembers,
        RecordType: declarations.checkMembers,
        Message: declarations.checkMessage,
        MessagePart: templates.checkPart,
        Rule: [rules.checkRule, conditions.checkRuleConditions],
        Duration: rules.checkDuration,
        Limit: rules.checkLimit,
        Policy: rules.checkPolicy,
        Engagement: rules.checkEngagement,
        Schedule: rules.checkSchedule,
        QuietHours: rules.checkQuietHours,
        SinceCondition: rules.checkSince,
        Comparison: conditions.checkComparison,
        Path: conditions.checkPath,
        Goal: goals.checkGoal,
        Holdout: goals.checkHoldout,
        Test: tests.checkTest,
        TestEvent: tests.checkTestEvent,
        TestProfile: tests.checkTestProfile,
        TestDelivery: tests.checkDelivery,
        TestEngagement: tests.checkEngagement,
        ExpectSent: tests.checkExpectation,
        ExpectNotSent: tests.checkExpectation,
    };
    services.validation.ValidationRegistry.register(checks);
}
