using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

public sealed record CreateWebhookRequest
{
    public string? OrganizationId { get; init; }

    public string? Url { get; init; }

    /// <summary>The published types to receive; none: every type.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    public bool? Enabled { get; init; }
}

public sealed record WebhookView(
    string Id, string OrganizationId, string Url, IReadOnlyList<string> EventTypes, bool Enabled, string? DisabledReason, DateTimeOffset CreatedAt,
    DateTimeOffset? FailingSince);

/// <summary>The endpoint, with its signing secret: shown here and at rotation only.</summary>
public sealed record CreateWebhookResponse(WebhookView Webhook, string SigningSecret, Details Details);

public sealed record ListWebhooksResponse(IReadOnlyList<WebhookView> Webhooks);

/// <summary>An organization a caller may keep endpoints for, as the page lists it.</summary>
public sealed record WebhookOrganization(string Id, string Name);

public sealed record RotateWebhookSecretResponse(string SigningSecret, DateTimeOffset PreviousSecretExpiresAt, Details Details);

/// <summary>
/// An organization's webhook endpoints: created, listed, turned on and off, deleted and given a new
/// secret by <c>otp-admin</c> (<c>org.write</c>), read by every staff role; each change is an event of
/// the organization. The secret is shown once, at creation and at each rotation; after a rotation the
/// old one also signs for <see cref="PreviousSecretLifetime"/>.
/// </summary>
public sealed class Webhooks(
    IDbContextFactory<AppDbContext> dbs, DbWriter writer, IdGenerator ids, UserEventLog events, WebhookUrls urls, IDataProtectionProvider dataProtection,
    TimeProvider time)
{
    public const string Created = "webhook.created";
    public const string Deleted = "webhook.deleted";
    public const string SecretRotated = "webhook.secret_rotated";
    public const string Enabled = "webhook.enabled";
    public const string Disabled = "webhook.disabled";

    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);

    public static AppError NotFound { get; } = AppError.NotFound("WEBHOOK-NOTFOUND", "Webhook could not be found");

    private readonly IDataProtector _secrets = dataProtection.CreateProtector(WebhookSigner.Purpose);

    public async Task<Result<CreateWebhookResponse>> CreateAsync(Caller caller, CreateWebhookRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied)
        {
            return denied;
        }

        if (!DecimalId.TryParse(request.OrganizationId, out var organization))
        {
            return AppError.Invalid("WEBHOOK-ORGANIZATION", "organizationId must be an organization id", "organizationId");
        }

        if (request.EventTypes?.FirstOrDefault(t => !EventTypes.All.Contains(t, StringComparer.Ordinal)) is { } unknown)
        {
            return AppError.Invalid("WEBHOOK-EVENT-TYPE", $"Unknown event type '{unknown}'; known: {string.Join(", ", EventTypes.All)}", "eventTypes");
        }

        var url = await urls.CheckAsync(request.Url, cancellationToken);
        if (!url.IsSuccess)
        {
            return url.Error;
        }

        var secret = WebhookSignature.NewSecret();
        var types = request.EventTypes is { Count: > 0 } chosen ? $",{string.Join(',', chosen.Distinct(StringComparer.Ordinal))}," : null;
        return await writer.WriteAsync<CreateWebhookResponse>(async (db, ct) =>
        {
            if (await UserAccess.OrganizationAsync(db, caller, organization, ct) is { } refused)
            {
                return refused;
            }

            var now = time.GetUtcNow();
            var endpoint = new WebhookEndpoint
            {
                Id = ids.Next(),
                OrganizationId = organization,
                Url = url.Value.AbsoluteUri,
                EventTypes = types,
                Enabled = request.Enabled ?? true,
                ProtectedSecret = _secrets.Protect(secret),
                CreatedAt = now,
                CreatedBy = caller.Subject,
            };
            db.WebhookEndpoints.Add(endpoint);
            var change = await events.AppendForOrganizationAsync(db, organization, Created, caller,
                new { webhookId = endpoint.Id, Url = WebhookUrls.Shown(endpoint.Url), eventTypes = TypesOf(endpoint), endpoint.Enabled }, now, ct);
            return new CreateWebhookResponse(View(endpoint), secret, change.Details());
        }, cancellationToken);
    }

    /// <summary>The endpoints of the caller's organizations (or of one of them), oldest first.</summary>
    public async Task<Result<ListWebhooksResponse>> ListAsync(Caller caller, string? organizationId, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        long? only = null;
        if (!string.IsNullOrEmpty(organizationId))
        {
            if (!DecimalId.TryParse(organizationId, out var organization))
            {
                return AppError.Invalid("WEBHOOK-ORGANIZATION", "organizationId must be an organization id", "organizationId");
            }

            only = organization;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var scope = caller.Organizations?.ToArray();
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => (only == null || e.OrganizationId == only) && (scope == null || scope.Contains(e.OrganizationId)))
            .OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var mayChange = UserAccess.RequirePermission(caller, Permissions.OrgWrite) is null; // others see scheme and host: the path and query may hold the receiver's token
        return new ListWebhooksResponse([.. endpoints.Select(e => View(e, mayChange))]);
    }

    /// <summary>The organizations the caller sees, by name.</summary>
    public async Task<IReadOnlyList<WebhookOrganization>> OrganizationsAsync(Caller caller, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.Name).Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken);
        return [.. organizations.Where(o => caller.CanActOn(o.Id)).Select(o => new WebhookOrganization(DecimalId.Format(o.Id), o.Name))];
    }

    public Task<Result<Details>> DeleteAsync(Caller caller, string webhookId, CancellationToken cancellationToken) =>
        ChangeAsync(caller, webhookId, async (db, endpoint, now, ct) =>
        {
            db.WebhookEndpoints.Remove(endpoint); // its deliveries go with it
            var change = await events.AppendForOrganizationAsync(db, endpoint.OrganizationId, Deleted, caller, new { webhookId = endpoint.Id, Url = WebhookUrls.Shown(endpoint.Url) }, now, ct);
            return change.Details();
        }, cancellationToken);

    /// <summary>Turns the endpoint on (its run of failures forgotten) or off; events meanwhile are not queued for it.</summary>
    public Task<Result<Details>> SetEnabledAsync(Caller caller, string webhookId, bool enabled, CancellationToken cancellationToken) =>
        ChangeAsync(caller, webhookId, async (db, endpoint, now, ct) =>
        {
            (endpoint.Enabled, endpoint.DisabledReason, endpoint.FailingSince) = (enabled, null, null);
            var change = await events.AppendForOrganizationAsync(db, endpoint.OrganizationId, enabled ? Enabled : Disabled, caller, new { webhookId = endpoint.Id }, now, ct);
            return change.Details();
        }, cancellationToken);

    public async Task<Result<RotateWebhookSecretResponse>> RotateSecretAsync(Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        DateTimeOffset until = default;
        var rotated = await ChangeAsync(caller, webhookId, async (db, endpoint, now, ct) =>
        {
            until = now + PreviousSecretLifetime;
            (endpoint.ProtectedPreviousSecret, endpoint.PreviousSecretUntil) = (endpoint.ProtectedSecret, until);
            endpoint.ProtectedSecret = _secrets.Protect(secret);
            var change = await events.AppendForOrganizationAsync(db, endpoint.OrganizationId, SecretRotated, caller, new { webhookId = endpoint.Id }, now, ct);
            return change.Details();
        }, cancellationToken);
        return rotated.IsSuccess ? new RotateWebhookSecretResponse(secret, until, rotated.Value) : rotated.Error;
    }

    /// <summary>The endpoint the caller may change, for a change staged with it; refusals as the API answers them.</summary>
    private async Task<Result<Details>> ChangeAsync(
        Caller caller, string webhookId, Func<AppDbContext, WebhookEndpoint, DateTimeOffset, CancellationToken, Task<Details>> change, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied)
        {
            return denied;
        }

        if (!DecimalId.TryParse(webhookId, out var id))
        {
            return NotFound;
        }

        return await writer.WriteAsync<Details>(async (db, ct) =>
        {
            var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
            if (endpoint is null || !caller.CanActOn(endpoint.OrganizationId))
            {
                return NotFound;
            }

            return await change(db, endpoint, time.GetUtcNow(), ct);
        }, cancellationToken);
    }

    internal static IReadOnlyList<string> TypesOf(WebhookEndpoint endpoint) =>
        endpoint.EventTypes is { } types ? types.Split(',', StringSplitOptions.RemoveEmptyEntries) : EventTypes.All;

    internal static WebhookView View(WebhookEndpoint e, bool wholeUrl = true) =>
        new(DecimalId.Format(e.Id), DecimalId.Format(e.OrganizationId), wholeUrl ? e.Url : WebhookUrls.Shown(e.Url), TypesOf(e), e.Enabled, e.DisabledReason,
            e.CreatedAt, e.FailingSince);
}
