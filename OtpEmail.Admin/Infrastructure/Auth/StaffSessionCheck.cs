using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>What the provider says of a staff session.</summary>
public enum SessionVerdict
{
    /// <summary>The account may go on; the ticket carries its current claims and fresh tokens.</summary>
    Confirmed,

    /// <summary>The provider refuses the account (disabled, deleted, sessions revoked): the session ends.</summary>
    Refused,

    /// <summary>The provider could not be asked (unreachable, failing); the session goes on as it was.</summary>
    Unknown,
}

/// <summary>
/// Asks the OpenID Connect provider about a staff session with a refresh-token grant: a provider
/// answers it with the account's current claims (roles, organizations) in a new ID token, or refuses
/// an account that is disabled. The new ID token is validated like the one of the sign-in.
/// </summary>
public sealed class StaffSessionCheck(IOptionsMonitor<OpenIdConnectOptions> oidc, TimeProvider time)
{
    public async Task<(SessionVerdict Verdict, AuthenticationTicket Ticket)> AskAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var refreshToken = ticket.Properties.GetTokenValue("refresh_token");
        if (string.IsNullOrEmpty(refreshToken))
        {
            // Nothing to ask with (the provider issued no refresh token): it lasts as long as its access token.
            var expiresAt = ticket.Properties.GetTokenValue("expires_at");
            var live = DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) && at > time.GetUtcNow();
            return (live ? SessionVerdict.Confirmed : SessionVerdict.Refused, ticket);
        }

        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        OpenIdConnectMessage message;
        try
        {
            OpenIdConnectConfiguration configuration;
            try
            {
                configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            }
            catch (InvalidOperationException)
            {
                return (SessionVerdict.Unknown, ticket); // IdentityModel's word for a discovery document it could not fetch
            }

            using var response = await options.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string?>
            {
                ["grant_type"] = "refresh_token",
                ["client_id"] = options.ClientId,
                ["client_secret"] = options.ClientSecret,
                ["scope"] = string.Join(' ', options.Scope),
                ["refresh_token"] = refreshToken,
            }), cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
            {
                return (SessionVerdict.Refused, ticket); // invalid_grant, invalid_client: the account or its tokens are no longer good
            }

            if (!response.IsSuccessStatusCode)
            {
                return (SessionVerdict.Unknown, ticket); // failing, throttling (429), timing out (408): not a verdict on the account
            }

            message = new OpenIdConnectMessage(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (SessionVerdict.Unknown, ticket); // the token endpoint cannot be reached
        }

        var parameters = options.TokenValidationParameters.Clone();
        parameters.ConfigurationManager = options.ConfigurationManager as BaseConfigurationManager;
        var validated = await options.TokenHandler.ValidateTokenAsync(message.IdToken, parameters);
        if (!validated.IsValid || validated.ClaimsIdentity.FindFirst("sub")?.Value != ticket.Principal.FindFirst("sub")?.Value)
        {
            return (SessionVerdict.Refused, ticket);
        }

        var identity = validated.ClaimsIdentity;
        foreach (var session in ticket.Principal.FindAll(StaffSessionStore.SessionClaim))
        {
            identity.AddClaim(new Claim(StaffSessionStore.SessionClaim, session.Value));
        }

        var properties = ticket.Properties.Clone();
        var expiresIn = int.TryParse(message.ExpiresIn, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = "access_token", Value = message.AccessToken },
            new AuthenticationToken { Name = "id_token", Value = message.IdToken },
            new AuthenticationToken { Name = "refresh_token", Value = message.RefreshToken ?? refreshToken },
            new AuthenticationToken { Name = "token_type", Value = message.TokenType },
            new AuthenticationToken { Name = "expires_at", Value = (time.GetUtcNow() + TimeSpan.FromSeconds(expiresIn)).ToString("o", CultureInfo.InvariantCulture) },
        ]);
        return (SessionVerdict.Confirmed, new AuthenticationTicket(new ClaimsPrincipal(identity), properties, ticket.AuthenticationScheme));
    }
}

