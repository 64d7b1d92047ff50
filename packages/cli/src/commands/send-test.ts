// `followup send-test`: one follow-up rendered for a sample event and sent to a given address through
// the project's transport, marked as a test; the store is never opened for it (--event may read it).
import { randomUUID } from 'node:crypto';
import { createChannelTransports, type ChannelName, type OutgoingMessage } from '@followup/runtime';
import { styleFor } from '../output/terminal.js';
import { previewInput, sampleOptionFlags, sampleOptionsHelp } from '../preview/preview-input.js';
import { projectConfig } from '../runtime-context.js';
import { ExitCode, UsageError, type Command } from './command.js';
import { summaryOf } from './registry.js';

export const TEST_SUBJECT_PREFIX = '[TEST] ';
export const TEST_HEADER = 'X-Followup-Test';

export const sendTestCommand: Command = {
    name: 'send-test',
    summary: summaryOf('send-test'),
    usage: 'followup send-test <project> --to <address> [--rule <name>] [--event <id> | --sample <file.json>] [--json]',
    help: `Checks the project (errors: printed, exit 1), renders the rule's message for a sample event
(as followup preview does) and sends it to --to through the transport followup.config.json gives the
rule's channel (SMTP credentials from FOLLOWUP_SMTP_USER / FOLLOWUP_SMTP_PASSWORD, as for run).
The message is marked as a test: its subject (or push title) starts with "${TEST_SUBJECT_PREFIX.trim()}" and an email
carries the header ${TEST_HEADER}: true. It is recorded nowhere: no delivery, no decision, no
outbox row; it counts toward no limit and no rule's "sent".

  --to <address>        the recipient (an email address, a phone number or a push token, by channel)
${sampleOptionsHelp}
  --json                print {"rule","channel","to","subject","delivery","status"}

Exit codes: 0 sent, 1 the project has errors or the transport refused the message, 2 usage or
environment errors (no --to, unknown rule, unsupported transport).`,
    options: { ...sampleOptionFlags, to: { type: 'string' }, json: { type: 'boolean' } },
    async run(args, io) {
        const json = Boolean(args.values['json']);
        const to = (args.values['to'] as string | undefined)?.trim();
        if (!to) throw new UsageError('send-test needs --to <address>');
        const input = await previewInput(args, io, json);
        if (typeof input === 'number') return input;
        const { preview, ruleName, project } = input;
        const channel = preview.channel as ChannelName;
        if (channel === 'email' && !/^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/.test(to)) throw new UsageError(`--to takes one email address for an email message, not '${to}'`);
        const transports = createChannelTransports(projectConfig(project.root), { projectRoot: project.root, env: io.env });
        const delivery = `test:${ruleName}:${randomUUID()}`;
        const message: OutgoingMessage = {
            deliveryId: delivery,
            channel,
            to,
            rule: ruleName,
            eventId: preview.sample.ref,
            ...(preview.subject !== undefined ? { subject: TEST_SUBJECT_PREFIX + preview.subject } : {}),
            ...(preview.title !== undefined ? { title: TEST_SUBJECT_PREFIX + preview.title } : {}),
            ...(preview.html !== undefined ? { html: preview.html } : {}),
            ...(preview.text !== undefined ? { text: preview.text } : {}),
            ...(channel === 'email' ? { headers: { [TEST_HEADER]: 'true' } } : {}),
        };
        const transport = transports.transports[channel];
        let result: Awaited<ReturnType<typeof transport.send>>;
        try {
            result = await transport.send(message);
            // Made durable before it is reported as sent (the outbox folder defers its fsyncs to flush).
            if (result.status === 'sent' && transport.flush) {
                try {
                    await transport.flush();
                } catch (error) {
                    result = { status: 'retry', error: (error as Error).message };
                }
            }
        } finally {
            await transports.close();
        }
        const subject = message.subject ?? message.title;
        if (json) {
            io.out.write(JSON.stringify({ rule: ruleName, channel, to, subject, delivery, status: result.status, ...(result.status !== 'sent' ? { error: result.error } : {}) }) + '\n');
        }
        if (!json && preview.sample.warning) io.err.write(`${styleFor(io.err).yellow('warning')}: ${preview.sample.warning}\n`);
        if (result.status !== 'sent') {
            if (!json) io.err.write(`followup send-test: ${transport.description} did not take the test message: ${result.error}\n`);
            return ExitCode.inputErrors;
        }
        if (!json) io.out.write(`Sent a test of ${ruleName} (${channel}) to ${to} through ${transport.description}${subject !== undefined ? `: ${subject}` : ''}\n`);
        return ExitCode.ok;
    },
};
