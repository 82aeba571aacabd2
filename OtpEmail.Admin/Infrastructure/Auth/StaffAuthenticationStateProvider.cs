using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// An open page's signed-in staff member, kept in step with the provider without a reload: every
/// <c>Authentication:RevalidationInterval</c> it asks <see cref="StaffSessionGuard"/>. A session that
/// ended signs the page out (it then sends the visitor to sign in); a changed role or organization
/// takes effect on the page at once.
/// </summary>
public sealed partial class StaffAuthenticationStateProvider : ServerAuthenticationStateProvider, IDisposable
{
    private readonly StaffSessionGuard _guard;
    private readonly AuthenticationSettings _settings;
    private readonly AuthorizationSettings _authorization;
    private readonly TimeProvider _time;
    private readonly DatabaseOutage _outage;
    private readonly ILogger<StaffAuthenticationStateProvider> _logger;
    private CancellationTokenSource? _watching;

    public StaffAuthenticationStateProvider(
        StaffSessionGuard guard, IOptions<AuthenticationSettings> settings, IOptions<AuthorizationSettings> authorization, TimeProvider time,
        DatabaseOutage outage, ILogger<StaffAuthenticationStateProvider> logger)
    {
        _guard = guard;
        _settings = settings.Value;
        _authorization = authorization.Value;
        _time = time;
        _outage = outage;
        _logger = logger;
        AuthenticationStateChanged += Watch;
    }

    public void Dispose()
    {
        AuthenticationStateChanged -= Watch;
        Stop();
    }

    private void Watch(Task<AuthenticationState> state)
    {
        Stop();
        var watching = _watching = new CancellationTokenSource();
        _ = WatchAsync(state, watching.Token);
    }

    private void Stop()
    {
        _watching?.Cancel();
        _watching?.Dispose();
        _watching = null;
    }

    private async Task WatchAsync(Task<AuthenticationState> state, CancellationToken cancellationToken)
    {
        var principal = (await state).User;
        if (principal.FindFirst(StaffSessionStore.SessionClaim)?.Value is not { } key)
        {
            return;
        }

        using var timer = new PeriodicTimer(_settings.RevalidationInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                ClaimsPrincipal? current;
                try
                {
                    current = await _guard.CurrentAsync(key, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (!_outage.TryReport(e)) // an outage is logged once, not by every open page
                    {
                        LogCheckFailed(_logger, e);
                    }

                    continue;
                }

                if (current is null || !SameAccess(principal, current))
                {
                    // Raises AuthenticationStateChanged, which starts watching the new state.
                    SetAuthenticationState(Task.FromResult(new AuthenticationState(current ?? new ClaimsPrincipal(new ClaimsIdentity()))));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed, or a newer state is being watched.
        }
    }

    // What the pages decide access on: roles and organizations.
    private bool SameAccess(ClaimsPrincipal before, ClaimsPrincipal after) =>
        Values(before, _authorization.RoleClaim).SetEquals(Values(after, _authorization.RoleClaim))
        && Values(before, _authorization.OrganizationClaim).SetEquals(Values(after, _authorization.OrganizationClaim));

    private static HashSet<string> Values(ClaimsPrincipal principal, string type) =>
        principal.FindAll(type).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the staff session of an open page; it goes on")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