/// <summary>
/// Keeps staff sessions in step with the provider: a session the provider has not confirmed for
/// <c>Authentication:RevalidationInterval</c> is asked about again (<see cref="StaffSessionCheck"/>);
/// a refused one ends, a confirmed one takes the account's current claims. While the provider cannot
/// be reached the session goes on, asked about again after 1, 2, 4, … seconds (up to the interval),
/// and ends <c>Authentication:RevalidationGrace</c> after its last confirmation.
/// </summary>
public sealed partial class StaffSessionGuard(
    StaffSessionStore store, StaffSessionCheck check, IOptions<AuthenticationSettings> settings, TimeProvider time, ILogger<StaffSessionGuard> logger)
{
    private const int MaxBackoffs = 10_000;

    /// <summary>How long one ask may take: a provider that hangs is a provider that cannot be reached.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    // Sessions being asked about now: other requests of the session go on meanwhile instead of asking too.
    private readonly ConcurrentDictionary<string, byte> _asking = new(StringComparer.Ordinal);

    // Sessions the provider did not answer for: how often in a row, and when to ask again.
    private readonly ConcurrentDictionary<string, (int Unanswered, DateTimeOffset AskAt)> _backoff = new(StringComparer.Ordinal);

    /// <summary>The session's principal as the provider last confirmed it; null when the session is over.</summary>
    public async Task<ClaimsPrincipal?> CurrentAsync(string key, CancellationToken cancellationToken)
    {
        var found = await store.FindAsync(key, cancellationToken);
        if (found is null)
        {
            return null;
        }

        var (ticket, checkedAt) = found.Value;
        return Due(key, checkedAt) ? await AskAsync(key, ticket, cancellationToken) : ticket.Principal;
    }

    /// <summary>
    /// Whether a session confirmed at <paramref name="checkedAt"/> is to be asked about now: once the
    /// interval has passed, unless the provider failed to answer lately and its back-off runs, or the
    /// grace is over (then it is asked a last time).
    /// </summary>
    public bool Due(string key, DateTimeOffset checkedAt)
    {
        var now = time.GetUtcNow();
        var since = now - checkedAt;
        if (since < settings.Value.RevalidationInterval)
        {
            return false;
        }

        return !_asking.ContainsKey(key)
            && (since >= settings.Value.RevalidationGrace || !_backoff.TryGetValue(key, out var backoff) || now >= backoff.AskAt);
    }

    /// <summary>Asks the provider now; the session's principal afterwards, or null when it ended.</summary>
    public async Task<ClaimsPrincipal?> AskAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        if (!_asking.TryAdd(key, 0))
        {
            return ticket.Principal; // another request of this session is asking
        }

        try
        {
            return await DecideAsync(key, ticket, cancellationToken);
        }
        finally
        {
            _asking.TryRemove(key, out _);
        }
    }

    private async Task<ClaimsPrincipal?> DecideAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        SessionVerdict verdict;
        AuthenticationTicket current;
        using (var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limited.CancelAfter(AskTimeout);
            var asking = check.AskAsync(ticket, limited.Token);
            try
            {
                // Not every part of an ask heeds the token (IdentityModel's discovery fetch does not): the wait is bounded here.
                (verdict, current) = await asking.WaitAsync(AskTimeout, cancellationToken); // wall time, as the network's
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                _ = asking.ContinueWith(abandoned => abandoned.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
                (verdict, current) = (SessionVerdict.Unknown, ticket);
            }
        }

        var subject = ticket.Principal.FindFirst("sub")?.Value;
        switch (verdict)
        {
            case SessionVerdict.Refused:
                _backoff.TryRemove(key, out _);
                await store.RemoveAsync(key);
                LogEnded(logger, subject);
                return null;
            case SessionVerdict.Confirmed:
                _backoff.TryRemove(key, out _);
                await store.SaveAsync(key, current, time.GetUtcNow());
                return current.Principal;
            default:
                var now = time.GetUtcNow();
                var checkedAt = StaffSessionStore.CheckedAt(ticket.Properties) ?? DateTimeOffset.MinValue;
                if (now - checkedAt >= settings.Value.RevalidationGrace)
                {
                    _backoff.TryRemove(key, out _);
                    await store.RemoveAsync(key);
                    LogGraceOver(logger, subject);
                    return null;
                }

                var unanswered = _backoff.TryGetValue(key, out var backoff) ? backoff.Unanswered + 1 : 1;
                var wait = TimeSpan.FromSeconds(1 << Math.Min(unanswered - 1, 16));
                ForgetStaleBackoffs(now);
                _backoff[key] = (unanswered, now + (wait < settings.Value.RevalidationInterval ? wait : settings.Value.RevalidationInterval));
                LogUnknown(logger, subject);
                return ticket.Principal;
        }
    }

    // Sessions given up on while the provider was away leave entries behind; these go once past any grace.
    private void ForgetStaleBackoffs(DateTimeOffset now)
    {
        if (_backoff.Count < MaxBackoffs)
        {
            return;
        }

        foreach (var (key, backoff) in _backoff)
        {
            if (now - backoff.AskAt > settings.Value.RevalidationGrace)
            {
                _backoff.TryRemove(key, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Staff session of {Subject} ended: the provider refused the account")]
    private static partial void LogEnded(ILogger logger, string? subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staff session of {Subject} ended: the provider could not confirm it within the grace period")]
    private static partial void LogGraceOver(ILogger logger, string? subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The provider could not be asked about the staff session of {Subject}; it goes on unchanged")]
    private static partial void LogUnknown(ILogger logger, string? subject);
}
