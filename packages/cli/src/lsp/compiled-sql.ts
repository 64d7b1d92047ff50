// `followup/compiledSql`: a rule's selection query as `followup compile` writes it to <rule>.sql
// (formatted with sql-formatter, with its header comment), compiled from the editor's buffers.
import { CompileError, compileProject } from '@followup/compiler';
import { derivedRuleName, templateFileDiagnostics } from '@followup/language';
import { AstUtils } from 'langium';
import { ErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { errorSummary, findRule, readWorkspace, workspaceProject, type EditorServices } from './workspace-project.js';

export interface CompiledSqlParams { uri: string; rule: string }
export interface CompiledSqlResult { rule: string; sql: string }

export async function compiledSql(services: EditorServices, params: CompiledSqlParams, _token?: CancellationToken): Promise<CompiledSqlResult> {
    if (typeof params?.uri !== 'string' || typeof params.rule !== 'string') {
        throw new ResponseError(ErrorCodes.InvalidParams, 'followup/compiledSql takes { uri: string; rule: string }');
    }
    return readWorkspace(services, async () => {
        const rule = findRule(services, params.uri, params.rule);
        const name = rule.name ?? derivedRuleName(rule);
        const project = await workspaceProject(services, params.uri, templateFileDiagnostics(services.shared));
        if (project.errorCount > 0) {
            throw new ResponseError(ErrorCodes.InvalidRequest, `Cannot compile rule '${name}': the project has ${errorSummary(project)}`);
        }
        try {
            // Only the rule's own file is compiled (a rule's SQL depends on nothing else): the same text, without compiling every rule.
            const own = project.documents.filter(d => d === AstUtils.getDocument(rule));
            const compiled = compileProject({ ...project, documents: own }).find(r => r.name === name);
            if (!compiled) throw new ResponseError(ErrorCodes.InvalidParams, `No rule '${name}' in the project`);
            return { rule: name, sql: compiled.sql };
        } catch (err) {
            if (err instanceof CompileError) throw new ResponseError(ErrorCodes.InvalidRequest, err.message);
            throw err;
        }
    });
}
