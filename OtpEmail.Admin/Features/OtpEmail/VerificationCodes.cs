using System.Security.Cryptography;
using System.Text;
using OtpEmail.Admin.Infrastructure;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Makes and checks verification codes: 8 characters from a 32-letter alphabet without
/// look-alikes (40 bits), drawn from <see cref="RandomNumberGenerator"/>. Only an HMAC-SHA256 of the
/// upper-cased code is ever stored, compared in constant time.
/// </summary>
public sealed class VerificationCodes(RandomNumberGenerator random, CodeHashKey key)
{
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public const int Length = 8;

    public string Generate()
    {
        Span<byte> bytes = stackalloc byte[Length];
        random.GetBytes(bytes);
        Span<char> code = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            code[i] = Alphabet[bytes[i] & 31]; // 32 letters: five bits each, no bias
        }

        return new string(code);
    }

    public byte[] Hash(string code) => HMACSHA256.HashData(key.Value, Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant()));

    public bool Matches(string code, byte[]? hash) =>
        hash is not null && CryptographicOperations.FixedTimeEquals(Hash(code), hash);
}

/// <summary>The secret key of the code hash: <c>Otp:CodeHashKey</c>, else a key the app makes once and keeps.</summary>
public sealed class CodeHashKey(byte[] value)
{
    private const string KeyName = "otp-code-hash";

    public byte[] Value { get; } = value.Length >= 32 ? value : throw new ArgumentException("The code-hash key must be at least 32 bytes.", nameof(value));

    public static CodeHashKey From(OtpSettings settings, SecretKeys keys) =>
        new(string.IsNullOrWhiteSpace(settings.CodeHashKey) ? keys.GetOrCreate(KeyName, 32) : Convert.FromBase64String(settings.CodeHashKey));
}
