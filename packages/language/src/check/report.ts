import type { AstNode, DiagnosticInfo, ValidationAcceptor } from 'langium';
import type { DiagnosticCodeValue } from './codes.js';

type Where<N extends AstNode> = Omit<DiagnosticInfo<N, string>, 'code' | 'data'>;

/** Every checker diagnostic carries a stable code and, where there is one, a hint for the fix. */
export function report<N extends AstNode>(
    accept: ValidationAcceptor, severity: 'error' | 'warning', code: DiagnosticCodeValue, message: string,
    where: Where<N>, hint?: string, extra?: Record<string, unknown>
): void {
    accept(severity, message, { ...where, code, data: { code, hint, ...extra } } as unknown as DiagnosticInfo<N>);
}
