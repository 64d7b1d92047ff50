// `followup.config.json` in the project: where each channel's messages go, and who sends them.
// Secrets never live here: SMTP credentials come from FOLLOWUP_SMTP_USER / FOLLOWUP_SMTP_PASSWORD,
// webhook tokens from FOLLOWUP_WEBHOOK_TOKEN.
export interface ProjectConfig {
    /** Per channel: `outbox:<dir>` (default `outbox:.followup/outbox`), `smtp://`/`smtps://` (email), `https://...` (sms, push). */
    transports: { email: string; sms: string; push: string };
    /** The From of emails. */
    from: string;
    /** The store, when neither --db nor FOLLOWUP_DB is given: a folder (PGlite) or postgres:// URL. */
    db?: string;
    /** Where phone numbers written without a country code are read (`FR`: `06 22 22 22 22` is +33622222222). */
    phoneRegion?: string;
}

export const defaultConfig: ProjectConfig = {
    transports: { email: 'outbox:.followup/outbox', sms: 'outbox:.followup/outbox', push: 'outbox:.followup/outbox' },
    from: 'followup <followup@localhost>',
};
