using System.Security.Cryptography;
using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

public sealed class VerificationCodesTests
{
    private static readonly CodeHashKey Key = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void CodesAreEightCharactersOfTheUnambiguousAlphabet()
    {
        using var random = RandomNumberGenerator.Create();
        var codes = new VerificationCodes(random, Key);

        var drawn = Enumerable.Range(0, 2000).Select(_ => codes.Generate()).ToList();

        Assert.All(drawn, code => Assert.Matches("^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$", code));
        Assert.Equal(32, drawn.SelectMany(c => c).Distinct().Count()); // every letter of the alphabet shows up
        Assert.True(drawn.Distinct().Count() > 1990);
    }

    [Fact]
    public void TheRandomSourceDecidesTheCode()
    {
        var codes = new VerificationCodes(new FixedBytes([0, 1, 2, 31, 32, 33, 255, 8]), Key);

        Assert.Equal("ABC9AB9J", codes.Generate());
    }

    [Fact]
    public void HashesAreKeyedAndMatchIgnoringCaseAndSurroundingSpace()
    {
        var codes = new VerificationCodes(RandomNumberGenerator.Create(), Key);
        var other = new VerificationCodes(RandomNumberGenerator.Create(), new CodeHashKey(new byte[32]));

        var hash = codes.Hash("ABCD2345");

        Assert.True(codes.Matches(" abcd2345 ", hash));
        Assert.False(codes.Matches("ABCD2346", hash));
        Assert.False(other.Matches("ABCD2345", hash));
        Assert.False(codes.Matches("ABCD2345", null));
        Assert.NotEqual(hash, System.Text.Encoding.UTF8.GetBytes("ABCD2345"));
    }

    [Fact]
    public void AShortKeyIsRefused() => Assert.Throws<ArgumentException>(() => new CodeHashKey(new byte[16]));

    private sealed class FixedBytes(byte[] bytes) : RandomNumberGenerator
    {
        public override void GetBytes(byte[] data) => bytes.AsSpan(0, data.Length).CopyTo(data);

        public override void GetBytes(Span<byte> data) => bytes.AsSpan(0, data.Length).CopyTo(data);
    }
}
