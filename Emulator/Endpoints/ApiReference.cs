using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace MidasEmulator.Endpoints;

/// <summary>
/// The OpenAPI documents of both surfaces (/openapi/wechat.json, /openapi/admin.json) and the Scalar page that
/// shows them (/scalar). Documents are built on request only: nothing here runs at start-up but registrations.
/// </summary>
public static class ApiReference
{
    public const string WeChatDocument = "wechat";
    public const string AdminDocument = "admin";
    public const string PagePath = "/scalar";

    /// <summary>Where the docs explain the rules a one-line description can only name.</summary>
    public const string WeChatRules = "docs/wechat-api.md (the API) and docs/reference.md §1.1 (the emulator's endpoints)";
    public const string GamePayRules = "docs/wechat-vp2-api.md (the API) and docs/reference.md §1.1 (the emulator's endpoints)";

    public static IServiceCollection AddApiReference(this IServiceCollection services)
    {
        services.AddOpenApi(WeChatDocument, options => Configure(options, WeChatDocument,
            "MidasEmulator — WeChat-compatible surface",
            "The calls a game backend makes to api.weixin.qq.com: /cgi-bin/token, /sns/jscode2session and the Midas 1.0 "
            + "operations getbalance, pay, cancelpay and present under /cgi-bin/midas/sandbox/ (sandbox ledger and AppKey) "
            + "and /cgi-bin/midas/ (production). Every reply is HTTP 200 with a JSON body; errors carry a WeChat errcode and "
            + $"errmsg. Fields, signature rules (sig, mp_sig) and every errcode: {WeChatRules}."));
        services.AddOpenApi(AdminDocument, options => Configure(options, AdminDocument,
            "MidasEmulator — admin API",
            "The control surface under /admin: health, reset, apps, sessions, login codes, accounts and top-ups, the ledger, "
            + "fault rules, the request journal and the emulator's clock. JSON in snake_case; a body is read as JSON whatever "
            + "its Content-Type says. Errors are RFC 7807 problem details. When Midas:AdminToken is set, every /admin call needs "
            + "Authorization: Bearer <token>.", AddAdminToken));
        return services;
    }

    /// <summary>Maps /openapi/{document}.json, the Scalar page at /scalar and /docs (a redirect there); no admin token needed.</summary>
    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        // A local test tool may run offline: Scalar's script is served from the package, fonts and telemetry stay off.
        app.MapScalarApiReference(PagePath, options => options
            .WithTitle("MidasEmulator API reference")
            .AddDocument(WeChatDocument, "WeChat surface", isDefault: true)
            .AddDocument(AdminDocument, "Admin API")
            .DisableDefaultFonts()
            .DisableTelemetry()
            // Scalar's cloud features (Deploy, Generate SDK, Share, Ask AI, MCP) mean nothing for a local emulator.
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp()
            .WithDotNetFlag(false));
        app.MapGet("/docs", () => Results.Redirect(PagePath + "/")).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Documents a JSON body the handler reads itself. Unlike Accepts&lt;T&gt;() it adds no IAcceptsMetadata, so
    /// routing never answers 415 for a Content-Type: both surfaces read the body as JSON whatever it says.
    /// </summary>
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder, bool required = true) =>
        builder.WithJsonBody(typeof(T), required);

    /// <inheritdoc cref="WithJsonBody{T}(RouteHandlerBuilder, bool)"/>
    public static RouteHandlerBuilder WithJsonBody(this RouteHandlerBuilder builder, Type type, bool required = true) =>
        builder.WithMetadata(new DocumentedBody(type, required));

    /// <summary>Tag, summary and description in one call: the admin map stays one screen.</summary>
    public static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder, string tag, string summary, string description) =>
        builder.WithTags(tag).WithSummary(summary).WithDescription(description);

    /// <summary>Documents a query parameter the handler reads from the request itself.</summary>
    public static RouteHandlerBuilder WithQueryParameter(this RouteHandlerBuilder builder, string name, string description, bool required = true) =>
        builder.WithMetadata(new DocumentedQueryParameter(name, description, required));

    private static void Configure(OpenApiOptions options, string document, string title, string description, Action<OpenApiDocument>? more = null)
    {
        options.ShouldInclude = api => api.GroupName == document;
        options.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new OpenApiInfo { Title = title, Description = description, Version = AdminEndpoints.Version };
            more?.Invoke(doc);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(AddDocumentedPartsAsync);
    }

    // The bearer token is optional: /admin is open unless Midas:AdminToken is set. "{}" among the requirements says so,
    // and the reference page then offers a token field without demanding one.
    private static void AddAdminToken(OpenApiDocument doc)
    {
        const string scheme = "adminToken";
        doc.Components ??= new OpenApiComponents();
        doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        doc.Components.SecuritySchemes[scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The value of Midas:AdminToken (env Midas__AdminToken), needed only when it is set.",
        };
        doc.Security = [new OpenApiSecurityRequirement(), new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, doc)] = [] }];
    }

    private static async Task AddDocumentedPartsAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var query in metadata.OfType<DocumentedQueryParameter>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
        if (metadata.OfType<DocumentedBody>().LastOrDefault() is { } body)
        {
            // A named component, as the generator makes for replies: the sandbox and production paths share it.
            var id = body.Type.Name;
            var document = context.Document ?? throw new InvalidOperationException("an operation transformer ran without its document");
            if (document.Components?.Schemas?.ContainsKey(id) != true)
            {
                document.AddComponent(id, await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken).ConfigureAwait(false));
            }
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = body.Required,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(id, document) } },
            };
        }
    }

    /// <summary>The JSON body a call documents; <see cref="AdminJson{T}"/> reads it as optional when it is not required.</summary>
    internal sealed record DocumentedBody(Type Type, bool Required);

    private sealed record DocumentedQueryParameter(string Name, string Description, bool Required);
}
