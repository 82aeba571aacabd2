using System.Globalization;

namespace OtpEmail.Admin.Common;

/// <summary>
/// The one parse and the one format of the ids the app issues: positive 64-bit numbers written as
/// plain decimal strings (18 digits, time-ordered; see <c>IdGenerator</c>).
/// </summary>
public static class DecimalId
{
    /// <summary>Ids in routes and requests: longer than this is a malformed request, not an unknown id.</summary>
    public const int MaxLength = 200;

    public static bool TryParse(string? text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an id from a request: 1–200 characters (else invalid, naming <paramref name="field"/>);
    /// text that is no id we could have issued answers <paramref name="notFound"/>.
    /// </summary>
    public static Result<long> Parse(string? text, string field, AppError notFound)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            return AppError.Invalid("ID-LENGTH", $"{field} must be 1–{MaxLength} characters", field);
        }

        return TryParse(text, out var value) ? value : notFound;
    }
}

/// <summary>A user's id.</summary>
public readonly record struct UserId(long Value)
{
    public static AppError NotFound { get; } = AppError.NotFound("USER-NOTFOUND", "User could not be found");

    public static Result<UserId> Parse(string? text)
    {
        var parsed = DecimalId.Parse(text, "userId", NotFound);
        return parsed.IsSuccess ? new UserId(parsed.Value) : parsed.Error;
    }

    public override string ToString() => DecimalId.Format(Value);
}

/// <summary>An OTP Email authenticator's id.</summary>
public readonly record struct OtpEmailId(long Value)
{
    public static AppError NotFound { get; } = AppError.NotFound("OTPEMAIL-NOTFOUND", "OTP Email authenticator could not be found");

    public static Result<OtpEmailId> Parse(string? text)
    {
        var parsed = DecimalId.Parse(text, "otpEmailId", NotFound);
        return parsed.IsSuccess ? new OtpEmailId(parsed.Value) : parsed.Error;
    }

    public override string ToString() => DecimalId.Format(Value);
}
