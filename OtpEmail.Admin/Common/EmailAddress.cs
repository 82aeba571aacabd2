using System.Net;

namespace OtpEmail.Admin.Common;

/// <summary>
/// The contract's address rule: a plain <c>local@domain</c> of at most 200 characters, no display
/// name and no CR, LF or NUL anywhere; a dot-atom local part of at most 64 characters; a domain of at
/// least two labels of 1–63 letters, digits and hyphens (not at either end), and not an IP address.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 200;
    private const int MaxLocalLength = 64;
    private const int MaxLabelLength = 63;
    private const string LocalSpecials = "!#$%&'*+/=?^_`{|}~-";

    /// <summary>
    /// Returns null when <paramref name="address"/> is valid, else why not. A single-label domain
    /// (<c>no-reply@localhost</c>) passes only where <paramref name="singleLabelDomain"/> allows it: a
    /// sender on the app's own network, never a recipient.
    /// </summary>
    public static AppError? Check(string? address, string field = "email.address", bool singleLabelDomain = false)
    {
        if (string.IsNullOrEmpty(address))
        {
            return AppError.Invalid("EMAIL-REQUIRED", $"{field} is required", field);
        }

        if (address.Length > MaxLength)
        {
            return AppError.Invalid("EMAIL-TOO-LONG", $"{field} must be at most {MaxLength} characters", field);
        }

        if (address.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            return AppError.Invalid("EMAIL-CONTROL-CHARS", $"{field} must not contain CR, LF or NUL", field);
        }

        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return AppError.Invalid("EMAIL-FORMAT", $"{field} must be a plain address like name@example.com", field);
        }

        var local = address.AsSpan(0, at);
        var domain = address.AsSpan(at + 1);
        if (local.Length > MaxLocalLength)
        {
            return AppError.Invalid("EMAIL-LOCAL-TOO-LONG", $"The part before @ in {field} must be at most {MaxLocalLength} characters", field);
        }

        if (!IsDotAtom(local))
        {
            return AppError.Invalid("EMAIL-LOCAL-INVALID", $"The part before @ in {field} has characters or dots that are not allowed", field);
        }

        if (!IsDomain(domain))
        {
            return AppError.Invalid("EMAIL-DOMAIN-INVALID", $"The domain of {field} must be labels of 1–{MaxLabelLength} letters, digits and hyphens", field);
        }

        if (IPAddress.TryParse(domain, out _))
        {
            return AppError.Invalid("EMAIL-DOMAIN-IP", $"The domain of {field} must be a name, not an IP address", field);
        }

        // A single label (root@localhost) names no host on the internet, only one on some network.
        return singleLabelDomain || domain.Contains('.')
            ? null
            : AppError.Invalid("EMAIL-DOMAIN-SINGLE-LABEL", $"The domain of {field} must be a full domain like example.com", field);
    }

    /// <summary>The address with its local part hidden but its first letter: m•••@mouse.com.</summary>
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "•••" : $"{address[0]}•••{address[at..]}";
    }

    /// <summary>The form the duplicate rule compares: the same address in any case is the same.</summary>
    public static string Normalize(string address) => address.ToLowerInvariant();

    /// <summary>
    /// The inbox an address reaches, as the per-recipient mail limit counts it: lower-cased, a
    /// <c>+tag</c> dropped from the local part (<c>Victim+1@Example.org</c> is <c>victim@example.org</c>).
    /// </summary>
    public static string Mailbox(string address)
    {
        var normalized = Normalize(address);
        var at = normalized.LastIndexOf('@');
        var plus = at > 0 ? normalized.IndexOf('+', 0, at) : -1;
        return plus > 0 ? string.Concat(normalized.AsSpan(0, plus), normalized.AsSpan(at)) : normalized;
    }

    private static bool IsDotAtom(ReadOnlySpan<char> local)
    {
        if (local[0] == '.' || local[^1] == '.' || local.IndexOf("..") >= 0)
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || LocalSpecials.Contains(c)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
