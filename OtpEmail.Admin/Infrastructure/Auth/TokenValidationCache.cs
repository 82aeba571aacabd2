using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// Remembers bearer tokens that validated, for a minute at most and never past their expiry, so that
/// an API client's every request does not verify the same RSA signature again. Only valid tokens are
/// kept (a flood of bad ones costs nothing here), at most <see cref="MaxTokens"/> of them; each request
/// gets its own copy of the identity.
/// </summary>
internal sealed class TokenValidationCache(TokenHandler inner, TimeProvider time) : TokenHandler
{
    public const int MaxTokens = 10_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTimeOffset Until)> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = time.GetUtcNow();
        if (_valid.TryGetValue(token, out var known) && known.Until > now)
        {
            return Copy(known.Result);
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        var expires = result.SecurityToken?.ValidTo is { } validTo && validTo != DateTime.MinValue ? new DateTimeOffset(validTo, TimeSpan.Zero) : now;
        if (result.IsValid && expires > now)
        {
            if (_valid.Count >= MaxTokens)
            {
                _valid.Clear(); // rare: a burst of distinct clients; they validate again
            }

            _valid[token] = (result, expires < now + MaxAge ? expires : now + MaxAge);
        }

        return result;
    }

    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };
}
