using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Idempotency;
using Scalar.AspNetCore;

namespace OtpEmail.Admin.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI document of the JSON door (<c>/openapi/v1.json</c>): every <c>/v3alpha</c> and <c>/management/v1</c> operation,
/// the error body for each status, the bearer scheme; a try-it page at <c>/scalar</c> in Development.
/// </summary>
public static class ApiDocument
{
    public const string Name = "v1";
    public const string Path = "/openapi/v1.json";

    /// <summary>The try-it page (Development only).</summary>
    public const string TryItPath = "/scalar";
    private const string Bearer = "Bearer";
    private const string ErrorSchema = "ErrorBody";

    // What each error status means; the status itself is the error pipeline's (HttpErrors.StatusFor).
    private static readonly (ErrorCode[] Codes, string Meaning)[] Errors =
    [
        ([ErrorCode.InvalidArgument, ErrorCode.FailedPrecondition], "The request breaks a rule"),
        ([ErrorCode.Unauthenticated], "No valid bearer token"),
        ([ErrorCode.PermissionDenied], "The caller lacks the permission or the organization"),
        ([ErrorCode.NotFound], "No such user or authenticator the caller may see"),
        ([ErrorCode.AlreadyExists, ErrorCode.Aborted], "Already exists, or the first request with this Idempotency-Key is still running (Retry-After: 1)"),
        ([ErrorCode.ResourceExhausted], "A limit is reached; Retry-After says when to try again"),
    ];

    public static WebApplicationBuilder AddApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(Name, options =>
        {
            options.ShouldInclude = description => description.RelativePath is { } path
                && (path.StartsWith("v3alpha/", StringComparison.Ordinal) || path.StartsWith("management/v1/", StringComparison.Ordinal));
            options.AddDocumentTransformer((document, context, _) =>
            {
                var authority = context.ApplicationServices.GetRequiredService<IConfiguration>()[$"{AuthenticationSettings.Section}:Authority"];
                var tokenEndpoint = string.IsNullOrEmpty(authority) ? "/connect/token" : $"{authority.TrimEnd('/')}/connect/token";
                document.Info = new OpenApiInfo
                {
                    Title = "OtpEmail.Admin — zitadel.user.v3alpha (JSON)",
                    Version = "v3alpha",
                    Description = "OTP Email authenticators, the users they belong to, and the texts of their verification mail. Ids and sequences are decimal strings; " +
                        "every error is a gRPC status as JSON (`code`, `message`, `details[]` with a `zitadel.v1.ErrorDetail`).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = $"An access token from the OpenID Connect provider's token endpoint, {tokenEndpoint} " +
                        "(client_credentials for API clients), with a role claim of otp-admin, otp-support or otp-viewer.",
                };
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, _, _) =>
            {
                // Numbers written as strings (ids, sequences) are strings on the wire; dates are strings too.
                if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && type.HasFlag(JsonSchemaType.Integer))
                {
                    schema.Type = JsonSchemaType.String;
                }
                else if (schema.Type is null && schema.Format == "date-time")
                {
                    schema.Type = JsonSchemaType.String;
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var document = context.Document!;
                if (document.Components?.Schemas?.ContainsKey(ErrorSchema) != true)
                {
                    document.AddComponent(ErrorSchema, await context.GetOrCreateSchemaAsync(typeof(ErrorBody), null, cancellationToken));
                }

                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }];
                operation.Responses ??= [];
                foreach (var (codes, meaning) in Errors)
                {
                    var status = HttpErrors.StatusFor(codes[0]).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    operation.Responses.TryAdd(status, new OpenApiResponse
                    {
                        Description = $"{meaning} ({string.Join(", ", codes.Select(code => $"code {(int)code} {code}"))})",
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = new OpenApiSchemaReference(ErrorSchema, document) },
                        },
                    });
                }

                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentAttribute>().Any())
                {
                    DescribeIdempotencyKey(operation, document);
                }
            });
        });
        return builder;
    }

    // draft-ietf-httpapi-idempotency-key-header on the operations marked [Idempotent].
    private static void DescribeIdempotencyKey(OpenApiOperation operation, OpenApiDocument document)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyKey.Header,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): the same key with the same request within 24 hours " +
                "gets the first answer again and changes nothing. 1–255 visible ASCII characters, e.g. a UUID; a key belongs to the caller. " +
                "A returned verificationCode is replayed only while it is valid; a replay carries the header Idempotent-Replayed (true, or code-expired).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKey.MaxLength },
        });
        operation.Responses!.TryAdd("422", new OpenApiResponse
        {
            Description = $"The Idempotency-Key was used for a different request (code {(int)ErrorCode.InvalidArgument} {ErrorCode.InvalidArgument}, IDEMPOTENCY-KEY-REUSED)",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(ErrorSchema, document) },
            },
        });
    }

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi(Path).AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(TryItPath, options => options
                .WithTitle("OtpEmail.Admin API")
                .WithOpenApiRoutePattern(Path)
                .AddPreferredSecuritySchemes(Bearer))
                .AllowAnonymous();
        }

        return app;
    }
}
