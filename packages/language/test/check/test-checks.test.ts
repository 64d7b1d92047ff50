// Scenario tests (`test "..." { ... }`): their diagnostics, each with its code, message and the exact
// characters it underlines (⟦ ⟧ in the source).
import { describe, expect, it } from 'vitest';
import { expectOne as expectOneIn } from '../support/expect-one.js';
import { diagnosticsOf } from '../support/project.js';

const rules = `
when cartAbandonment sent 3 days ago and not opened then send followup email
followup chase { when cartAbandonment_followup_email sent 4 days ago and not opened then send lastChance email }
`;

const ana = `cartAbandonment ana {
    customerId: "c1"  email: "ana@example.com"  firstName: "Ana"  cartTotal: 44.99  currency: "EUR"
    items: [{ sku: "s1"  name: "Lamp"  price: 44.99  quantity: 1 }]
    cartUrl: "https://shop.example/c1"  loyaltyMember: false  abandonedAt: "2026-11-20T09:00:00Z"
  }`;

/** A test around the given steps (after ana's event), with the rules above. */
function testWith(steps: string, first = `at "2026-11-20T10:00:00Z" ${ana}`): string {
    return `${rules}\ntest "t" {\n  ${first}\n${steps}\n}\n`;
}

async function expectOne(source: string, code: string, message: RegExp | string, hint?: RegExp | string) {
    const diagnostics = await expectOneIn(source, code, message, { hint });
    expect(diagnostics.filter(x => x.severity === 'error')).toHaveLength(1);
}

describe('a scenario test that is right', () => {
    it('has no diagnostics: events, like, deliveries, engagement, runs and every kind of expectation', async () => {
        const source = testWith(`  cartAbandonment bob like ana { customerId: "c2"  email: "bob@example.com" }
  +5 minutes ana sent followup email
  bob sent followup email to "Bob@Example.com"
  +1 day ana opened
  bob opened by a machine
  bob clicked link "checkout"
  +1 hour bob clicked url "https://shop.example/c2"
  bob delivered
  bob bounced
  +2 days run
  expect cartAbandonment_followup_email not sent for ana because opened
  expect cartAbandonment_followup_email sent followup email for bob to "bob@example.com" subject contains "Bob" text contains "Hi"
  +4 days bob opened followup email
  bob unsubscribed
  bob complained
  purchase p1 { customerId: "c2"  email: "bob@example.com"  total: 3 }
  run followup chase
  expect chase not sent for bob because purchase since sent
  expect chase not sent for bob because no purchase since sent
  expect chase not sent for bob because suppressed
  expect chase not sent for bob because not opened
  expect chase not sent for bob because already sent
  expect chase not sent for bob because "anything"
  expect nothing sent`);
        const diagnostics = await diagnosticsOf(source);
        expect(diagnostics).toEqual([]);
    });
});

describe('the words tests add stay soft', () => {
    it('fields may be called test, run, expect, like, because, nothing, machine, hard, held, capped', async () => {
        const diagnostics = await diagnosticsOf(`
event softy { email: email  test: string  run: int  expect: boolean  like: string  because: string  nothing: string  machine: string  hard: boolean  held: int  capped: int }
message m for softy email { subject: "{{ test }}" text: "{{ run }} {{ like }} {{ because }}" }
when softy sent 1 day ago and run > 2 and test = "x" and hard = true and held < 3 then send m email
test "soft" {
  at "2026-11-20T10:00:00Z" softy s { email: "a@b.co"  test: "x"  run: 3  expect: true  like: "l"  because: "b"  nothing: "n"  machine: "m"  hard: true  held: 1  capped: 0 }
  s sent m email
  +1 day run
  expect softy_m_email sent for s
}`);
        expect(diagnostics).toEqual([]);
    });
});

describe('data against the event schema (FU181, FU101)', () => {
    it('a value of the wrong type', async () => {
        await expectOne(testWith('', `at "2026-11-20T10:00:00Z" ${ana.replace('cartTotal: 44.99', 'cartTotal: ⟦"lots"⟧')}`), 'FU181',
            'expected a decimal (a number, or a numeric string such as "19.99"), got "lots"');
    });
    it('an email that is not one', async () => {
        await expectOne(testWith('', `at "2026-11-20T10:00:00Z" ${ana.replace('"ana@example.com"', '⟦"ana-at-example"⟧')}`), 'FU181',
            'expected an email address, got "ana-at-example"');
    });
    it('an int in a list of records', async () => {
        await expectOne(testWith('', `at "2026-11-20T10:00:00Z" ${ana.replace('quantity: 1', 'quantity: ⟦1.5⟧')}`), 'FU181', 'expected an integer, got 1.5');
    });
    it('a timestamp without its zone', async () => {
        await expectOne(testWith('', `at "2026-11-20T10:00:00Z" ${ana.replace('"2026-11-20T09:00:00Z"', '⟦"2026-11-20 09:00"⟧')}`), 'FU181',
            /^expected an ISO-8601 instant with a time zone/);
    });
    it('a record where a list is declared', async () => {
        await expectOne(testWith('', `at "2026-11-20T10:00:00Z" ${ana.replace('[{ sku: "s1"  name: "Lamp"  price: 44.99  quantity: 1 }]', '⟦{ sku: "s1" }⟧')}`), 'FU181',
            'expected a list<CartItem> ([ ... ]), got an object');
    });
    it('missing required fields are named, optional ones are not', async () => {
        await expectOne(testWith('  purchase ⟦p1⟧ { customerId: "c1" }'), 'FU181',
            'Missing required fields of event \'purchase\': email (email), total (decimal)');
    });
    it('`like` gives the fields it does not replace', async () => {
        expect(await diagnosticsOf(testWith('  cartAbandonment bob like ana { customerId: "c2" }'))).toEqual([]);
    });
    it('an unknown field, with "did you mean"', async () => {
        await expectOne(testWith('  cartAbandonment bob like ana { ⟦emial⟧: "bob@example.com" }'), 'FU101',
            "Unknown field 'emial' on event 'cartAbandonment'", "Did you mean 'email'?");
    });
    it('an unknown field of a nested record', async () => {
        await expectOne(testWith('  cartAbandonment bob like ana { items: [{ sku: "s"  name: "n"  price: 1  quantity: 1  ⟦qty⟧: 1 }] }'), 'FU101',
            "Unknown field 'qty' on type 'CartItem'");
    });
    it('a field given twice', async () => {
        await expectOne(testWith('  cartAbandonment bob like ana { customerId: "c2"  ⟦customerId⟧: "c3" }'), 'FU110', "'customerId' is given twice");
    });
});

