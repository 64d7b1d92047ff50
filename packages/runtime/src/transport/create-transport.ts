// A channel transport from its target: `outbox:<dir>`, `smtp://`/`smtps://`, or an `https://` webhook.
import { FollowupError } from '@followup/values';
import { resolve } from 'node:path';
import type { ProjectConfig } from '../config/project-config.js';
import { createOutboxFolderTransport } from './outbox-folder.js';
import { createSmtpTransport } from './smtp.js';
import { createWebhookTransport } from './webhook.js';
import type { ChannelName, Transport } from './transport.js';

export interface CreateTransportOptions {
    /** The From of emails. */
    from: string;
    /** Relative outbox folders are relative to the project. */
    projectRoot: string;
    /** Where credentials come from (FOLLOWUP_SMTP_USER, ...). */
    env: NodeJS.ProcessEnv;
}

export class TransportConfigError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

export function createTransport(target: string, options: CreateTransportOptions): Transport {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
    switch (scheme) {
        case 'outbox':
            return createOutboxFolderTransport(resolve(options.projectRoot, target.slice('outbox:'.length) || '.followup/outbox'), {
                from: options.from,
            });
        case 'smtp':
        case 'smtps':
            return createSmtpTransport(target, { from: options.from, env: options.env });
        case 'https':
        case 'http': // only loopback is accepted; anything else asks for https
            return createWebhookTransport(target, { env: options.env });
        default:
            throw new TransportConfigError(
                `the transport '${scheme ? `${scheme}:` : target}' is not supported: use outbox:<dir>, smtp://, smtps:// or https:// (in followup.config.json, transports)`,
            );
    }
}

export interface ChannelTransports {
    transports: Record<ChannelName, Transport>;
    close(): Promise<void>;
}

/** One transport per distinct target of the project's config (channels sharing a target share it). */
export function createChannelTransports(config: Pick<ProjectConfig, 'transports' | 'from'>, options: Omit<CreateTransportOptions, 'from'>): ChannelTransports {
    const byTarget = new Map<string, Transport>();
    const make = (target: string) => {
        let transport = byTarget.get(target);
        if (!transport) byTarget.set(target, (transport = createTransport(target, { ...options, from: config.from })));
        return transport;
    };
    const transports = { email: make(config.transports.email), sms: make(config.transports.sms), push: make(config.transports.push) };
    return {
        transports,
        async close() {
            await Promise.all([...byTarget.values()].map((t) => t.close()));
        },
    };
}
