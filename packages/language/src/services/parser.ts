import { createLangiumParser, type LangiumCoreServices, type LangiumParser } from 'langium';

/**
 * Langium's parser, with chevrotain's lookahead for error messages cut to two tokens. The parser
 * decides with ALL(*) (unbounded lookahead), so chevrotain's `maxLookahead` (3 by default) is only
 * read when it builds a syntax error's "expecting one of these token sequences": with about a
 * hundred words that can be a name, the sequences of three tokens after a broken test step number
 * millions, and one typo in a `test` block took 6 to 20 seconds to report (the language fuzz found it;
 * with two tokens it takes 0.26 s, with one 0.13 s, but "a name followed by 'with'" is worth keeping).
 * Setting `maxLookahead` in the parser config would switch Langium to LL(k) parsing, so it is set
 * on the built chevrotain parser instead.
 */
export function createFollowupParser(services: LangiumCoreServices): LangiumParser {
    const parser = createLangiumParser(services);
    const wrapper = (parser as unknown as { wrapper?: { maxLookahead?: number } }).wrapper;
    if (wrapper?.maxLookahead === undefined) throw new Error('Langium\'s parser has changed: its chevrotain wrapper has no maxLookahead');
    wrapper.maxLookahead = 2;
    return parser;
}