describe('names in a test', () => {
    it('an event the test does not declare (FU180)', async () => {
        await expectOne(testWith('  ⟦anna⟧ opened'), 'FU180', "No event 'anna' in this test", "Did you mean 'ana'?");
    });
    it('an event used before it is declared (FU180)', async () => {
        await expectOne(testWith('  ⟦bob⟧ sent followup email\n  cartAbandonment bob like ana { customerId: "c2" }'), 'FU180',
            "'bob' is declared later in this test");
    });
    it('two events of a test with one name (FU110)', async () => {
        await expectOne(testWith('  cartAbandonment ⟦ana⟧ like ana { customerId: "c2" }'), 'FU110', "Duplicate event 'ana' in this test");
    });
    it('two tests with one name (FU110), each pointing at the other', async () => {
        const diagnostics = await diagnosticsOf(`${testWith('')}\ntest "t" { at "2026-11-20T10:00:00Z" run }`);
        expect(diagnostics.map(d => [d.code, d.line, d.column, d.message, d.related?.[0]?.line])).toEqual([
            ['FU110', 5, 6, 'Duplicate test "t"', 14],
            ['FU110', 14, 6, 'Duplicate test "t"', 5],
        ]);
    });
    it('an unknown event type (FU100)', async () => {
        await expectOne(testWith('  ⟦purchse⟧ p1 { customerId: "c1" }'), 'FU100', "Unknown event 'purchse'", "Did you mean 'purchase'?");
    });
    it('an unknown rule (FU105)', async () => {
        await expectOne(testWith('  +3 days run\n  expect ⟦chace⟧ not sent for ana'), 'FU105', "Unknown rule 'chace'", "Did you mean 'chase'?");
    });
    it('a message the event does not have on that channel (FU103)', async () => {
        await expectOne(testWith('  ana sent ⟦transactionl⟧ email'), 'FU103', "Unknown message 'transactionl'");
    });
});

describe('the timeline (FU182)', () => {
    it('the first step needs an instant', async () => {
        await expectOne(testWith('', `⟦${ana}⟧`), 'FU182', 'The first step of a test needs an instant: at "2026-11-20T10:00:00Z"');
    });
    it('an instant that is not one', async () => {
        await expectOne(testWith('  at ⟦"tomorrow"⟧ run'), 'FU182', /^'tomorrow' is not an instant/);
    });
    it('time going backwards', async () => {
        await expectOne(testWith('  at ⟦"2026-11-19T10:00:00Z"⟧ run'), 'FU182', /^Time goes backwards/);
    });
    it('an expectation with an instant of its own', async () => {
        await expectOne(testWith('  +3 days run\n  +⟦1 day⟧ expect nothing sent'), 'FU182', 'An expectation is about the last run: it has no instant of its own');
    });
});

describe('steps and expectations', () => {
    it('an expectation before any run (FU183)', async () => {
        await expectOne(testWith('  ⟦expect⟧ nothing sent'), 'FU183', 'An expectation is about the last run, and there is no run before it');
    });
    it('an expectation naming another message than the rule sends (FU183)', async () => {
        await expectOne(testWith('  +3 days run\n  expect chase sent ⟦followup⟧ email for ana'), 'FU183',
            "Rule 'chase' sends lastChance email, not followup email");
    });
    it('an expectation about an event of another type (FU183)', async () => {
        await expectOne(testWith('  purchase p1 { customerId: "c1"  email: "a@example.com"  total: 1 }\n  +3 days run\n  expect chase not sent for ⟦p1⟧'), 'FU183',
            "Rule 'chase' follows up cartAbandonment events; 'p1' is a purchase");
    });
    it('an option that does not fit the engagement (FU184)', async () => {
        await expectOne(testWith('  ana sent followup email\n  ana opened link ⟦"x"⟧'), 'FU184', "'link' applies to clicked only, not to 'opened'");
    });
    it('engagement with no delivery before it (FU184)', async () => {
        await expectOne(testWith('  ana ⟦opened⟧'), 'FU184', 'ana has no delivery before this step: what was opened?');
    });
    it('a profile in a project without one (FU185)', async () => {
        await expectOne(testWith('  ⟦profile⟧ { }'), 'FU185', 'The project declares no profile');
    });
});
