import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule,
    type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices,
    type PartialLangiumSharedServices
} from 'langium/lsp';
import { FollowupGeneratedModule, FollowupGeneratedSharedModule } from '../generated/module.js';
import { registerChecks } from '../check/register-checks.js';
import { FollowupDocumentValidator } from './document-validator.js';
import { FollowupHoverProvider } from '../lsp/hover-provider.js';
import { FollowupDefinitionProvider } from '../lsp/definition-provider.js';
import { FollowupReferencesProvider } from '../lsp/references-provider.js';
import { FollowupRenameProvider } from '../lsp/rename-provider.js';
import { FollowupCodeLensProvider } from '../lsp/code-lens-provider.js';
import { FollowupCodeActionProvider } from '../lsp/code-actions.js';
import { FollowupDocumentUpdateHandler } from '../lsp/navigation/template-document-updates.js';
import { FollowupCompletionProvider } from '../lsp/completion/completion-provider.js';
import { FollowupFormatter } from '../lsp/format/formatter.js';
import { FollowupSemanticTokenProvider } from '../lsp/semantic-tokens.js';
import { FollowupDocumentSymbolProvider } from '../lsp/document-symbols.js';
import { FollowupFoldingRangeProvider } from '../lsp/folding-ranges.js';
import { FollowupNameProvider } from './name-provider.js';
import { FollowupScopeProvider } from './scope-provider.js';
import { FollowupValueConverter } from './value-converter.js';
import { createFollowupParser } from './parser.js';

export type FollowupAddedServices = {
    references: { ScopeProvider: FollowupScopeProvider };
};

export type FollowupServices = LangiumServices & FollowupAddedServices;

/** The services this language replaces; each lives in its own file. */
export const FollowupModule: Module<FollowupServices, PartialLangiumServices & FollowupAddedServices> = {
    parser: { ValueConverter: () => new FollowupValueConverter(), LangiumParser: services => createFollowupParser(services) },
    references: {
        NameProvider: () => new FollowupNameProvider(),
        ScopeProvider: services => new FollowupScopeProvider(services),
    },
    validation: { DocumentValidator: services => new FollowupDocumentValidator(services) },
    lsp: {
        HoverProvider: services => new FollowupHoverProvider(services),
        DefinitionProvider: services => new FollowupDefinitionProvider(services),
        ReferencesProvider: services => new FollowupReferencesProvider(services),
        RenameProvider: services => new FollowupRenameProvider(services),
        CodeLensProvider: () => new FollowupCodeLensProvider(),
        CodeActionProvider: services => new FollowupCodeActionProvider(services),
        CompletionProvider: services => new FollowupCompletionProvider(services),
        Formatter: services => new FollowupFormatter(services),
        SemanticTokenProvider: services => new FollowupSemanticTokenProvider(services),
        DocumentSymbolProvider: services => new FollowupDocumentSymbolProvider(services),
        FoldingRangeProvider: services => new FollowupFoldingRangeProvider(services),
    },
};

/** Shared services this language replaces: template files are not .followup documents. */
export const FollowupSharedModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {
    lsp: { DocumentUpdateHandler: services => new FollowupDocumentUpdateHandler(services) },
};

/**
 * The one set of services the CLI, the tests and the language server all use, so the command line
 * and the editor can never disagree.
 */
export function createFollowupServices(context: DefaultSharedModuleContext): {
    shared: LangiumSharedServices;
    Followup: FollowupServices;
} {
    const shared = inject(createDefaultSharedModule(context), FollowupGeneratedSharedModule, FollowupSharedModule);
    const Followup = inject(createDefaultModule({ shared }), FollowupGeneratedModule, FollowupModule);
    shared.ServiceRegistry.register(Followup);
    registerChecks(Followup);
    return { shared, Followup };
}
