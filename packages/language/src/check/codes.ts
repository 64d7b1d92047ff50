// Stable diagnostic codes. Tests, docs (docs/diagnostics.md) and editor quick fixes key on them:
// never renumber, only add.
export const DiagnosticCode = {
    SyntaxError: 'FU001',
    LexError: 'FU002',

    UnknownEvent: 'FU100',
    UnknownField: 'FU101',
    UnknownType: 'FU102',
    UnknownMessage: 'FU103',
    UnknownFilter: 'FU104',
    UnknownRuleOrEvent: 'FU105',

    DuplicateName: 'FU110',
    DuplicateKey: 'FU111',
    DuplicateProfile: 'FU112',
    DuplicateOption: 'FU113',
    DuplicatePart: 'FU114',

    MissingMessage: 'FU120',
    NoRecipient: 'FU121',
    AmbiguousRecipient: 'FU122',
    RecipientWrongType: 'FU123',
    MissingMessagePart: 'FU124',
    PartNotForChannel: 'FU125',
    TemplateFileNotFound: 'FU126',
    ChannelInRuleOption: 'FU127',
    PreviousNameInUse: 'FU128',

    IncompatibleComparison: 'FU130',
    OperatorDoesNotFit: 'FU131',
    FilterWrongType: 'FU132',
    FilterArguments: 'FU133',
    PrintsCollection: 'FU134',
    NotAList: 'FU135',

    ZeroDuration: 'FU140',
    BadTimeOfDay: 'FU141',
    UnknownTimeZone: 'FU142',
    NotWholeNumber: 'FU143',
    EmptyQuietHours: 'FU144',

    SinceWithoutMatch: 'FU150',
    ProfileWithoutKey: 'FU151',
    TriggerCycle: 'FU152',
    NotTargetingProfile: 'FU153',
    SameFieldMissing: 'FU154',

    Contradiction: 'FU160',
    NeverHolds: 'FU161',

    TemplateSyntax: 'FU170',

    // Scenario tests (`test "..." { ... }`, docs/testing.md).
    UnknownTestEvent: 'FU180',
    TestDataMismatch: 'FU181',
    TestTimeline: 'FU182',
    TestExpectation: 'FU183',
    TestStepOption: 'FU184',
    TestProfile: 'FU185',
    /** Given by `followup test`, not `check`: an expectation the run did not meet. */
    ExpectationFailed: 'FU190',
    /** Given by `followup test`: a step that could not be carried out (no such delivery yet, ...). */
    TestStepFailed: 'FU191',
    // Measuring (docs/measuring.md): goals and holdouts.
    GoalValueNotNumeric: 'FU200',
    HoldoutShare: 'FU201',
    GoalScope: 'FU202',
    HoldoutWithoutGoal: 'FU203',
} as const;

export type DiagnosticCodeValue = typeof DiagnosticCode[keyof typeof DiagnosticCode];
