import { DefaultValueConverter, type CstNode, type GrammarAST, type ValueType } from 'langium';
import { decodeStringLiteral } from '@followup/template';

export class FollowupValueConverter extends DefaultValueConverter {
    protected override runConverter(rule: GrammarAST.AbstractRule, input: string, cstNode: CstNode): ValueType {
        switch (rule.name) {
            case 'STRING':
            case 'TRIPLE_STRING':
                return decodeStringLiteral(input).value;
            case 'ESCAPED_ID':
                return input.slice(1, -1);
            case 'Name':
                // `type` written with backticks is the plain name `type`.
                return input.startsWith('`') ? input.slice(1, -1) : input;
            default:
                return super.runConverter(rule, input, cstNode);
        }
    }
}
