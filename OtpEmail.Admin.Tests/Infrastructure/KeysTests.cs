using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Tests.Infrastructure.Http;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure;

/// <summary>The keys the app keeps in its keys folder: readable by its own user only, encrypted when asked.</summary>
public sealed class KeysTests
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the app runs on Linux
    public async Task TheKeysFolderAndTheCodeHashKeyAreTheAppUsersAlone()
    {
        await using var app = new AppFactory(25);
        app.StartClient().Dispose();
        app.Services.GetRequiredService<VerificationCodes>(); // made on first use
        var key = app.Services.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90)); // as at a key rotation
        var keys = Path.Combine(app.DataDirectory, "keys");

        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(keys));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(keys, "otp-code-hash.key")));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(keys, $"key-{key.KeyId}.xml"))); // Data Protection's own doing
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AKeysFolderAndKeyFileMadeOpenBySomeoneElseAreTightenedAtStart()
    {
        await using var app = new AppFactory(25);
        var keys = Path.Combine(app.DataDirectory, "keys");
        Directory.CreateDirectory(keys);
        DataProtectionProvider.Create(new DirectoryInfo(keys)).CreateProtector("test").Protect("a key ring is made"); // a real key file
        var keyFile = Directory.GetFiles(keys, "key-*.xml").Single();
        File.SetUnixFileMode(keys, OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(keyFile, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        app.StartClient().Dispose();

        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(keys));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(keyFile));
    }

    [Fact]
    public async Task OnPostgresOutsideDevelopmentStartUpRefusesKeysThatNoCertificateEncrypts()
    {
        var settings = ProductionTests.Settings(
            ("Database:Provider", "Postgres"),
            ("ConnectionStrings:Default", "Host=127.0.0.1;Database=never-reached"),
            ("Otp:CodeHashKey", PostgresDatabase.CodeHashKey));
        await using var app = new AppFactory(25, settings, environment: "Production");

        var error = Record.Exception(() => app.StartServer());

        Assert.NotNull(error);
        Assert.Contains("Setting 'App:KeysCertificate' is required", error.ToString());
        Assert.Contains("openssl pkcs12 -export", error.ToString());
    }

    [Fact]
    public async Task WithACertificateTheDataProtectionKeysAreEncryptedAtRest()
    {
        var folder = Directory.CreateTempSubdirectory("otpemail-cert-").FullName;
        var pfx = Path.Combine(folder, "keys.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=OtpEmail.Admin keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "secret"));
        }

        await using var app = new AppFactory(25, new Dictionary<string, string?> { ["App:KeysCertificate"] = pfx, ["App:KeysCertificatePassword"] = "secret" });
        var http = app.StartClient();
        await http.GetAsync("/otp-email/verify"); // a page with antiforgery: the key ring is made

        var keyFiles = Directory.GetFiles(Path.Combine(app.DataDirectory, "keys"), "key-*.xml");
        Assert.NotEmpty(keyFiles);
        Assert.All(keyFiles, file =>
        {
            var xml = File.ReadAllText(file);
            Assert.Contains("EncryptedData", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
        Directory.Delete(folder, recursive: true);
    }
}
